"""The "today" panel of deadlines: open clocks in the user's scope that are overdue or due soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.today import register_panel

from .deadline_rows import deadline_rows
from .models import Clock

DUE_SOON_DAYS = 7  # a display window for the panel, not a duty threshold


def deadlines_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    # a few clocks in order: their items checked clock by clock, not against every visible item
    clocks = list(
        Clock.objects.open()
        .visible_to(request.user, per_row=True)
        .filter(due__lte=horizon)
        .select_related("rule", "unit", "content_type")
        .order_by("due", "pk")[:20]
    )
    return {"rows": deadline_rows(clocks, user=request.user, today=today), "today": today}


register_panel("deadlines", "rules/_today_deadlines.html", deadlines_context, order=10)
