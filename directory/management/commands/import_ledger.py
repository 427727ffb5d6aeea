"""`python manage.py import_ledger PATH [--dry-run] [--mapping NAME] [--user USERNAME]`

All or nothing; exit status 1 on any error. The import runs as the account `--user` names,
with that account's permissions (as if it uploaded the file); without `--user` it runs as the
system, which may write anywhere (the history shows no account). `--mapping` reads the workbook
with a mapping saved on the mapping page (`NAME`, or `UNIT-CODE:NAME`)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.ledger import ImportResult, LedgerFileError, Mapping, run_import
from directory.models import User
from directory.services_ledger import find_mapping

BAR_WIDTH = 30


def _plain(line: str) -> str:
    """Error lines stay exact even on a terminal (no colour codes)."""
    return line


class Command(BaseCommand):
    help = "Import a ledger workbook (.xlsx), a .zip of CSV files or a folder of CSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="an .xlsx workbook, a .zip or a folder of CSV files")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument(
            "--mapping",
            default="",
            help="a mapping saved on the mapping page: NAME or UNIT-CODE:NAME",
        )
        parser.add_argument(
            "--user",
            default="",
            help="import as this account, with its permissions (default: the system, "
            "which may write anywhere)",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="show a progress bar (default: when standard error is a terminal)",
        )
        parser.add_argument("--no-progress", dest="progress", action="store_false")

    def handle(self, *args: Any, path: str, dry_run: bool, **options: Any) -> None:
        user = self._user(options["user"])
        show = options["progress"]
        if show is None:
            show = sys.stderr.isatty()
        try:
            mapping = (
                Mapping.from_json(find_mapping(options["mapping"], user).mapping)
                if options["mapping"]
                else None
            )
            result = run_import(
                path,
                dry_run=dry_run,
                acting_user=user,
                mapping=mapping,
                progress=self._bar if show else None,
            )
        except LedgerFileError as exc:
            self._end_bar(show)
            self.stderr.write(str(exc), style_func=_plain)
            raise SystemExit(1) from exc
        self._end_bar(show)
        self._report(result, dry_run)

    def _user(self, username: str) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active account is called %(name)s.") % {"name": username})
        return user

    def _bar(self, done: int, total: int) -> None:
        share = done / total if total else 0
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} ({share:.0%})", ending="")
        self.stderr.flush()

    def _end_bar(self, shown: bool) -> None:
        if shown:
            self.stderr.write("")

    def _report(self, result: ImportResult, dry_run: bool) -> None:
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
            for notice in result.notices:
                self.stdout.write(_("note: %(notice)s") % {"notice": notice})
            raise SystemExit(1)
        for skipped in result.skipped:
            self.stdout.write(_("skipped %(name)s (not a known sheet)") % {"name": skipped})
        for sheet, counts in result.counts.items():
            self.stdout.write(f"{sheet}: {counts}")
        label = _("would be created") if dry_run else _("created")
        for item in result.implicit:
            self.stdout.write(
                _("%(label)s implicitly (%(sheet)s): %(what)s %(name)s")
                % {"label": label, "sheet": item.sheet, "what": item.what, "name": item.name}
            )
        for notice in result.notices:
            self.stdout.write(_("note: %(notice)s") % {"notice": notice})
        if dry_run:
            self.stdout.write(_("Dry run: the ledger is valid; nothing was saved."))
