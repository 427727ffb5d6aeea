"""python manage.py compliance_pdf --year YYYY [--unit CODE] --output FILE.pdf"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directory.access import console_reader
from directory.models import OrgUnit
from reports.pdf import render_report


class Command(BaseCommand):
    help = "Write the year-end compliance report (the whole jurisdiction or one unit) as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="code of the unit (default: the whole jurisdiction)")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--signer", default="", help="name of the signing supervisor")
        parser.add_argument("--today", help="status as of this ISO date (default: today)")
        parser.add_argument("--language", help="language of the report (default: LANGUAGE_CODE)")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit has the code {options['unit']!r}")
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options["today"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--today must be an ISO date: {exc}") from exc
        pdf, pages = render_report(
            year=options["year"],
            unit=unit,
            signer=options["signer"],
            today=today,
            language=options["language"],
            reader=console_reader(),
        )
        with open(options["output"], "wb") as handle:
            handle.write(pdf)
        self.stdout.write(f"{options['output']}: {pages} pages")
