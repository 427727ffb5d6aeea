"""Writes and reads of the working-day calendar administration.

Saving a year replaces its exception rows (holidays and adjusted working days), marks the year as
entered by an administrator and recomputes the open deadlines that touch the year, all in one
transaction: a half-saved schedule or stale due dates would be worse than no change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import formats
from django.utils.translation import gettext

from .models import CalendarDay, CalendarSource, CalendarYear, DayKind

Schedule = Mapping[dt.date, str]


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def validate_schedule(
    *, year: int, holidays: Schedule, workdays: Schedule, require_holidays: bool = True
) -> dict[str, list[str]]:
    """Messages per field ("holidays", "workdays") for a year's schedule; empty when valid.

    A holiday on a weekend is accepted: official schedules list the whole break, weekend days
    included. An adjusted working day on a weekday is refused: it would change nothing, so it
    is a typing error."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if require_holidays and not holidays:
        add(
            "holidays",
            gettext(
                "Enter the year's holidays: a year without any holiday is almost certainly "
                "a mistake."
            ),
        )
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        for day in sorted(days):
            if day.year != year:
                add(
                    field, gettext("%(day)s is not in %(year)s.") % {"day": _day(day), "year": year}
                )
    for day in sorted(set(holidays) & set(workdays)):
        add(
            "workdays",
            gettext("%(day)s cannot be both a holiday and an adjusted working day.")
            % {"day": _day(day)},
        )
    for day in sorted(workdays):
        if day.weekday() < 5:
            add(
                "workdays",
                gettext(
                    "%(day)s is a %(weekday)s and already a working day; an adjusted working "
                    "day must be a Saturday or a Sunday."
                )
                % {"day": _day(day), "weekday": formats.date_format(day, "l")},
            )
    return errors


@dataclass(frozen=True)
class YearReplaced:
    calendar_year: CalendarYear
    created: bool
    added: int
    changed: int
    removed: int
    clocks_changed: int


def _wanted(holidays: Schedule, workdays: Schedule) -> dict[dt.date, tuple[str, str]]:
    wanted = {day: (DayKind.HOLIDAY.value, name) for day, name in holidays.items()}
    wanted.update({day: (DayKind.WORKDAY.value, name) for day, name in workdays.items()})
    return wanted


def _save_day(day: CalendarDay, acting_user: Any, reason: str) -> None:
    day.full_clean()
    day._change_reason = reason
    day._history_user = acting_user
    day.save()


def _replace_days(
    *, year: int, wanted: dict[dt.date, tuple[str, str]], acting_user: Any
) -> tuple[int, int, int]:
    """Make the year's rows equal `wanted`; untouched rows keep their history clean.

    Rows are deleted one by one through the ORM (not a queryset delete) so that simple-history
    records each removal with who did it: the history then answers "who took 2 October off
    the calendar"."""
    added = changed = removed = 0
    existing = {row.date: row for row in CalendarDay.objects.filter(year=year)}
    for date, row in existing.items():
        if date not in wanted:
            row._change_reason = f"calendar {year}: removed by an administrator"
            row._history_user = acting_user
            row.delete()
            removed += 1
        elif (row.kind, row.name) != wanted[date]:
            row.kind, row.name = wanted[date]
            _save_day(row, acting_user, f"calendar {year}: changed by an administrator")
            changed += 1
    for date, (kind, name) in sorted(wanted.items()):
        if date not in existing:
            row = CalendarDay(date=date, year=year, kind=kind, name=name)
            _save_day(row, acting_user, f"calendar {year}: added by an administrator")
            added += 1
    return added, changed, removed


@transaction.atomic
def calendar_year_replace(
    *,
    year: int,
    holidays: Schedule,
    workdays: Schedule,
    acting_user: Any,
    note: str = "",
) -> YearReplaced:
    """Enter or replace a whole year's schedule and recompute the open deadlines it touches,
    the provisional ones among them (computed before the year was known).

    Raises ValidationError (nothing saved) for a schedule `validate_schedule` refuses. A
    deadline reaching into a year still unknown stays provisional."""
    from .clocks import clocks_recompute_open  # clocks import the calendar; avoid a cycle

    errors = validate_schedule(year=year, holidays=holidays, workdays=workdays)
    if errors:
        raise ValidationError(errors)
    added, changed, removed = _replace_days(
        year=year, wanted=_wanted(holidays, workdays), acting_user=acting_user
    )
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    created = calendar_year is None
    if calendar_year is None:
        calendar_year = CalendarYear(year=year)
    calendar_year.source = CalendarSource.ADMIN
    calendar_year.note = note
    calendar_year.full_clean()
    calendar_year._change_reason = (
        f"calendar {year} entered by an administrator"
        if created
        else f"calendar {year} changed by an administrator"
    )
    calendar_year._history_user = acting_user
    calendar_year.save()
    clocks_changed = clocks_recompute_open(years=[year], acting_user=acting_user)
    return YearReplaced(calendar_year, created, added, changed, removed, clocks_changed)


def year_schedule(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """(holidays, adjusted working days) of a year as date → name."""
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for row in CalendarDay.objects.filter(year=year).only("date", "kind", "name"):
        (holidays if row.kind == DayKind.HOLIDAY else workdays)[row.date] = row.name
    return holidays, workdays


def calendar_day_set(
    *, year: int, day: dt.date, kind: str, name: str, acting_user: Any
) -> YearReplaced:
    """Make one day of a known year a holiday, an adjusted working day, or (any other `kind`)
    an ordinary day. Goes through `calendar_year_replace` so that the same checks, history and
    recomputation apply."""
    calendar_year = CalendarYear.objects.filter(year=year).first()
    if calendar_year is None:
        raise ValidationError(
            gettext("Enter the whole %(year)s schedule before editing single days.")
            % {"year": year}
        )
    holidays, workdays = year_schedule(year)
    holidays.pop(day, None)
    workdays.pop(day, None)
    if kind == DayKind.HOLIDAY:
        holidays[day] = name
    elif kind == DayKind.WORKDAY:
        workdays[day] = name
    return calendar_year_replace(
        year=year,
        holidays=holidays,
        workdays=workdays,
        acting_user=acting_user,
        note=calendar_year.note,
    )


# --- Reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    year: int
    source: str
    source_label: str
    note: str
    updated_at: dt.datetime
    holidays: int
    workdays: int


def year_summaries() -> list[YearSummary]:
    """Every known year with its counts of holidays and adjusted working days (two queries)."""
    counts: dict[tuple[int, str], int] = {
        (row["year"], row["kind"]): row["n"]
        for row in CalendarDay.objects.values("year", "kind").annotate(n=Count("pk")).order_by()
    }
    return [
        YearSummary(
            year=cy.year,
            source=cy.source,
            source_label=cy.get_source_display(),
            note=cy.note,
            updated_at=cy.updated_at,
            holidays=counts.get((cy.year, DayKind.HOLIDAY), 0),
            workdays=counts.get((cy.year, DayKind.WORKDAY), 0),
        )
        for cy in CalendarYear.objects.order_by("-year")
    ]


def year_months(year: int) -> list[dict[str, Any]]:
    """The year's exception days grouped by month (months without any are left out)."""
    months: dict[int, list[CalendarDay]] = {}
    for row in CalendarDay.objects.filter(year=year).order_by("date"):
        months.setdefault(row.date.month, []).append(row)
    return [
        {"month": dt.date(year, month, 1), "days": days} for month, days in sorted(months.items())
    ]


def year_history(year: int, limit: int = 20) -> list[Any]:
    """The latest changes to the year's days, newest first, with who made them."""
    return list(
        CalendarDay.history.filter(year=year)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
