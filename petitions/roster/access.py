"""Who reaches a petition through the roster: the leader of a reception the matter was brought to
(an appointment matter) sees it. Registered with petitions.matters.access, which does not import
the roster."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from ..matters.access import PERSON_REACH
from .models import AppointmentMatter


def invited_condition(person_id: int) -> Q:
    invited = AppointmentMatter.objects.filter(
        petition=OuterRef("pk"), appointment__reception__person_id=person_id
    )
    return Q(Exists(invited))


PERSON_REACH.append(invited_condition)
