"""The appeals sheet imports a batch of new appeals at once (`import_appeals`): it writes what
the row path writes — appeals, step log, clocks, replies — in a number of queries that does not
grow with the rows, and saves nothing when any row is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from directory.ledger import find_sheet, register_sheet, run_import
from petitions.models import Appeal, AppealReply, AppealStep
from rules.models import Clock
from tests.helpers import build_county

from .appeal_helpers import setup_appeals
from .test_appeals_ledger import workbook

PLATFORMS = ("12345", "留言板", "县长信箱", "桃源融媒")
UNITS = ("QH-QS", "QH-JYJ")


def rows(count: int, *, start: int = 0) -> list[list[Any]]:
    """`count` appeals of 2025: hotline items (two clocks), message-board and mailbox items, a
    platform and a category of the office's own; most replied, some late, some not yet."""
    made = []
    for n in range(start, start + count):
        received = dt.datetime(2025, 3, 3, 9, 0) + dt.timedelta(days=n % 40, minutes=n)
        replied = received + dt.timedelta(days=n % 9) if n % 4 else ""
        made.append(
            [
                f"BULK-{n:04d}",
                received.strftime("%Y-%m-%d %H:%M"),
                PLATFORMS[n % len(PLATFORMS)],
                "城乡建设" if n % 3 else "新类别",
                UNITS[n % len(UNITS)],
                2 if n % 5 == 0 else "",
                replied.strftime("%Y-%m-%d %H:%M") if replied else "",
            ]
        )
    return made


def state() -> dict[str, Any]:
    """What an import wrote, by reference (ids and times of writing aside)."""
    appeals = {
        a.ref: (
            a.source,
            a.platform.name if a.platform_id else "",
            a.category.name,
            a.status,
            a.unit_id,
            a.receiving_unit_id,
            a.taken_by_id,
            a.received_on,
            a.assigned_on,
            a.instruction,
            a.replied_on,
            a.due,
            a.limit_days,
            a.text,
        )
        for a in Appeal.objects.select_related("platform", "category")
    }
    steps = sorted(
        (s.appeal.ref, s.kind, s.on, s.user_id, s.actor, s.unit_id, s.text)
        for s in AppealStep.objects.select_related("appeal")
    )
    clocks = sorted(
        (
            c.label,
            c.rule.rule_id,
            c.step,
            c.unit_id,
            c.start,
            c.due,
            c.state,
            c.done_on,
            c.on_time,
            c.provisional,
            repr(sorted(c.computation.items())),
        )
        for c in Clock.objects.select_related("rule")
    )
    replies = sorted(
        (r.appeal.ref, r.round, r.text, r.replied_on, r.unit_id, r.user_id, r.on_time)
        for r in AppealReply.objects.select_related("appeal")
    )
    # the latest history row of every record holds the record as it stands
    latest = {
        h.ref: (h.status, h.unit_id, h.due, h.replied_on)
        for h in Appeal.history.order_by("history_date", "history_id")
    }
    history = {ref: latest[ref] == (a[3], a[4], a[11], a[10]) for ref, a in appeals.items()}
    return {
        "appeals": appeals,
        "steps": steps,
        "clocks": clocks,
        "replies": replies,
        "history": history,
    }


class BulkAppealImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals("hefei")  # HF-H1: a hotline item runs a second clock
        cls.c = build_county()

    def row_path(self) -> None:
        """The sheet without its batch importer: every row through `import_appeal`."""
        sheet = find_sheet("appeals")
        register_sheet(dataclasses.replace(sheet, import_batch=None))
        self.addCleanup(register_sheet, sheet)

    def imported(self, made: list[list[Any]], user: Any = None) -> dict[str, Any]:
        with transaction.atomic():
            result = run_import(workbook(made), dry_run=False, acting_user=user)
            self.assertEqual(result.errors, [])
            self.assertEqual(result.counts["appeals"].created, len(made))
            written = state()
            transaction.set_rollback(True)
        return written

    def test_a_batch_writes_what_the_row_path_writes(self) -> None:
        made = rows(24)
        for user in (None, self.c.petition_clerk):
            with self.subTest(user=user):
                bulk = self.imported(made, user)
                self.assertTrue(all(bulk["history"].values()))
                self.assertEqual(len(bulk["appeals"]), 24)
                self.assertGreater(len(bulk["clocks"]), 24)  # hotline items run two
                self.assertTrue(any(c[8] is False for c in bulk["clocks"]))  # some replied late
                with self.subTest(path="rows"):
                    self.row_path()
                    self.assertEqual(self.imported(made, user), bulk)

    def test_an_error_in_the_last_row_saves_nothing(self) -> None:
        made = rows(30)
        made[-1][6] = "2025-01-01 10:00"  # replied before it was received
        with translation.override("en"):
            result = run_import(workbook(made), dry_run=False)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(31, "replied")])
        self.assertEqual(
            result.errors[0].message, "The date cannot be before the appeal was received."
        )
        self.assertFalse(Appeal.all_objects.exists())
        self.assertFalse(Clock.objects.exists())
        self.assertFalse(AppealStep.objects.exists())

    def test_the_queries_of_an_import_do_not_grow_with_its_rows(self) -> None:
        counts = []
        for count in (5, 15):
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                result = run_import(workbook(rows(count)), dry_run=False)
                transaction.set_rollback(True)
            self.assertEqual(result.counts["appeals"].created, count)
            counts.append(len(queries))
        # categories, platforms, units, rules and the calendar once; the batch's references in
        # one query; appeals, steps, clocks and replies written together with their history
        self.assertEqual(counts[0], counts[1])

    def test_existing_appeals_in_a_batch_take_the_row_path_beside_new_ones(self) -> None:
        run_import(workbook([[*row[:6], ""] for row in rows(4)]), dry_run=False)
        result = run_import(workbook(rows(8)), dry_run=False)
        self.assertEqual(result.errors, [])
        counts = result.counts["appeals"]
        self.assertEqual((counts.created, counts.updated, counts.unchanged), (4, 3, 1))
        self.assertEqual(Appeal.objects.count(), 8)

    def test_unit_staff_may_reply_only_to_appeals_of_their_unit(self) -> None:
        """The access condition applies to every row of a batch."""
        run_import(workbook([[*row[:6], ""] for row in rows(4)]), dry_run=False)
        replied = rows(4)
        result = run_import(workbook(replied), dry_run=False, acting_user=self.c.qingshan_staff)
        refused = sorted({(e.row, e.column) for e in result.errors})
        # rows 3 and 5 (BULK-0001, BULK-0003) are the education bureau's: not visible
        self.assertEqual(refused, [(3, "ref"), (5, "ref")])
