"""The `appeals` ledger sheet: imported items run the same clocks as those taken in by hand, and
`compliance --year 2025` prints TY-O2 rows per handling unit from them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.management import call_command
from django.test import TestCase

from directory.ledger import run_import
from petitions.models import Appeal, AppealStatus
from rules.models import Clock
from tests.helpers import build_county

from .appeal_helpers import setup_appeals

HEADER = ["ref", "received", "platform", "category", "unit", "limit_days", "replied"]
ROWS = [
    # on time: 5 working days from Mon 3 Mar → Mon 10 Mar
    ["12345-0001", "2025-03-03 09:30", "12345", "城乡建设", "QH-QS", "", "2025-03-06 16:00"],
    # the row's own limit of 2 days → due 5 Mar; replied 7 Mar: late
    ["12345-0002", "2025-03-03 10:00", "12345热线", "construction", "QH-QS", 2, "2025-03-07"],
    # never replied: due 10 Apr (4–6 Apr is the Qingming holiday), late once the year is over
    ["LYB-0003", "2025-04-02 08:00", "留言板", "教育", "QH-JYJ", "", ""],
]


def workbook(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "appeals"
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "appeals.xlsx"
    return buffer


class AppealsLedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def test_imported_appeals_run_their_clocks_and_compliance_prints_ty_o2_per_unit(self) -> None:
        result = run_import(workbook(ROWS), dry_run=False)
        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["appeals"].created, 3)
        late = Appeal.objects.get(ref="12345-0002")
        self.assertEqual((late.source, late.limit_days, late.unit), ("hotline", 2, self.c.qingshan))
        clock = Clock.objects.for_item(late).get()
        self.assertEqual((clock.due, clock.on_time), (dt.date(2025, 3, 5), False))
        self.assertEqual(Appeal.objects.get(ref="LYB-0003").due, dt.date(2025, 4, 10))

        out = io.StringIO()
        call_command("compliance", "--year", "2025", "--today", "2026-01-05", stdout=out)
        rows = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["rule"] == "TY-O2"]
        table = {
            (r["subject"], r["period"]): (r["required"], r["actual"], r["status"]) for r in rows
        }
        self.assertEqual(
            table, {("QH-QS", "2025"): ("2", "1", "short"), ("QH-JYJ", "2025"): ("1", "0", "short")}
        )
        self.assertEqual({r["subject_name"] for r in rows}, {"青山乡", "县教育局"})

    def test_importing_again_changes_nothing_and_a_later_reply_is_taken(self) -> None:
        run_import(workbook(ROWS), dry_run=False)
        again = run_import(workbook(ROWS), dry_run=False)
        self.assertEqual(again.counts["appeals"].unchanged, 3)
        replied = [*ROWS[2][:6], "2025-04-08 11:00"]
        result = run_import(workbook([replied]), dry_run=False)
        self.assertEqual(result.counts["appeals"].updated, 1)
        appeal = Appeal.objects.get(ref="LYB-0003")
        self.assertEqual(appeal.status, AppealStatus.REPLIED)
        self.assertTrue(Clock.objects.for_item(appeal).get().on_time)

    def test_bad_rows_are_reported_by_sheet_row_and_column_and_nothing_is_saved(self) -> None:
        bad = [
            ROWS[0],
            ["X-1", "2025-03-03 09:30", "12345", "城乡建设", "QH-QS", 6, ""],
            ["X-2", "2025-03-03 09:30", "12345", "城乡建设", "QH-QS", "", "2025-03-01"],
            ["X-3", "2025-03-03 09:30", "12345", "城乡建设", "NOPE", "", ""],
        ]
        result = run_import(workbook(bad), dry_run=False)
        self.assertEqual(
            [(e.row, e.column) for e in result.errors],
            [(3, "limit_days"), (4, "replied"), (5, "unit")],
        )
        self.assertFalse(Appeal.all_objects.exists())

    def test_unit_staff_take_no_appeals_in(self) -> None:
        """As on the intake form: only the appeals office takes appeals in."""
        result = run_import(workbook(ROWS), dry_run=False, acting_user=self.c.qingshan_staff)
        self.assertEqual(
            [(e.row, e.column) for e in result.errors], [(2, "ref"), (3, "ref"), (4, "ref")]
        )
        self.assertFalse(Appeal.all_objects.exists())

    def test_the_office_takes_in_what_the_unit_then_replies_to(self) -> None:
        unreplied = [[*row[:6], ""] for row in ROWS[:2]]
        taken = run_import(workbook(unreplied), dry_run=False, acting_user=self.c.petition_clerk)
        self.assertEqual(taken.errors, [])
        replied = run_import(workbook(ROWS[:2]), dry_run=False, acting_user=self.c.qingshan_staff)
        self.assertEqual(replied.errors, [])
        self.assertEqual(replied.counts["appeals"].updated, 2)
        self.assertEqual(
            set(Appeal.objects.values_list("status", flat=True)), {AppealStatus.REPLIED}
        )
