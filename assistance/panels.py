"""The today panel of a paired cadre: households overdue for contact and open four-musts visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.today import register_panel

from .selectors import my_households


def households_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    user: Any = request.user
    if not user.person_id:
        return None
    rows = [row for row in my_households(user.person, today) if row.attention]
    if not rows:
        return None
    return {"rows": rows[:10], "more": len(rows) > 10, "today": today}


register_panel(
    "assistance-overdue", "assistance/_today_households.html", households_context, order=25
)
