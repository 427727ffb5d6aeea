from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .models import Role
from .timeutil import today as local_today
from .today import panels_for

# What the page will hold for each role once the apps add their panels.
ROLE_HINTS: dict[str, Any] = {
    Role.PETITION_OFFICE: _(
        "Petitions received today, the leaders' reception roster, appointment receptions and "
        "matters whose reply is due will show here."
    ),
    Role.UNIT_STAFF: _(
        "Matters assigned to your unit, replies due soon and the visits and pairing contacts "
        "your cadres owe will show here."
    ),
    Role.LEADER: _(
        "Your reception duty, today's appointments, your quota progress and the pairing visits "
        "you owe will show here."
    ),
    Role.SUPERVISOR: _(
        "Deadlines about to pass and overdue matters across the units you supervise will show here."
    ),
    Role.ADMIN: _(
        "Working-day calendar years still missing, rule packs and accounts that need attention "
        "will show here."
    ),
}


def today(request: HttpRequest) -> HttpResponse:
    return today_page(request, local_today())


def today_page(request: HttpRequest, day: dt.date) -> HttpResponse:
    """The start page for `day`. Each panel is rendered with the context its app returned, so a
    panel template sees exactly that context (plus the request's) and can also answer an htmx
    request on its own."""
    panels = [
        {**panel, "html": render_to_string(panel["template"], panel["context"], request=request)}
        for panel in panels_for(request, day)
    ]
    user: Any = request.user
    roles = [*user.role_list] + ([Role.ADMIN] if user.is_superuser else [])
    hints = [ROLE_HINTS[role] for role in dict.fromkeys(roles) if role in ROLE_HINTS]
    context = {"today": day, "panels": panels, "hints": hints}
    return render(request, "directory/today.html", context)
