"""Today panel: the appeals a unit must answer, soonest due first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.access import scope_for
from directory.models import Role
from directory.today import register_panel
from rules.models import with_provisional_due

from .models import Appeal

SHOWN = 10  # a display limit, not a duty threshold


def appeals_due_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    user = request.user
    if not user.unit_id:
        return None
    # Appeals assigned to a unit in the user's scope, and only those the pages show them.
    appeals = list(
        with_provisional_due(scope_for(user).filter(Appeal.objects.visible_to(user).open(), "unit"))
        .select_related("category")
        .order_by("due", "ref")[:SHOWN]
    )
    return {"appeals": appeals, "today": today} if appeals else None


register_panel(
    "appeals-due",
    "petitions/appeals/_today_appeals.html",
    appeals_due_context,
    roles=(Role.UNIT_STAFF,),
    order=22,
)
