from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from reports.models import SubmissionKind
from rules.clocks import clock_complete, clock_start
from rules.compliance import COLUMNS
from tests.helpers import build_county, make_person, make_rule
from tests.reports.helpers import make_submission

D = dt.date
DEADLINE = {"start_event": "received", "end_event": "replied", "amount": 5, "unit": "workdays"}


def submission_rules() -> None:
    make_rule(
        "TY-Y1",
        "SUBMISSION",
        {"document": "annual_report", "due": "12-31"},
        period="year",
        subject_posts="county_leader;township_secretary;unit_head",
    )
    make_rule(
        "HF-V5a",
        "SUBMISSION",
        {"document": "research_report", "min_count": 1},
        pack="hefei",
        period="year",
        subject_posts="county_leader;township_leader",
    )


class DashboardTests(TestCase):
    """2025 is over: 县教育局 met its one deadline row; 青山乡 met its annual report but not its
    deadlines (1 of 2 on time); the county leader owes both reports; 城关镇 owes nothing."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        submission_rules()
        cls.deadline = make_rule("TY-O2", params=DEADLINE)
        item = cls.c.household_taoyuan
        on_time = clock_start(
            rule=cls.deadline,
            item=item,
            step="reply",
            start=D(2025, 3, 3),
            unit=cls.c.qingshan,
            label="诉求 A",
        )
        clock_complete(clock=on_time, done_on=D(2025, 3, 5))
        late = clock_start(
            rule=cls.deadline,
            item=item,
            step="reply",
            start=D(2025, 3, 3),
            unit=cls.c.qingshan,
            label="诉求 B",
        )
        clock_complete(clock=late, done_on=D(2025, 3, 20))
        done = clock_start(
            rule=cls.deadline,
            item=item,
            step="reply",
            start=D(2025, 4, 1),
            unit=cls.c.education,
            label="诉求 C",
        )
        clock_complete(clock=done, done_on=D(2025, 4, 2))
        make_submission(
            kind=SubmissionKind.ANNUAL_REPORT,
            year=2025,
            unit=cls.c.qingshan,
            submitted_on=D(2025, 12, 10),
        )

    def test_units_are_ranked_by_the_share_of_rows_met(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get("/reports/?year=2025")

        ranking = [(s.code, s.rank, s.share) for s in response.context["standings"]]
        self.assertEqual(
            [(code, rank, str(share)) for code, rank, share in ranking],
            [("QH-JYJ", 1, "100.0"), ("QH-QS", 2, "50.0"), ("QH", 3, "0.0")],
        )

    def test_filters_by_township_rule_kind_and_pack(self) -> None:
        self.client.force_login(self.c.supervisor)

        by_township = self.client.get("/reports/?year=2025&township=QH-QS").context["table"]
        by_kind = self.client.get("/reports/?year=2025&kind=DEADLINE").context["table"]
        by_pack = self.client.get("/reports/?year=2025&pack=hefei").context["table"]

        self.assertEqual({r.subject for r in by_township.rows}, {"QH-QS"})
        self.assertEqual({r.rule for r in by_kind.rows}, {"TY-O2"})
        self.assertEqual({r.rule for r in by_pack.rows}, {"HF-V5a"})

    def test_a_quarter_shows_its_own_rows_and_the_running_year_ones(self) -> None:
        self.client.force_login(self.c.supervisor)
        table = self.client.get("/reports/?year=2025&part=Q2").context["table"]

        self.assertEqual(
            {(r.rule, r.subject, r.period) for r in table.rows if r.rule == "TY-O2"},
            {("TY-O2", "QH-JYJ", "2025-Q2")},
        )
        self.assertIn(("TY-Y1", "2025"), {(r.rule, r.period) for r in table.rows})

    def test_a_period_that_has_not_ended_shows_open(self) -> None:
        self.client.force_login(self.c.supervisor)
        table = self.client.get("/reports/?year=2099").context["table"]

        self.assertEqual({r.status for r in table.rows}, {"open"})

    def test_a_unit_head_sees_only_the_own_unit(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        table = self.client.get("/reports/?year=2025").context["table"]

        self.assertEqual({s.code for s in table.by_unit}, {"QH-QS"})

    def test_permission_triple_on_a_unit_page(self) -> None:
        url = "/reports/units/QH-QS/?year=2025"
        self.assertRedirects(
            self.client.get(url), "/accounts/login/?next=/reports/units/QH-QS/%3Fyear%3D2025"
        )
        self.client.force_login(self.c.chengguan_staff)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(url)
        self.assertContains(response, "TY-O2")
        self.assertContains(response, "TY-Y1")

    def test_a_person_page_lists_the_rules_in_force_without_a_row(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get("/reports/people/P-WJG/?year=2025")

        self.assertEqual(
            {item["row"].rule for item in response.context["rows"]}, {"TY-Y1", "HF-V5a"}
        )
        self.client.force_login(self.c.chengguan_staff)
        self.assertEqual(self.client.get("/reports/people/P-WJG/?year=2025").status_code, 404)

    def test_drill_down_lists_the_clocks_behind_a_deadline_row(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get("/reports/records/?rule=TY-O2&subject=QH-QS&period=2025")

        records = response.context["records"]
        self.assertEqual(
            [(r.label, r.late) for r in records], [("诉求 A", False), ("诉求 B", True)]
        )
        self.assertEqual(
            self.client.get("/reports/records/?rule=TY-O2&subject=QH-JYJ&period=2025").status_code,
            404,
        )

    def test_drill_down_asks_the_evaluator_for_its_records(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get("/reports/records/?rule=TY-Y1&subject=QH-QS&period=2025")

        (record,) = response.context["records"]
        self.assertEqual((record.date, record.late), (D(2025, 12, 10), False))
        self.assertContains(response, f'href="{record.url}"')

    def test_exports_carry_the_design_columns(self) -> None:
        self.client.force_login(self.c.supervisor)

        text = self.client.get("/reports/export/csv/?year=2025").content.decode()
        data = json.loads(self.client.get("/reports/export/json/?year=2025").content)
        book = openpyxl.load_workbook(
            io.BytesIO(self.client.get("/reports/export/xlsx/?year=2025").content)
        )

        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(tuple(rows[0]), COLUMNS)
        self.assertIn(["TY-O2", "QH-QS", "青山乡", "2025", "2", "1", "short"], rows)
        self.assertEqual(len(data), len(rows) - 1)
        self.assertEqual(tuple(c.value for c in book.active[1]), COLUMNS)
        self.assertEqual(self.client.get("/reports/export/pdf/?year=2025").status_code, 404)


class DashboardQueryCountTests(TestCase):
    """The dashboard's reads do not grow with the number of people or rules."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        submission_rules()

    def grow(self, first: int, n: int) -> None:
        for i in range(first, first + n):
            make_person(f"干部{i}", self.c.qingshan, "township_leader", code=f"P-G{i}")
            rule = make_rule(f"T-D{i}", params=DEADLINE)
            clock = clock_start(
                rule=rule,
                item=self.c.household_taoyuan,
                step="reply",
                start=D(2025, 5, 6),
                unit=self.c.qingshan,
            )
            clock_complete(clock=clock, done_on=D(2025, 5, 7))

    def count(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/reports/?year=2025").status_code, 200)
        return len(queries)

    def test_query_count_is_the_same_for_few_and_many_people_and_rules(self) -> None:
        self.client.force_login(self.c.supervisor)
        self.grow(0, 2)
        few = self.count()
        self.grow(2, 12)
        many = self.count()

        self.assertEqual(few, many)
        # 3 session, user and the user's unit (the scope); 1 the townships of the filter;
        # 1 the rules in force; 1 the DEADLINE evaluator (clocks grouped by rule and unit);
        # 2 the SUBMISSION evaluator (people with the posts, reports grouped); 2 the visible
        # units and people; 1 the units of the PDF form; 12 the heat map's deadlines due in
        # each month of the past year (the DEADLINE evaluator per month, rules of units only).
        with self.assertNumQueries(23):
            self.client.get("/reports/?year=2025")
