"""The festivals whose visits are open on a day: the Spring Festival from the working-day
calendar (its first holiday), and the festivals an administrator lists (assistance.Festival).

A festival's window runs from `lead_days` before it up to the day itself; the festival job
(`festival_visits` command, queue task) opens the visits of the festivals whose window
contains today. An administrator's own row named 春节 replaces the calendar's for that year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from directory.base import split_codes
from directory.models import HouseholdCategory
from rules.models import CalendarDay, CalendarYear, DayKind
from rules.workdays import statutory_holidays

from .models import Festival

SPRING_FESTIVAL = "春节"
#: The households that need a Spring Festival visit (送温暖): the hardship categories.
SPRING_FESTIVAL_CATEGORIES = (
    HouseholdCategory.MONITORED,
    HouseholdCategory.ALLEVIATED,
    HouseholdCategory.URBAN_HARDSHIP,
    HouseholdCategory.VULNERABLE,
)


@dataclass(frozen=True)
class FestivalWindow:
    name: str
    date: dt.date
    opens: dt.date
    categories: tuple[str, ...]


def spring_festival_lead_days() -> int:
    return int(getattr(settings, "ASSISTANCE_SPRING_FESTIVAL_LEAD_DAYS", 10))


def spring_festival(year: int) -> dt.date | None:
    """The first day of the Spring Festival holiday of `year` in the calendar; for a year whose
    schedule is not entered yet, the first statutory day (lunar New Year's Eve)."""
    day = (
        CalendarDay.objects.filter(year=year, kind=DayKind.HOLIDAY, name=SPRING_FESTIVAL)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if day is None and not CalendarYear.objects.filter(year=year).exists():
        days = statutory_holidays(year)
        day = min(d for d, name in days.items() if name == SPRING_FESTIVAL)
    return day


def festivals_around(today: dt.date) -> list[FestivalWindow]:
    windows: list[FestivalWindow] = []
    listed = Festival.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=366))
    for festival in listed.order_by("date", "pk"):
        opens = festival.date - dt.timedelta(days=festival.lead_days)
        if opens <= today:
            categories = tuple(split_codes(festival.categories))
            windows.append(FestivalWindow(festival.name, festival.date, opens, categories))
    if any(window.name == SPRING_FESTIVAL for window in windows):
        return windows
    for year in (today.year, today.year + 1):
        day = spring_festival(year)
        if day is None:
            continue
        opens = day - dt.timedelta(days=spring_festival_lead_days())
        if opens <= today <= day:
            windows.append(FestivalWindow(SPRING_FESTIVAL, day, opens, SPRING_FESTIVAL_CATEGORIES))
    return windows
