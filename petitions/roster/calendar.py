"""The roster of a month laid out as a calendar: weeks from Monday to Sunday, each day with
its duties in order of the time of day (who sits, for whom, appointments marked)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rules.periods import Period

from .models import DayPart, Reception

PART_ORDER = {DayPart.AM: 0, DayPart.DAY: 1, DayPart.PM: 2}


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    is_today: bool
    receptions: list[Reception] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


def month_weeks(
    period: Period, receptions: Iterable[Reception], today: dt.date
) -> list[list[CalendarDay]]:
    """The weeks that touch the month (days of the neighbouring months empty), each a list of
    seven days; the receptions are placed on their day, mornings first."""
    by_day: dict[dt.date, list[Reception]] = defaultdict(list)
    for reception in receptions:
        by_day[reception.date].append(reception)
    first = period.start - dt.timedelta(days=period.start.weekday())
    last = period.end + dt.timedelta(days=6 - period.end.weekday())
    weeks: list[list[CalendarDay]] = []
    day = first
    while day <= last:
        in_month = period.contains(day)
        rows = (
            sorted(by_day.get(day, []), key=lambda r: PART_ORDER.get(r.part, 3)) if in_month else []
        )
        if not weeks or len(weeks[-1]) == 7:
            weeks.append([])
        weeks[-1].append(CalendarDay(day, in_month, day == today, rows))
        day += dt.timedelta(days=1)
    return weeks


def neighbour_months(period: Period) -> tuple[Period, Period]:
    """The month before and the month after."""
    before = period.start - dt.timedelta(days=1)
    after = period.end + dt.timedelta(days=1)
    return Period.month(before.year, before.month), Period.month(after.year, after.month)
