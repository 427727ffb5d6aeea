"""The year-end PDF's content is read in a fixed number of queries (at most 50, the goal of
benchmark/cases/pdf.py): the records behind its short rows come in one batch per evaluator
(reports.drilldown.records_for_rules), never per row or per rule, and the year's campaigns
with their results together (reports.scores.campaigns_scores), never per campaign."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from directory.access import console_reader
from reports.pdf import report_context
from rules.packs import available_packs, load_packs
from tests.assistance.helpers import make_pairing
from tests.helpers import build_county, make_household, make_person
from tests.reports.helpers import close, enter_paper, make_campaign

D = dt.date
MAX_QUERIES = 50


class _ContextQueries(TestCase):
    packs: list[str]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(cls.packs)
        cls.add_campaign("C-1")

    @classmethod
    def add_campaign(cls, code: str) -> None:
        campaign = make_campaign(code, cls.c.county, units=[cls.c.chengguan, cls.c.qingshan])
        enter_paper(campaign, "deputy", {"QH-CG": (8, 2, 0), "QH-QS": (5, 3, 2)})
        close(campaign)

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


class CountyPacksQueryTests(_ContextQueries):
    """A county's own packs (those the benchmark's county runs): the goal's bound holds."""

    packs = ["taoyuan", "hefei"]

    def test_the_context_takes_at_most_fifty_queries_even_with_cold_caches(self) -> None:
        self.pair_cadres(2)
        ContentType.objects.clear_cache()  # as in a fresh worker
        with CaptureQueriesContext(connection) as queries:
            context = self.context()

        self.assertLessEqual(len(queries), MAX_QUERIES)
        self.assertTrue(context["evaluations"])
        self.assertGreater(self.short_rows_with_records(context), 0)


class PdfContextQueryTests(_ContextQueries):
    """Every pack at once (more evaluators than a county runs): the count is fixed however
    many rows, short rows and campaigns."""

    packs = available_packs()

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

    def test_the_query_count_does_not_grow_with_the_campaigns(self) -> None:
        self.context()
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(self.context()["evaluations"]), 1)
        self.add_campaign("C-2")
        self.add_campaign("C-3")
        with self.assertNumQueries(len(one)):
            self.assertEqual(len(self.context()["evaluations"]), 3)
