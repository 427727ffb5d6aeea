"""Ledger sheets `pairings`, `aid` and `events`, and the compliance table built from an
imported ledger (pairings, visits through the visits sheet, aid)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from assistance.models import AidEntry, HouseholdEvent, Pairing
from directory.ledger import run_import, template_workbook
from rules.models import Clock

from .helpers import build_assistance_county, load_assistance_rules

D = dt.date
PAIRINGS = [
    ["person", "household", "kind", "start", "end"],
    ["P-ZP", "H-M1", "监测户", "2025-01-01", ""],
    ["P-ZP", "H-A1", "脱贫户", "2025-01-01", ""],
    ["P-SL", "H-O5", "中心户", "2025-01-01", ""],
    ["P-SL", "H-V1", "辐射户", "2025-01-01", ""],
]
VISITS = [
    ["date", "person", "unit", "households", "kind", "days"],
    *[
        [f"2025-{m:02d}-08", "P-ZP", "QH-QS-TY", "H-M1", "入户走访", "0.5"]
        for m in range(1, 13)
        if m != 4
    ],
    ["2025-05-08", "P-ZP", "QH-QS-TY", "H-A1", "入户走访", "0.5"],
    *[[f"2025-{m:02d}-09", "P-SL", "QH-QS-TY", "H-O5;H-V1", "电话", ""] for m in range(1, 13)],
    ["2025-08-10", "P-SL", "QH-QS-TY", "H-V1", "走访", "0.5"],
]
AID = [
    ["date", "person", "household", "amount"],
    ["2025-02-01", "P-ZP", "H-M1", "150.00"],
    ["2025-09-01", "P-ZP", "H-A1", "60.50"],
    ["2025-06-01", "P-SL", "H-V1", "100"],
]
EVENTS = [
    ["date", "household", "kind", "note"],
    ["2025-09-29", "H-M1", "灾害", "暴雨"],
]


def write_ledger(folder: Path, **sheets: list[list[str]]) -> None:
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


class ImportedLedgerTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        self.folder = Path(tempfile.mkdtemp())
        write_ledger(self.folder, pairings=PAIRINGS, visits=VISITS, aid=AID, events=EVENTS)

    def import_ledger(self):
        with self.captureOnCommitCallbacks(execute=True):
            return run_import(self.folder, dry_run=False)

    def test_the_ledger_imports_and_a_second_import_changes_nothing(self) -> None:
        result = self.import_ledger()
        self.assertTrue(result.ok, [str(e) for e in result.errors])
        self.assertEqual(Pairing.objects.count(), 4)
        self.assertEqual(AidEntry.objects.count(), 3)
        self.assertEqual(HouseholdEvent.objects.count(), 1)
        clock = Clock.objects.get()
        # the visit of 8 Oct closes the four-musts clock opened on 29 Sep (due 10 Oct)
        self.assertEqual(
            (clock.due, clock.done_on, clock.on_time), (D(2025, 10, 10), D(2025, 10, 8), True)
        )
        again = self.import_ledger()
        self.assertTrue(again.ok)
        for name in ("pairings", "aid", "events"):
            self.assertEqual(again.counts[name].created, 0, name)

    def test_compliance_prints_the_pairing_rows_from_the_imported_ledger(self) -> None:
        self.import_ledger()
        out = StringIO()
        call_command("compliance", "--year", "2025", "--today", "2026-01-15", stdout=out)
        lines = out.getvalue().splitlines()
        rows = {tuple(line.split(",")[i] for i in (0, 1, 3)): line.split(",") for line in lines[1:]}
        self.assertEqual(rows[("TY-A2a", "P-ZP", "2025-04")][4:], ["1", "0", "short"])
        self.assertEqual(rows[("TY-A2a", "P-ZP", "2025-05")][4:], ["1", "1", "met"])
        self.assertEqual(rows[("TY-A2b", "P-ZP", "2025-Q2")][4:], ["1", "1", "met"])
        self.assertEqual(rows[("TY-A2b", "P-ZP", "2025-Q1")][4:], ["1", "0", "short"])
        self.assertEqual(rows[("CP-A2a", "P-SL", "2025-03")][4:], ["1", "1", "met"])  # calls count
        self.assertEqual(
            rows[("CP-A2b", "P-SL", "2025-Q1")][4:], ["1", "0", "short"]
        )  # calls do not
        self.assertEqual(rows[("CP-A2b", "P-SL", "2025-Q3")][4:], ["1", "1", "met"])
        self.assertEqual(rows[("CP-A4", "P-ZP", "2025")][4:], ["200", "210.50", "met"])
        self.assertEqual(rows[("CP-A4", "P-SL", "2025")][4:], ["400", "100.00", "short"])

    def test_a_bad_row_saves_nothing_and_says_where(self) -> None:
        write_ledger(
            self.folder,
            aid=[*AID, ["2025-03-01", "P-ZP", "H-V1", "10"]],  # not paired with 周平
        )
        result = run_import(self.folder, dry_run=False)
        self.assertFalse(result.ok)
        self.assertIn(
            "aid:5:household:", [str(e)[: len("aid:5:household:")] for e in result.errors]
        )
        self.assertFalse(Pairing.objects.exists())

    def test_a_pairing_with_a_household_outside_its_category_is_an_error(self) -> None:
        write_ledger(
            self.folder, pairings=[PAIRINGS[0], ["P-ZP", "H-O6", "监测户", "2025-01-01", ""]]
        )
        (self.folder / "visits.csv").unlink()
        (self.folder / "aid.csv").unlink()
        (self.folder / "events.csv").unlink()
        result = run_import(self.folder, dry_run=False)
        self.assertEqual([str(e)[:22] for e in result.errors], ["pairings:2:household: "])

    def test_the_template_workbook_still_imports_cleanly(self) -> None:
        import io

        result = run_import(io.BytesIO(template_workbook()), dry_run=True, filename="template.xlsx")
        self.assertTrue(result.ok, [str(e) for e in result.errors])
        self.assertEqual(result.counts["aid"].created, 1)
        self.assertEqual(AidEntry.objects.filter(amount=Decimal("200.00")).count(), 0)  # dry run
