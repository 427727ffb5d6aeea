"""The access conditions of the petition app's items behind clocks, registered with
`rules.visibility` (imported once from PetitionsConfig.ready()).

A petition's clocks, a reception matter's reply clock and an appeal's clocks reveal the
matter (their labels are its reference or receipt code; their reminders link to it): whoever
reads them — the today panel, the deadline board, the drill-down, the year-end PDF, the
reminder scan — sees exactly the matters the pages show them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rules import visibility

from .appeals.access import appeal_condition, appeal_hidden
from .appeals.models import Appeal
from .matters.access import petition_condition, petition_hidden
from .matters.models import Petition
from .roster.models import AppointmentMatter, MissedContact, RescheduledMeeting


def appointment_matter_condition(user: Any) -> Q | None:
    """A matter taken up at a leader's reception is as secret as its petition."""
    condition = petition_condition(user)
    if condition is None:
        return None
    return Q(petition__in=Petition.objects.filter(condition).values("pk"))


# with their complements for the office and supervisors (few hidden among many visible)
visibility.register(Petition, petition_condition, hidden=petition_hidden)
visibility.register(AppointmentMatter, appointment_matter_condition)
visibility.register(Appeal, appeal_condition, hidden=appeal_hidden)

# The pages their deadline rows link to (the detail views read through the same conditions:
# get_petition_for_user, get_appeal_for_user, the office ledger's visible_to).
PETITION_STEPS = {
    "register": _("registration and routing"),
    "accept": _("acceptance notice"),
    "object": _("objection"),
    "conclude": _("conclusion and answer"),
    "review_ask": _("request for review"),
    "review_answer": _("review opinion"),
    "recheck_ask": _("request for re-examination"),
    "recheck_answer": _("re-examination opinion"),
    "supervise": _("supervision"),
}

visibility.register_page(
    Petition,
    visibility.ItemPage(
        "petition-detail", reference="ref", opens=petition_condition, steps=PETITION_STEPS
    ),
)
visibility.register_page(
    AppointmentMatter,
    visibility.ItemPage(
        "petition-detail",
        reference="petition__ref",
        opens=appointment_matter_condition,
        target="petition_id",
        steps={"reply": _("written reply")},
    ),
)
visibility.register_page(
    Appeal,
    visibility.ItemPage(
        "appeal-detail",
        reference="ref",
        opens=appeal_condition,
        steps={"reply": _("reply to the appeal"), "second_reply": _("second reply")},
    ),
)
visibility.register_page(
    MissedContact,
    visibility.ItemPage(
        "office-ledger",
        reference="",
        opens=visibility.scope_condition("unit"),
        target="",
        fragment="missed-{pk}",
        steps={"callback": _("call back")},
    ),
)
visibility.register_page(
    RescheduledMeeting,
    visibility.ItemPage(
        "office-ledger",
        reference="",
        opens=visibility.scope_condition("unit"),
        target="",
        fragment="rescheduled-{pk}",
        steps={"meet": _("reception as agreed")},
    ),
)
