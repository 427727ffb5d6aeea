"""`python manage.py load_rules PACK [PACK ...] [--reset]`: load rule packs into rule rows.

The output is a stable, untranslated interface (scripts and the issue's check read it):
one line per pack "PACK: created N, updated N, unchanged N, kept edited N", and the line
"nothing changed" when the load wrote nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rules.packs import LoadReport, PackError, available_packs, load_packs


class Command(BaseCommand):
    help = "Load rule packs (rules/packs/*.json) into rules; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("packs", nargs="+", metavar="PACK", help="pack names to load")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="also replace parameters an administrator edited with the pack's values",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        valid = available_packs()
        unknown = [name for name in options["packs"] if name not in valid]
        if unknown:
            raise CommandError(
                f"Unknown rule pack: {', '.join(unknown)}. Valid packs: {', '.join(valid)}."
            )
        try:
            report = load_packs(options["packs"], reset=options["reset"])
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)

    def _print(self, report: LoadReport) -> None:
        for pack in report.packs:
            self.stdout.write(
                f"{pack.pack}: created {len(pack.created)}, updated {len(pack.updated)}, "
                f"unchanged {len(pack.unchanged)}, kept edited {len(pack.kept_edited)}"
            )
            if pack.kept_edited:
                self.stdout.write(
                    f"  kept edited parameters (use --reset to replace): "
                    f"{', '.join(pack.kept_edited)}"
                )
            if pack.not_in_pack:
                self.stdout.write(
                    f"  in the database but no longer in the pack (left as they are): "
                    f"{', '.join(pack.not_in_pack)}"
                )
        if report.nothing_changed:
            self.stdout.write("nothing changed")
