"""`manage.py workdays DATE N [--explain]`: the date N working days after DATE."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from rules.workdays import UnknownCalendarYear, describe_computation, explain_workdays


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

    def handle(self, *args: Any, **options: Any) -> None:
        start, count = _date(options["date"]), _count(options["n"])
        try:
            result = explain_workdays(start, count)
        except UnknownCalendarYear as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.due.isoformat())
        if options["explain"]:
            for line in describe_computation(result.computation):
                self.stdout.write(line)
