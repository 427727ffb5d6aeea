"""Reporting periods and their codes: 2025, 2025-H1, 2025-Q3, 2025-07, 2025-W27, 2025-07-02."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    code: str

    def has_ended(self, today: dt.date) -> bool:
        return today > self.end

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        first = 1 if half == 1 else 7
        return cls(dt.date(year, first, 1), _month_end(year, first + 5), f"{year}-H{half}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(dt.date(year, first, 1), _month_end(year, first + 2), f"{year}-Q{quarter}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")

    @classmethod
    def week(cls, iso_year: int, week: int) -> Period:
        monday = dt.date.fromisocalendar(iso_year, week, 1)
        return cls(monday, monday + dt.timedelta(days=6), f"{iso_year}-W{week:02d}")

    @classmethod
    def day(cls, day: dt.date) -> Period:
        return cls(day, day, day.isoformat())

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period of a code (raises ValueError for an unknown form)."""
        parts = code.split("-")
        year = int(parts[0])
        if len(parts) == 1:
            return cls.year(year)
        tail = parts[1]
        if len(parts) == 3:
            return cls.day(dt.date.fromisoformat(code))
        if tail.startswith("H"):
            return cls.half(year, int(tail[1:]))
        if tail.startswith("Q"):
            return cls.quarter(year, int(tail[1:]))
        if tail.startswith("W"):
            return cls.week(year, int(tail[1:]))
        return cls.month(year, int(tail))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


def subperiods(year: int, kind: str) -> Iterator[Period]:
    """The periods of a rule's period kind within a year (a year for anything coarser)."""
    if kind == "month":
        for month in range(1, 13):
            yield Period.month(year, month)
    elif kind == "quarter":
        for quarter in range(1, 5):
            yield Period.quarter(year, quarter)
    elif kind == "half_year":
        yield Period.half(year, 1)
        yield Period.half(year, 2)
    elif kind == "week":
        week = Period.week(*dt.date(year, 1, 4).isocalendar()[:2])
        while week.start.year <= year and week.end <= dt.date(year, 12, 31) + dt.timedelta(days=6):
            if week.start.isocalendar()[0] == year:
                yield week
            week = Period(
                week.start + dt.timedelta(days=7),
                week.end + dt.timedelta(days=7),
                "{}-W{:02d}".format(*(week.start + dt.timedelta(days=7)).isocalendar()[:2]),
            )
            if week.start.isocalendar()[0] != year:
                break
    else:
        yield Period.year(year)
