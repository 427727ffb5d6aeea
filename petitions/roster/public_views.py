"""Pages without login: the published reception roster and the lobby screen. Only what may be
published is shown: date, time of day, place, the leader's name and post — never phones,
notes, appointments or petitions."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..matters.forms import today
from .models import Reception, ReceptionKind, describe_slot

PUBLIC_DAYS = 14
LOBBY_DAYS = 7


def _published(first: dt.date, days: int, kinds: tuple[str, ...]) -> list[dict]:
    receptions = (
        Reception.objects.published()
        .filter(kind__in=kinds, date__gte=first, date__lt=first + dt.timedelta(days=days))
        .select_related("unit", "person")
        .order_by("date", "part", "unit__path")
    )
    return [describe_slot(r) for r in receptions]


def public_roster(request: HttpRequest) -> HttpResponse:
    day = today()
    kinds = (ReceptionKind.BUREAU_SITTING, ReceptionKind.TOWNSHIP_DUTY)
    context = {"slots": _published(day, PUBLIC_DAYS, kinds), "today": day, "days": PUBLIC_DAYS}
    return render(request, "petitions/public_roster.html", context)


def public_lobby(request: HttpRequest) -> HttpResponse:
    day = today()
    slots = _published(day, LOBBY_DAYS, (ReceptionKind.BUREAU_SITTING,))
    context = {
        "today_slots": [s for s in slots if s["date"] == day],
        "week_slots": [s for s in slots if s["date"] != day],
        "today": day,
    }
    return render(request, "petitions/public_lobby.html", context)
