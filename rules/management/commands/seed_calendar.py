"""`manage.py seed_calendar`: add the years the chinesecalendar package knows and the calendar
lacks. Idempotent; a year already in the calendar (above all one an administrator entered) is
never touched."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from rules.calendar_seed import package_years, seed_from_package
from rules.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = (
        "Add the official holiday schedules the chinesecalendar package knows (never overwrites)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            added = seed_from_package(CalendarYear, CalendarDay)
        if added:
            self.stdout.write(
                _("Years added: %(years)s") % {"years": ", ".join(str(year) for year in added)}
            )
        else:
            years = package_years()
            span = f"{years[0]}–{years[-1]}" if years else "–"
            self.stdout.write(
                _(
                    "No years added: the calendar already has every year the package knows (%(span)s)."
                )
                % {"span": span}
            )
