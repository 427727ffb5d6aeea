"""python manage.py compliance --year YYYY [--pack P] [--format csv|json|xlsx] [--output FILE]"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rules.compliance import COLUMNS, ComplianceRow, evaluate
from rules.models import Pack
from rules.periods import Period


def rows_to_csv(rows: list[ComplianceRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.as_dict()[c] for c in COLUMNS])
    return buffer.getvalue()


def rows_to_json(rows: list[ComplianceRow]) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value) if value != value.to_integral() else int(value)
        raise TypeError(value)

    return json.dumps(
        [row.as_dict() for row in rows], ensure_ascii=False, indent=2, default=default
    )


def rows_to_xlsx(rows: list[ComplianceRow]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "compliance"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.as_dict()[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Print the compliance table (rule, subject, period, required, actual, status) for a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--pack", action="append", default=[], help="limit to a pack (repeatable)"
        )
        parser.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--today", help="evaluate as of this ISO date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = [p for p in options["pack"] if p not in Pack.values]
        if unknown:
            raise CommandError(
                f"unknown pack: {', '.join(unknown)} (known: {', '.join(Pack.values)})"
            )
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options["today"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--today must be an ISO date: {exc}") from exc
        rows = evaluate(Period.year(options["year"]), today=today, packs=options["pack"])
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output FILE")
            with open(output, "wb") as handle:
                handle.write(rows_to_xlsx(rows))
            return
        text = rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
