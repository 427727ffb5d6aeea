"""The year-end PDF's content is read in a fixed number of queries: the records behind its short
rows come per rule in one batch (reports.drilldown.records_for_many), never per row."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from directory.access import console_reader
from reports.pdf import report_context
from rules.packs import available_packs, load_packs
from tests.assistance.helpers import make_pairing
from tests.helpers import build_county, make_household, make_person

D = dt.date


class PdfContextQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(available_packs())

    def pair_cadres(self, count: int) -> None:
        """Cadres of the township, each paired with a household never visited: each period of
        2025 the pairing rules ask for is a short row whose household the report lists."""
        for n in range(count):
            cadre = make_person(f"干部{n}", self.c.qingshan, "cadre")
            household = make_household(f"户{n}", self.c.taoyuan, "alleviated")
            make_pairing(cadre, household, "alleviated", D(2025, 1, 1))

    def context(self) -> dict:
        return report_context(
            year=2025,
            unit=self.c.qingshan,
            signer="",
            today=D(2026, 1, 10),
            reader=console_reader(),
        )

    def short_rows_with_records(self, context: dict) -> int:
        return sum(
            1
            for section in context["sections"]
            for _person, rows in section.leaders
            for row in rows
            if row.late
        )

    def test_the_query_count_does_not_grow_with_the_short_rows(self) -> None:
        self.pair_cadres(1)
        self.context()  # warms the per-process caches (content types, the calendar)
        with CaptureQueriesContext(connection) as small:
            few = self.short_rows_with_records(self.context())
        self.pair_cadres(4)
        # The same queries for five times the short rows (and their households listed).
        with self.assertNumQueries(len(small)):
            many = self.short_rows_with_records(self.context())
        self.assertGreaterEqual(few, 4)
        self.assertEqual(many, 5 * few)
