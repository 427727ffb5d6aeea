"""`manage.py workdays DATE N [--explain] [--provisional]`: the date N working days after DATE.

A count reaching into a year the calendar does not know is refused, unless `--provisional`
is given: then the date is computed from the statutory holidays, printed as usual, and stderr
says that it is provisional and why."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from rules.workdays import (
    UnknownCalendarYear,
    WorkCalendar,
    describe_computation,
    describe_provisional,
    explain_workdays,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("Not a date: %(value)s (expected YYYY-MM-DD).") % {"value": value}
        ) from exc


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError as exc:
        raise CommandError(
            _("Not a whole number of working days: %(value)s.") % {"value": value}
        ) from exc
    if count < 0:
        raise CommandError(
            _("The number of working days must not be negative (got %(n)s).") % {"n": count}
        )
    return count


class Command(BaseCommand):
    help = (
        "Print the date N working days after DATE (ISO dates; day 1 is the first working day "
        "after DATE), following the official calendar with its adjusted working days."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("date", help="start date, YYYY-MM-DD")
        # A string, not type=int, so that "-3" reaches our own message instead of argparse's.
        parser.add_argument("n", help="number of working days (0 or more)")
        parser.add_argument(
            "--explain", action="store_true", help="also print the days skipped and why"
        )
        parser.add_argument(
            "--provisional",
            action="store_true",
            help=(
                "for a year the calendar does not know, compute a provisional date from the "
                "statutory holidays (stderr says so) instead of refusing"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, count = _date(options["date"]), _count(options["n"])
        calendar = WorkCalendar()
        if options["provisional"]:
            calendar = calendar.with_provisional()
        try:
            result = explain_workdays(start, count, calendar)
        except UnknownCalendarYear as exc:
            raise CommandError(
                f"{exc} "
                + _("Give --provisional to compute a provisional date from the statutory holidays.")
            ) from exc
        self.stdout.write(result.due.isoformat())
        if options["explain"]:
            for line in describe_computation(result.computation):
                self.stdout.write(line)
        if result.provisional:
            for line in describe_provisional(result.computation):
                self.stderr.write(line)
