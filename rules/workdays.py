"""Working days and calendar durations: the only place the code counts days.

A working day is Monday–Friday minus statutory holidays, plus adjusted working days (调休).
Day 1 of a working-day period is the first working day after the start date. A computation
that touches a year the calendar does not know raises `UnknownCalendarYear`: there is no
silent Monday-to-Friday guess.

Every due-date computation returns a `DueDate` whose `computation` explains itself: the days
skipped and why, the adjusted working days counted, the move off a rest day.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

WORKDAYS = "workdays"
DAYS = "days"
WEEKS = "weeks"
MONTHS = "months"
DURATION_UNITS = (WORKDAYS, DAYS, WEEKS, MONTHS)


class UnknownCalendarYear(Exception):  # noqa: N818  (a domain name, not "...Error")
    """A working-day question about a year whose holiday schedule has not been entered."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _(
                "The working-day calendar does not know the year %(year)s: its holidays and "
                "adjusted working days have not been entered. An administrator must enter the "
                "%(year)s schedule (Calendar page) before dates in %(year)s can be computed."
            )
            % {"year": year}
        )


@dataclass
class WorkCalendar:
    """The calendar as loaded from the database, one year at a time, for one computation
    or one batch (pass the same instance to many calls to load each year once)."""

    _years: dict[int, tuple[dict[dt.date, str], dict[dt.date, str]]] = field(default_factory=dict)

    def _year(self, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
        if year not in self._years:
            from .models import CalendarDay, CalendarYear, DayKind

            if not CalendarYear.objects.filter(year=year).exists():
                raise UnknownCalendarYear(year)
            holidays: dict[dt.date, str] = {}
            workdays: dict[dt.date, str] = {}
            for day in CalendarDay.objects.filter(year=year).only("date", "kind", "name"):
                target = holidays if day.kind == DayKind.HOLIDAY else workdays
                target[day.date] = day.name
            self._years[year] = (holidays, workdays)
        return self._years[year]

    def knows(self, year: int) -> bool:
        try:
            self._year(year)
        except UnknownCalendarYear:
            return False
        return True

    def is_workday(self, day: dt.date) -> bool:
        holidays, workdays = self._year(day.year)
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    def day_note(self, day: dt.date) -> tuple[str, str]:
        """(reason, name): 'holiday'/'weekend'/'workday'/'adjusted_workday' and a holiday name."""
        holidays, workdays = self._year(day.year)
        if day in workdays:
            return "adjusted_workday", workdays[day]
        if day in holidays:
            return "holiday", holidays[day]
        if day.weekday() >= 5:
            return "weekend", ""
        return "workday", ""

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day on or after `day`."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day


def _calendar_or_new(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else WorkCalendar()


def is_workday(day: dt.date, calendar: WorkCalendar | None = None) -> bool:
    return _calendar_or_new(calendar).is_workday(day)


def add_workdays(start: dt.date, n: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The n-th working day after `start` (day 1 is the first working day after it)."""
    return explain_workdays(start, n, calendar).due


def workdays_between(first: dt.date, last: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days after `first` up to and including `last` (negative if last < first)."""
    cal = _calendar_or_new(calendar)
    if last < first:
        return -workdays_between(last, first, cal)
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if cal.is_workday(day):
            count += 1
    return count


@dataclass
class DueDate:
    due: dt.date
    computation: dict[str, Any]


def _note(cal: WorkCalendar, day: dt.date) -> dict[str, str]:
    reason, name = cal.day_note(day)
    return {"date": day.isoformat(), "reason": reason, "name": name}


def explain_workdays(start: dt.date, n: int, calendar: WorkCalendar | None = None) -> DueDate:
    if n < 0:
        raise ValueError("n must not be negative")
    cal = _calendar_or_new(calendar)
    skipped: list[dict[str, str]] = []
    adjusted: list[dict[str, str]] = []
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        note = _note(cal, day)
        if cal.is_workday(day):
            counted += 1
            if note["reason"] == "adjusted_workday":
                adjusted.append(note)
        else:
            skipped.append(note)
    return DueDate(
        due=day,
        computation={
            "method": WORKDAYS,
            "start": start.isoformat(),
            "amount": n,
            "unit": WORKDAYS,
            "skipped": skipped,
            "adjusted": adjusted,
            "due": day.isoformat(),
        },
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later, clipped to the month's end (30 Nov + 3 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def raw_calendar_due(start: dt.date, amount: int, unit: str) -> dt.date:
    if unit == DAYS:
        return start + dt.timedelta(days=amount)
    if unit == WEEKS:
        return start + dt.timedelta(weeks=amount)
    if unit == MONTHS:
        return add_months(start, amount)
    raise ValueError(f"not a calendar duration unit: {unit}")


def explain_due(
    start: dt.date,
    amount: int,
    unit: str,
    *,
    roll_to_workday: bool = True,
    calendar: WorkCalendar | None = None,
) -> DueDate:
    """The due date of a duration from `start`, in working days or calendar days/weeks/months.

    A calendar duration ending on a rest day moves to the next working day when
    `roll_to_workday` is set (Civil Code art. 203), and the computation says so."""
    if unit == WORKDAYS:
        return explain_workdays(start, amount, calendar)
    if unit not in DURATION_UNITS:
        raise ValueError(f"unknown duration unit: {unit}")
    cal = _calendar_or_new(calendar)
    raw = raw_calendar_due(start, amount, unit)
    moved: list[dict[str, str]] = []
    due = raw
    if roll_to_workday:
        while not cal.is_workday(due):
            moved.append(_note(cal, due))
            due += dt.timedelta(days=1)
    else:
        cal.is_workday(raw)  # still refuse a year the calendar does not know
    return DueDate(
        due=due,
        computation={
            "method": "calendar",
            "start": start.isoformat(),
            "amount": amount,
            "unit": unit,
            "raw_due": raw.isoformat(),
            "roll_to_workday": roll_to_workday,
            "moved": moved,
            "adjusted": [_note(cal, raw)] if cal.day_note(raw)[0] == "adjusted_workday" else [],
            "due": due.isoformat(),
        },
    )
