"""The calendar's navigation entry and the administrators' "today" panels: the loud warning that
the next year's holiday schedule has not been entered, and the deliveries given up and deadlines
the scan could not decide. Imported once from RulesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory import navigation
from directory.timeutil import today as local_today
from directory.today import register_panel

from .models import (
    CalendarYear,
    Clock,
    Delivery,
    DeliveryState,
    Reminder,
    ReminderSkip,
    ReminderState,
)

#: From this month on, the today page asks administrators to enter next year's schedule.
WARN_FROM_MONTH = 11


def warning_year(today: dt.date, known: Collection[int]) -> int | None:
    """The year an administrator must enter now, given the years the calendar knows.

    The current year when it is missing (a deployment, or a warning ignored into January);
    otherwise next year from 1 November: the State Council usually publishes the schedule in
    November, and deadlines started then already reach into next year (provisionally, until
    the year is entered)."""
    if today.year not in known:
        return today.year
    if today.month >= WARN_FROM_MONTH and today.year + 1 not in known:
        return today.year + 1
    return None


def missing_next_year_warning(today: dt.date) -> int | None:
    """The year to enter now (see `warning_year`), or None when nothing is missing."""
    wanted = (today.year, today.year + 1)
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return warning_year(today, known)


def enter_year_url(year: int) -> str:
    return f"{reverse('calendar-year-new')}?year={year}"


def _panel_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    year = missing_next_year_warning(today)
    if year is None:
        return None
    return {
        "missing_year": year,
        "current": year == today.year,
        "enter_url": enter_year_url(year),
        "provisional": Clock.objects.running().provisional().count(),
    }


navigation.register(
    _("Working-day calendar"), "calendar-list", group="system", roles=("admin",), order=80
)
register_panel(
    "calendar-missing-year",
    "rules/_today_calendar.html",
    _panel_context,
    roles=("admin",),
    order=10,
)


def _deliveries_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    dead = Delivery.objects.filter(state=DeliveryState.DEAD).count()
    dead += Reminder.objects.filter(state=ReminderState.DEAD).count()
    # The scan's own "today" (FROZEN_TODAY in tests and demonstrations), which it records.
    undecided = ReminderSkip.objects.filter(day=local_today()).count()
    if not dead and not undecided:
        return None
    return {"dead": dead, "undecided": undecided, "url": reverse("delivery-problems")}


register_panel(
    "delivery-problems",
    "rules/_today_deliveries.html",
    _deliveries_context,
    roles=("admin",),
    order=11,
)
