"""The pages the deadline rows of pairing work link to, registered with `rules.visibility`
(imported once from AssistanceConfig.ready()): a four-musts event opens its household
(get_household_for_user's condition, over the event's household), a problem its own page
(get_problem_for_user: the village's scope)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rules import visibility

from .access import event_condition
from .models import HouseholdEvent, Problem

visibility.register_page(
    HouseholdEvent,
    visibility.ItemPage(
        "assistance-household",
        reference="",
        opens=event_condition,
        target="household_id",
        steps={"visit": _("visit to the household")},
    ),
)
visibility.register_page(
    Problem,
    visibility.ItemPage(
        "assistance-problem",
        reference="",
        opens=visibility.scope_condition("village"),
        steps={"solve": _("solving the problem")},
    ),
)
