"""The visits sheet imports its rows in batches (`import_visits`): the same visits, people,
households, date copies and history as the row path, in a number of queries that does not grow
with the rows, and nothing saved when any row is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from directory.ledger import find_sheet, register_sheet, run_import
from visits.models import Visit, VisitHousehold, VisitPerson

from .test_ledger import SHEETS, write_folder

HEADER = ["date", "person", "unit", "households", "kind", "days", "entourage", "cars"]
PLACES = (("V1", ("HA", "HB", "HC", "HD")), ("V2", ("HE", "HF", "HG")), ("T1", ()))
PEOPLE = ("L1", "L2", "S1", "H1", "M1", "L1;S1")
KINDS = ("household", "入户走访", "village_stay", "research", "call")


def visit_rows(count: int) -> list[list[str]]:
    """`count` different visits of 2025 over the fixture county's places and people."""
    made = []
    for n in range(count):
        place, households = PLACES[n % len(PLACES)]
        kind = KINDS[n % len(KINDS)] if households else "research"
        picked = ";".join(
            households[(n + k) % len(households)] for k in range(1 + n % 2) if households
        )
        made.append(
            [
                (dt.date(2025, 1, 2) + dt.timedelta(days=n)).isoformat(),
                PEOPLE[n % len(PEOPLE)],
                place,
                picked if households and kind != "village_stay" else "",
                kind,
                "" if n % 3 else "1",
                str(n % 4) if n % 2 else "",
                "",
            ]
        )
    return made


def state() -> dict[str, Any]:
    """What an import wrote, keyed by what the visits are (ids and times aside)."""
    visits = {}
    for visit in Visit.objects.all():
        people = tuple(
            sorted((p.person.code, p.date) for p in VisitPerson.objects.filter(visit=visit))
        )
        households = tuple(
            sorted((h.household.code, h.date) for h in VisitHousehold.objects.filter(visit=visit))
        )
        visits[(visit.date, visit.kind, visit.unit.code, people, households)] = (
            visit.days,
            visit.entourage,
            visit.cars,
            visit.recorded_by_id,
            visit.history.count(),
            visit.history.first().days,
        )
    return {
        "visits": visits,
        "people history": VisitPerson.history.count(),
        "household history": VisitHousehold.history.count(),
    }


class BulkVisitImportTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        directory = {key: rows for key, rows in SHEETS.items() if key != "visits"}
        write_folder(self.folder, directory)
        result = run_import(self.folder, dry_run=False)
        self.assertEqual(result.errors, [])
        for name in directory:
            (self.folder / f"{name}.csv").unlink()

    def import_visits(self, rows: list[list[str]]) -> Any:
        write_folder(self.folder, {"visits": [HEADER, *rows]})
        return run_import(self.folder, dry_run=False)

    def imported(self, rows: list[list[str]]) -> dict[str, Any]:
        with transaction.atomic():
            result = self.import_visits(rows)
            self.assertEqual(result.errors, [])
            self.assertEqual(result.counts["visits"].created, len(rows))
            written = state()
            transaction.set_rollback(True)
        return written

    def test_a_batch_writes_what_the_row_path_writes(self) -> None:
        rows = visit_rows(30)
        bulk = self.imported(rows)
        self.assertEqual(len(bulk["visits"]), 30)
        sheet = find_sheet("visits")
        register_sheet(dataclasses.replace(sheet, import_batch=None))
        self.addCleanup(register_sheet, sheet)
        self.assertEqual(self.imported(rows), bulk)

    def test_an_error_in_the_last_row_saves_nothing(self) -> None:
        rows = visit_rows(30)
        rows[-1][2] = "NOWHERE"
        result = self.import_visits(rows)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(31, "unit")])
        self.assertFalse(Visit.all_objects.exists())
        self.assertFalse(VisitPerson.objects.exists())
        self.assertFalse(VisitPerson.history.exists())

    def test_the_queries_of_an_import_do_not_grow_with_its_rows(self) -> None:
        counts = []
        for count in (10, 30):
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                result = self.import_visits(visit_rows(count))
                transaction.set_rollback(True)
            self.assertEqual(result.counts["visits"].created, count)
            counts.append(len(queries))
        # units, people and households found once; the batch's places probed in one query;
        # visits, their people and households written together with their history
        self.assertEqual(counts[0], counts[1])
