"""Forms of the working-day calendar: a whole year's schedule as lines of text, and one day.

A schedule line is `YYYY-MM-DD name` or a range `YYYY-MM-DD..YYYY-MM-DD name`; `~`, `～`, `至`,
`到` and dashes also separate a range, entries may be separated by newlines or (full-width)
semicolons, and full-width digits and spaces are accepted, because administrators copy the
schedule out of the State Council notice or a word-processor document."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, DayKind
from .services_calendar import validate_schedule

# A longer range is almost always a typing error (the longest break, Spring Festival, is 9 days).
MAX_RANGE_DAYS = 31
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length

_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_DATE_PARTS = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_RANGE_SEPARATOR = r"\s*(?:\.\.|~|〜|至|到|–|—|-)\s*"
_ENTRY = re.compile(rf"^(?P<first>{_DATE})(?:{_RANGE_SEPARATOR}(?P<last>{_DATE}))?(?P<name>.*)$")
_ENTRY_SEPARATORS = re.compile(r"[\n;]+")


class ScheduleError(ValueError):
    pass


def _parse_date(text: str) -> dt.date:
    match = _DATE_PARTS.match(text)
    if match is None:
        raise ScheduleError(gettext("%(value)s is not a date.") % {"value": text})
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ScheduleError(gettext("%(value)s is not a valid date.") % {"value": text}) from exc


def _parse_entry(entry: str) -> tuple[list[dt.date], str]:
    match = _ENTRY.match(entry)
    if match is None:
        raise ScheduleError(
            gettext(
                "Not a date or a date range. Write “YYYY-MM-DD name” or "
                "“YYYY-MM-DD..YYYY-MM-DD name”."
            )
        )
    first = _parse_date(match["first"])
    last = _parse_date(match["last"]) if match["last"] else first
    if last < first:
        raise ScheduleError(gettext("The range ends before it begins."))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ScheduleError(
            gettext("A range longer than %(max)d days is most likely a typing error.")
            % {"max": MAX_RANGE_DAYS}
        )
    name = match["name"].strip(" \t,，、:：")
    if len(name) > NAME_MAX_LENGTH:
        raise ScheduleError(
            gettext("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    return days, name


def parse_schedule(text: str) -> tuple[dict[dt.date, str], list[str]]:
    """Days (date → name) of the entries in `text`, and one error message per bad entry."""
    days: dict[dt.date, str] = {}
    errors: list[str] = []
    normalised = unicodedata.normalize("NFKC", text or "").replace("\r", "")
    for raw in _ENTRY_SEPARATORS.split(normalised):
        entry = raw.strip()
        if not entry:
            continue
        try:
            entry_days, name = _parse_entry(entry)
        except ScheduleError as exc:
            errors.append(gettext("“%(entry)s”: %(error)s") % {"entry": entry, "error": exc})
            continue
        for day in entry_days:
            if day in days:
                errors.append(gettext("%(day)s is listed twice.") % {"day": day.isoformat()})
            days[day] = name
    return days, errors


def format_schedule(days: dict[dt.date, str]) -> str:
    """The inverse of `parse_schedule`: one line per run of consecutive days with one name."""
    lines: list[str] = []
    runs: list[list[Any]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day and runs[-1][2] == days[day]:
            runs[-1][1] = day
        else:
            runs.append([day, day, days[day]])
    for first, last, name in runs:
        dates = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        lines.append(f"{dates} {name}".rstrip())
    return "\n".join(lines)


class CalendarYearForm(forms.Form):
    """A whole year's schedule. With `year` given (editing a known year) the year is fixed."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=_("Holidays (rest days)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "One entry per line: “2027-01-01 元旦” or a range “2027-02-06..2027-02-14 春节”. "
            "List the whole break, weekend days included, as the State Council notice does."
        ),
    )
    workdays = forms.CharField(
        label=_("Adjusted working days (调休上班)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Weekend days that are working days, one per line: “2027-02-20 春节”."),
    )
    note = forms.CharField(
        label=_("Source or note"),
        max_length=200,
        required=False,
        help_text=_("e.g. the number of the State Council General Office notice."),
    )

    def __init__(self, *args: Any, year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_year = year
        # What each textarea parsed to, bad entries left out: the year checks run on it too,
        # so that one round shows every error, not the parse errors first and the rest after.
        self.parsed: dict[str, dict[dt.date, str]] = {"holidays": {}, "workdays": {}}
        if year is not None:
            del self.fields["year"]

    def clean_holidays(self) -> dict[dt.date, str]:
        return self._parse("holidays")

    def clean_workdays(self) -> dict[dt.date, str]:
        return self._parse("workdays")

    def _parse(self, field: str) -> dict[dt.date, str]:
        days, errors = parse_schedule(self.cleaned_data.get(field, ""))
        self.parsed[field] = days
        if errors:
            raise forms.ValidationError(errors)
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = self.fixed_year or data.get("year")
        if year is None:
            return data
        data["year"] = year
        errors = validate_schedule(
            year=year,
            holidays=self.parsed["holidays"],
            workdays=self.parsed["workdays"],
            require_holidays=not self.has_error("holidays"),
        )
        for field, messages in errors.items():
            self.add_error(field, messages)
        return data


class CalendarYearNewForm(CalendarYearForm):
    def clean_year(self) -> int:
        from .models import CalendarYear

        year = self.cleaned_data["year"]
        if CalendarYear.objects.filter(year=year).exists():
            raise forms.ValidationError(
                _("The calendar already has %(year)s; edit that year instead."),
                params={"year": year},
            )
        return year


ORDINARY = "ordinary"


class CalendarDayForm(forms.Form):
    """One day of a known year: make it a holiday, an adjusted working day or an ordinary day."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("The day is"),
        choices=[
            (DayKind.HOLIDAY, _("a holiday (rest day)")),
            (DayKind.WORKDAY, _("an adjusted working day")),
            (ORDINARY, _("an ordinary day (remove the exception)")),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, required=False)

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day.year != self.year:
            raise forms.ValidationError(
                _("The date must lie in %(year)s."), params={"year": self.year}
            )
        return day
