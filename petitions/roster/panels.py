"""Panels of the today page: a leader's reception duties of the coming week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.today import register_panel

from .models import Reception

WEEK = 7  # a display window, not a duty threshold


def my_duties_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    person_id = getattr(request.user, "person_id", None)
    if not person_id:
        return None
    duties = list(
        Reception.objects.filter(
            person_id=person_id, date__gte=today, date__lt=today + dt.timedelta(days=WEEK)
        )
        .select_related("unit")
        .order_by("date", "part")[:10]
    )
    return {"duties": duties, "today": today} if duties else None


register_panel("reception-duties", "petitions/_today_duties.html", my_duties_context, order=20)
