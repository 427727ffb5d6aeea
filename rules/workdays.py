"""Working days and calendar durations: the only place the code counts days.

A working day is Monday–Friday minus statutory holidays, plus adjusted working days (调休).
Day 1 of a working-day period is the first working day after the start date. A computation
that touches a year the calendar does not know raises `UnknownCalendarYear`: there is no
silent Monday-to-Friday guess.

A deadline must nevertheless be set when it reaches into such a year (a 60-day limit started in
December): `WorkCalendar.with_provisional()` answers for an unknown year from the holidays the
law itself fixes (`statutory_holidays`), and the computation says so (`provisional`), so that
the date is shown as provisional and recomputed once the year is entered.

Every due-date computation returns a `DueDate` whose `computation` explains itself: the days
skipped and why, the adjusted working days counted, the move off a rest day.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


# --- The statutory holidays, for a year whose schedule is not entered yet -----------------------

#: The basis of a provisional calendar, as stored in a computation.
PROVISIONAL_BASIS = "statutory-holidays-2025"
#: A make-up day's name is the holiday's with this after it (春节补假).
MAKE_UP = "补假"


def _lunar(year: int, month: int, day: int) -> dt.date:
    from lunardate import LunarDate

    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> dt.date:
    from chinese_calendar import get_solar_terms

    for day, name in get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)):
        if name == "清明":
            return day
    raise ValueError(f"no Qingming found in {year}")  # pragma: no cover (always early April)


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The holidays 《全国年节及纪念日放假办法》 (as revised in 2024, in force from 2025) gives
    every citizen in `year` (date → name): New Year's Day 1 day, the Spring Festival 4 (lunar
    New Year's Eve to the third day), Qingming 1 (the solar term), Labour Day 2 (1–2 May),
    the Dragon Boat Festival 1 (lunar 5/5), the Mid-Autumn Festival 1 (lunar 8/15), National Day
    3 (1–3 October); and a make-up day for each that falls on a Saturday or Sunday.

    The law says such a holiday is made up on a working day (应当在工作日补假) and leaves the
    day to the State Council's schedule; the schedule also moves weekends to make longer
    breaks (调休), which no law fixes. The simplification: the make-up day is the first working
    day after the holiday, and there are no adjusted working days. `describe_computation` says
    so wherever a provisional date is shown."""
    new_year = _lunar(year, 1, 1)
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[new_year + dt.timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = "国庆节"
    holidays = {day: name for day, name in sorted(days.items()) if day.year == year}
    rest = dict(holidays)
    for day, name in holidays.items():
        if day.weekday() < 5:
            continue
        make_up = day + dt.timedelta(days=1)
        while make_up.weekday() >= 5 or make_up in rest:
            make_up += dt.timedelta(days=1)
        if make_up.year == year:
            rest[make_up] = f"{name}{MAKE_UP}"
    return dict(sorted(rest.items()))


@dataclass
class WorkCalendar:
    """The calendar as loaded from the database, one year at a time, for one computation
    or one batch (pass the same instance to many calls to load each year once).

    A calendar made by `with_provisional()` answers for a year the database does not know from
    `statutory_holidays` and remembers which years it guessed (`is_provisional`)."""

    _years: dict[int, tuple[dict[dt.date, str], dict[dt.date, str]]] = field(default_factory=dict)
    provisional: bool = False
    _guessed: dict[int, dict[dt.date, str]] = field(default_factory=dict)
    _lenient: WorkCalendar | None = field(default=None, repr=False)
    _adjusted: dict[int, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def for_batch(cls) -> WorkCalendar:
        """The calendar of the batch under way (`batch_calendar()`), else a new one."""
        shared = _batch.get()
        return shared if shared is not None else cls()

    def with_provisional(self) -> WorkCalendar:
        """A calendar sharing this one's known years that guesses the unknown ones (one per
        calendar, so that a batch loads and guesses each year once)."""
        if self.provisional:
            return self
        if self._lenient is None:
            self._lenient = WorkCalendar(_years=self._years, provisional=True)
        return self._lenient

    def is_provisional(self, year: int) -> bool:
        """True when this calendar answered for `year` from the statutory holidays."""
        return year in self._guessed

    def _year(self, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
        if year in self._guessed:
            return self._guessed[year], {}
        if year not in self._years:
            from .models import CalendarDay, CalendarYear, DayKind

            if not CalendarYear.objects.filter(year=year).exists():
                if not self.provisional:
                    raise UnknownCalendarYear(year)
                try:
                    self._guessed[year] = statutory_holidays(year)
                except ValueError as exc:  # beyond the lunar tables (after 2099)
                    raise UnknownCalendarYear(year) from exc
                return self._guessed[year], {}
            holidays: dict[dt.date, str] = {}
            workdays: dict[dt.date, str] = {}
            for day in CalendarDay.objects.filter(year=year).only("date", "kind", "name"):
                target = holidays if day.kind == DayKind.HOLIDAY else workdays
                target[day.date] = day.name
            self._years[year] = (holidays, workdays)
        return self._years[year]

    def load(self, years: Iterable[int]) -> WorkCalendar:
        """Read the entered years among `years` not read yet in two queries (not two per
        year); the others stay unknown (guessed or refused as each year would be)."""
        from .models import CalendarDay, CalendarYear, DayKind

        wanted = {year for year in years if year not in self._years}
        if not wanted:
            return self
        known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
        loaded: dict[int, tuple[dict[dt.date, str], dict[dt.date, str]]] = {
            year: ({}, {}) for year in known
        }
        days = CalendarDay.objects.filter(year__in=known).values_list(
            "year", "date", "kind", "name"
        )
        for year, date, kind, name in days if known else ():
            holidays, workdays = loaded[year]
            (holidays if kind == DayKind.HOLIDAY else workdays)[date] = name
        self._years.update(loaded)
        return self

    def adjustments(self, year: int) -> tuple[list[dt.date], list[dt.date]]:
        """(holidays on a weekday, adjusted working days on a weekend) of `year`, sorted: what
        turns the count of weekdays into the count of working days."""
        holidays, workdays = self._year(year)
        key = (year, id(holidays), id(workdays))
        cached = self._adjusted.get(year)
        if cached is None or cached[0] != key:
            off = sorted(d for d in holidays if d.weekday() < 5 and d not in workdays)
            on = sorted(d for d in workdays if d.weekday() >= 5)
            cached = (key, off, on)
            self._adjusted[year] = cached
        return cached[1], cached[2]

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


_batch: ContextVar[WorkCalendar | None] = ContextVar("workdays_batch", default=None)


@contextmanager
def batch_calendar() -> Iterator[WorkCalendar]:
    """One calendar for every `WorkCalendar.for_batch()` inside the block (a compliance table:
    its evaluators load each year once between them)."""
    calendar = _batch.get() or WorkCalendar()
    token = _batch.set(calendar)
    try:
        yield calendar
    finally:
        _batch.reset(token)


def _calendar_or_new(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else WorkCalendar()


def is_workday(day: dt.date, calendar: WorkCalendar | None = None) -> bool:
    return _calendar_or_new(calendar).is_workday(day)


def add_workdays(start: dt.date, n: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The n-th working day after `start` (day 1 is the first working day after it)."""
    return explain_workdays(start, n, calendar).due


def _weekdays(first: dt.date, last: dt.date) -> int:
    """Mondays to Fridays after `first` up to and including `last` (first <= last)."""
    days = (last - first).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = first.weekday()
    for offset in range(1, rest + 1):  # at most six days
        count += (weekday + offset) % 7 < 5
    return count


def workdays_between(first: dt.date, last: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days after `first` up to and including `last` (negative if last < first).

    Counted by arithmetic, not day by day: the weekdays in between, less the holidays that
    fall on a weekday, plus the adjusted working days that fall on a weekend (each year's
    sorted lists, searched by bisection). A year in between the calendar does not know raises
    `UnknownCalendarYear`, as a walk through its days would."""
    cal = _calendar_or_new(calendar)
    if last < first:
        return -workdays_between(last, first, cal)
    if last == first:
        return 0
    count = _weekdays(first, last)
    start = first + dt.timedelta(days=1)
    for year in range(start.year, last.year + 1):
        off, on = cal.adjustments(year)
        low, high = max(start, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        count -= bisect_right(off, high) - bisect_left(off, low)
        count += bisect_right(on, high) - bisect_left(on, low)
    return count


@dataclass
class DueDate:
    due: dt.date
    computation: dict[str, Any]

    @property
    def provisional(self) -> bool:
        return bool(self.computation.get("provisional"))


def _mark_provisional(
    computation: dict[str, Any], cal: WorkCalendar, first: dt.date, last: dt.date
) -> None:
    """Record in the computation the years of [first, last] answered provisionally, with the
    holidays assumed in them (the explanation lists them)."""
    years = [y for y in range(first.year, last.year + 1) if cal.is_provisional(y)]
    if not years:
        return
    computation["provisional"] = {
        "basis": PROVISIONAL_BASIS,
        "years": years,
        "holidays": {
            day.isoformat(): name
            for year in years
            for day, name in cal._year(year)[0].items()
            if first <= day <= last
        },
    }


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
    computation = {
        "method": WORKDAYS,
        "start": start.isoformat(),
        "amount": n,
        "unit": WORKDAYS,
        "skipped": skipped,
        "adjusted": adjusted,
        "due": day.isoformat(),
    }
    _mark_provisional(computation, cal, start + dt.timedelta(days=1), max(day, start))
    return DueDate(due=day, computation=computation)


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
    computation = {
        "method": "calendar",
        "start": start.isoformat(),
        "amount": amount,
        "unit": unit,
        "raw_due": raw.isoformat(),
        "roll_to_workday": roll_to_workday,
        "moved": moved,
        "adjusted": [_note(cal, raw)] if cal.day_note(raw)[0] == "adjusted_workday" else [],
        "due": due.isoformat(),
    }
    _mark_provisional(computation, cal, raw, due)
    return DueDate(due=due, computation=computation)


# --- Describing a computation to people -------------------------------------------------------

# More weekend runs than this are summarised as a count: a long period skips many weekends
# and listing each one buries the holidays that matter.
_MAX_WEEKEND_RUNS_LISTED = 6


def format_day(value: str | dt.date) -> str:
    """A date the local way (2026年10月8日 in Chinese), from a date or an ISO string."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "DATE_FORMAT")


def format_span(first: str | dt.date, last: str | dt.date) -> str:
    if first == last:
        return format_day(first)
    return _("%(first)s – %(last)s") % {"first": format_day(first), "last": format_day(last)}


def describe_duration(amount: int, unit: str) -> str:
    """'3 working days', '15 days', '1 week', '3 months' (translated)."""
    if unit == WORKDAYS:
        text = ngettext("%(n)d working day", "%(n)d working days", amount)
    elif unit == DAYS:
        text = ngettext("%(n)d day", "%(n)d days", amount)
    elif unit == WEEKS:
        text = ngettext("%(n)d week", "%(n)d weeks", amount)
    elif unit == MONTHS:
        text = ngettext("%(n)d month", "%(n)d months", amount)
    else:
        return f"{amount} {unit}"
    return text % {"n": amount}


def describe_day_reason(reason: str, name: str = "") -> str:
    """Why a day is (not) a working day: '国庆节 holiday', 'weekend', 'adjusted working day'."""
    if reason == "holiday":
        return _("%(name)s holiday") % {"name": name} if name else _("holiday")
    if reason == "weekend":
        return _("weekend")
    if reason == "adjusted_workday":
        if name:
            return _("adjusted working day for %(name)s") % {"name": name}
        return _("adjusted working day")
    return _("working day")


def _runs(notes: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """Group consecutive days with the same reason and name: (first, last, reason, name)."""
    runs: list[tuple[str, str, str, str]] = []
    for note in notes:
        day = dt.date.fromisoformat(note["date"])
        reason, name = note.get("reason", ""), note.get("name", "")
        if runs:
            first, last, last_reason, last_name = runs[-1]
            follows = dt.date.fromisoformat(last) + dt.timedelta(days=1) == day
            if follows and (reason, name) == (last_reason, last_name):
                runs[-1] = (first, note["date"], reason, name)
                continue
        runs.append((note["date"], note["date"], reason, name))
    return runs


def _describe_skipped(computation: dict[str, Any]) -> list[str]:
    skipped = computation.get("skipped", [])
    holidays = [note for note in skipped if note.get("reason") != "weekend"]
    weekends = [note for note in skipped if note.get("reason") == "weekend"]
    # Holidays and adjusted working days in date order; weekends summarised after them.
    dated = [
        (
            first,
            _("Skipped %(span)s: %(reason)s.")
            % {"span": format_span(first, last), "reason": describe_day_reason(reason, name)},
        )
        for first, last, reason, name in _runs(holidays)
    ]
    dated += [
        (
            note["date"],
            _("Counted %(day)s: %(reason)s.")
            % {
                "day": format_day(note["date"]),
                "reason": describe_day_reason("adjusted_workday", note.get("name", "")),
            },
        )
        for note in computation.get("adjusted", [])
    ]
    lines = [line for _day, line in sorted(dated)]
    if weekends:
        runs = _runs(weekends)
        count = len(weekends)
        if len(runs) > _MAX_WEEKEND_RUNS_LISTED:
            text = ngettext(
                "Skipped %(count)d weekend day.", "Skipped %(count)d weekend days.", count
            )
            lines.append(text % {"count": count})
        else:
            spans = _(", ").join(format_span(first, last) for first, last, _r, _n in runs)
            text = ngettext(
                "Skipped %(count)d weekend day: %(days)s.",
                "Skipped %(count)d weekend days: %(days)s.",
                count,
            )
            lines.append(text % {"count": count, "days": spans})
    return lines


def _describe_calendar_end(computation: dict[str, Any]) -> list[str]:
    start = computation.get("effective_start") or computation["start"]
    raw = computation.get("raw_due") or computation["due"]
    values = {
        "duration": describe_duration(computation["amount"], computation["unit"]),
        "start": format_day(start),
        "raw": format_day(raw),
        "due": format_day(computation["due"]),
    }
    moved = computation.get("moved", [])
    adjusted = computation.get("adjusted", [])
    if moved:
        values["reason"] = describe_day_reason(moved[0]["reason"], moved[0].get("name", ""))
        line = _(
            "%(duration)s after %(start)s is %(raw)s, which falls on a rest day (%(reason)s); "
            "moved to the next working day, %(due)s."
        )
    elif not computation.get("roll_to_workday", True):
        line = _(
            "%(duration)s after %(start)s is %(raw)s; under this rule a due date on a rest day "
            "does not move."
        )
    elif adjusted:
        values["reason"] = describe_day_reason("adjusted_workday", adjusted[0].get("name", ""))
        line = _("%(duration)s after %(start)s is %(raw)s, a working day: %(reason)s.")
    else:
        line = _("%(duration)s after %(start)s is %(raw)s, a working day.")
    lines = [line % values]
    start_day, raw_day = dt.date.fromisoformat(start), dt.date.fromisoformat(raw)
    if computation["unit"] == MONTHS and raw_day.day != start_day.day:
        lines.append(
            _("That month has no day %(day)s, so the period ends on the month's last day.")
            % {"day": start_day.day}
        )
    return lines


def _describe_changes(computation: dict[str, Any], unit: str) -> list[str]:
    """Extension and pauses, as the clock code records them."""
    lines: list[str] = []
    extension = computation.get("extension")
    if extension and extension.get("amount"):
        values = {
            "duration": describe_duration(int(extension["amount"]), extension.get("unit") or unit),
            "reason": extension.get("reason", ""),
        }
        if values["reason"]:
            lines.append(_("Extended by %(duration)s. Reason: %(reason)s") % values)
        else:
            lines.append(_("Extended by %(duration)s.") % values)
    for pause in computation.get("pauses", []):
        values = {
            "first": format_day(pause["from"]),
            "last": format_day(pause["to"]) if pause.get("to") else "",
            "duration": describe_duration(int(pause.get("days", 0)), unit),
            "reason": pause.get("reason", ""),
        }
        if values["last"]:
            line = _("Paused from %(first)s to %(last)s (%(duration)s). Reason: %(reason)s")
        else:
            line = _("Paused since %(first)s. Reason: %(reason)s")
        lines.append(line % values)
    return lines


def provisional_years(computation: dict[str, Any] | None) -> list[int]:
    """The years a stored computation answered for provisionally (empty when it is not)."""
    marker = (computation or {}).get("provisional") or {}
    return [int(year) for year in marker.get("years", [])]


def _years_text(years: list[int]) -> str:
    return "、".join(str(year) for year in years)


def provisional_reason(computation: dict[str, Any] | None) -> str:
    """One sentence for a provisional badge's hover text; empty for a date that is not."""
    years = provisional_years(computation)
    if not years:
        return ""
    return _(
        "Provisional: the %(years)s holiday schedule has not been entered; this date counts "
        "the statutory holidays only and is recomputed when the schedule is entered."
    ) % {"years": _years_text(years)}


def describe_provisional(computation: dict[str, Any] | None) -> list[str]:
    """Why a date is provisional and what it assumed, in words (the computation's last lines)."""
    years = provisional_years(computation)
    if not years:
        return []
    values = {"years": _years_text(years)}
    lines = [
        _(
            "Provisional date: the working-day calendar does not know %(years)s yet. It counts "
            "only the holidays the law fixes (New Year's Day; the Spring Festival from lunar "
            "New Year's Eve to the third day; Qingming; Labour Day, 1–2 May; the Dragon Boat "
            "Festival; the Mid-Autumn Festival; National Day, 1–3 October) and weekends."
        )
        % values,
        _(
            "Simplified: a holiday falling on a weekend is made up on the next working day, and "
            "no weekend is an adjusted working day. The State Council's schedule decides both; "
            "the date is recomputed when an administrator enters the %(years)s schedule."
        )
        % values,
    ]
    marker = (computation or {}).get("provisional") or {}
    notes = [
        {"date": day, "reason": "holiday", "name": name}
        for day, name in sorted((marker.get("holidays") or {}).items())
    ]
    if notes:
        spans = _(", ").join(
            _("%(span)s (%(name)s)") % {"span": format_span(first, last), "name": name}
            for first, last, _reason, name in _runs(notes)
        )
        lines.append(_("Holidays assumed: %(days)s.") % {"days": spans})
    return lines


def describe_computation(computation: dict[str, Any]) -> list[str]:
    """Human lines explaining a due-date computation (as stored on a clock), translated.

    Works on the dicts `explain_due` returns and on the clock code's additions (`extension`,
    `pauses`, `base_amount`, `effective_start`); unknown keys are ignored."""
    if not computation or "due" not in computation or "start" not in computation:
        return []
    unit = computation.get("unit", WORKDAYS)
    total = int(computation.get("amount", 0))
    base = int(computation.get("base_amount", total))
    values = {"start": format_day(computation["start"]), "duration": describe_duration(base, unit)}
    if unit == WORKDAYS:
        lines = [
            _(
                "Start: %(start)s; period: %(duration)s (day 1 is the first working day after "
                "the start)."
            )
            % values
        ]
    else:
        lines = [_("Start: %(start)s; period: %(duration)s.") % values]
    lines += _describe_changes(computation, unit)
    if unit == WORKDAYS:
        if total != base:
            lines.append(
                _("In all, %(duration)s are counted.")
                % {"duration": describe_duration(total, unit)}
            )
        lines += _describe_skipped(computation)
    else:
        lines += _describe_calendar_end(computation)
    lines.append(_("Due: %(due)s.") % {"due": format_day(computation["due"])})
    return lines + describe_provisional(computation)
