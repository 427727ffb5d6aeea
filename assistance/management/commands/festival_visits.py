"""python manage.py festival_visits [--date YYYY-MM-DD]: open the four-musts visits of the
festivals whose window contains the date (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistance.services import festival_events_open
from directory.timeutil import today
from rules.workdays import UnknownCalendarYear


class Command(BaseCommand):
    help = "Open festival visits (four musts) for the paired households that need them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="as of this ISO date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError as exc:
            raise CommandError(f"not an ISO date: {options['date']}") from exc
        try:
            opened = festival_events_open(today=day)
        except UnknownCalendarYear as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"festival visits opened: {opened}")
