"""The access conditions of the petition app's items behind clocks, registered with
`rules.visibility` (imported once from PetitionsConfig.ready()).

A petition's clocks, a reception matter's reply clock and an appeal's clocks reveal the
matter (their labels are its reference or receipt code; their reminders link to it): whoever
reads them — the today panel, the deadline board, the drill-down, the year-end PDF, the
reminder scan — sees exactly the matters the pages show them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from rules import visibility

from .appeals.access import appeal_condition
from .appeals.models import Appeal
from .matters.access import petition_condition
from .matters.models import Petition
from .roster.models import AppointmentMatter


def appointment_matter_condition(user: Any) -> Q | None:
    """A matter taken up at a leader's reception is as secret as its petition."""
    condition = petition_condition(user)
    if condition is None:
        return None
    return Q(petition__in=Petition.objects.filter(condition).values("pk"))


visibility.register(Petition, petition_condition)
visibility.register(AppointmentMatter, appointment_matter_condition)
visibility.register(Appeal, appeal_condition)
