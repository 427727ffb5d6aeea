"""`python manage.py import_ledger PATH [--dry-run]`: all or nothing; exit status 1 on any error."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.ledger import LedgerFileError, run_import


def _plain(line: str) -> str:
    """Error lines stay exact even on a terminal (no colour codes)."""
    return line


class Command(BaseCommand):
    help = "Import a ledger workbook (.xlsx), a .zip of CSV files or a folder of CSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="an .xlsx workbook, a .zip or a folder of CSV files")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args: Any, path: str, dry_run: bool, **options: Any) -> None:
        try:
            result = run_import(path, dry_run=dry_run)
        except LedgerFileError as exc:
            self.stderr.write(str(exc), style_func=_plain)
            raise SystemExit(1) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error), style_func=_plain)
            count = len(result.errors)
            self.stdout.write(
                ngettext(
                    "%(count)d error; nothing was saved.",
                    "%(count)d errors; nothing was saved.",
                    count,
                )
                % {"count": count}
            )
            raise SystemExit(1)
        for skipped in result.skipped:
            self.stdout.write(_("skipped %(name)s (not a known sheet)") % {"name": skipped})
        for sheet, counts in result.counts.items():
            self.stdout.write(f"{sheet}: {counts}")
        if dry_run:
            self.stdout.write(_("Dry run: the ledger is valid; nothing was saved."))
