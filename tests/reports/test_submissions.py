from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from reports.evaluators import SubmissionEvaluator
from reports.models import Submission, SubmissionKind
from rules.compliance import MET, OPEN, SHORT
from rules.models import Rule
from rules.packs import load_packs
from rules.periods import Period
from tests.helpers import build_county, make_person
from tests.reports.helpers import make_submission

D = dt.date
ANNUAL, RESEARCH = SubmissionKind.ANNUAL_REPORT, SubmissionKind.RESEARCH_REPORT


def rows_by(rule_id: str, today: dt.date, year: int = 2025) -> dict[str, tuple]:
    rules = list(Rule.objects.filter(rule_id__in=("TY-Y1", "HF-V5a", "HF-V5b")))
    rows = SubmissionEvaluator().evaluate(rules, Period.year(year), today=today)
    return {r.subject: (r.required, r.actual, r.status) for r in rows if r.rule == rule_id}


class SubmissionEvaluatorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(["taoyuan", "hefei"])
        cls.edu_head = make_person(
            "田振宇", cls.c.education, "unit_head", "section_chief", code="P-TZY"
        )

    def test_county_leaders_report_in_person_and_principals_through_their_unit(self) -> None:
        make_submission(
            kind=ANNUAL, year=2025, person=self.c.county_leader, submitted_on=D(2025, 12, 20)
        )
        make_submission(kind=ANNUAL, year=2025, unit=self.c.education, submitted_on=D(2025, 12, 31))

        rows = rows_by("TY-Y1", today=D(2026, 1, 5))

        self.assertEqual(
            rows,
            {
                "P-WJG": (1, 1, MET),  # county leader: own report
                "QH-JYJ": (1, 1, MET),  # unit head's unit: the unit's report, on the due day
                "QH-QS": (1, 0, SHORT),  # township secretary's township: nothing handed in
            },
        )

    def test_a_report_after_the_due_date_does_not_count_and_says_why(self) -> None:
        make_submission(kind=ANNUAL, year=2025, unit=self.c.qingshan, submitted_on=D(2026, 1, 3))
        rules = list(Rule.objects.filter(rule_id="TY-Y1"))
        (row,) = [
            r
            for r in SubmissionEvaluator().evaluate(rules, Period.year(2025), today=D(2026, 2, 1))
            if r.subject == "QH-QS"
        ]

        self.assertEqual((row.actual, row.status), (0, SHORT))
        self.assertIn("2025-12-31", row.note)

    def test_rows_stay_open_until_the_year_ends(self) -> None:
        self.assertEqual(rows_by("TY-Y1", today=D(2025, 12, 30))["P-WJG"], (1, 0, OPEN))

    def test_research_reports_count_per_person_capped_at_the_minimum(self) -> None:
        for day in (3, 4):
            make_submission(
                kind=RESEARCH, year=2025, person=self.edu_head, submitted_on=D(2025, 6, day)
            )

        self.assertEqual(rows_by("HF-V5a", today=D(2026, 1, 1))["P-TZY"], (1, 1, MET))
        # HF-V5b asks reports of the heads of counties and of city departments, not of a
        # county department
        self.assertNotIn("P-TZY", rows_by("HF-V5b", today=D(2026, 1, 1)))
        self.assertEqual(rows_by("HF-V5a", today=D(2026, 1, 1))["P-LM"], (1, 0, SHORT))

    def test_three_queries_whatever_the_number_of_rules_and_people(self) -> None:
        rules = list(Rule.objects.filter(rule_id__in=("TY-Y1", "HF-V5a", "HF-V5b")))
        for n in range(10):
            make_person(f"人{n}", self.c.qingshan, "township_leader", code=f"P-X{n}")
        # people with the rules' posts, and one grouped read of the year's reports
        with self.assertNumQueries(2):
            list(SubmissionEvaluator().evaluate(rules, Period.year(2025), today=D(2026, 1, 1)))

    def test_records_list_the_reports_behind_a_row(self) -> None:
        make_submission(
            kind=ANNUAL, year=2025, unit=self.c.qingshan, submitted_on=D(2026, 1, 3), title="迟交"
        )
        rule = Rule.objects.get(rule_id="TY-Y1")

        (record,) = SubmissionEvaluator().records(rule, "QH-QS", "2025", user=self.c.supervisor)

        self.assertEqual((record.label, record.late), ("迟交", True))


class SubmissionPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(["taoyuan"])
        cls.report = make_submission(
            kind=ANNUAL, year=2025, unit=cls.c.qingshan, submitted_on=D(2025, 12, 1)
        )

    def test_permission_triple_on_a_report(self) -> None:
        url = f"/reports/submissions/{self.report.pk}/"
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")
        self.client.force_login(self.c.chengguan_staff)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.c.qingshan_staff)
        self.assertContains(self.client.get(url), "report 2025")

    def test_the_list_shows_who_has_not_handed_in(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get("/reports/submissions/?year=2025")

        self.assertContains(response, "王建国")  # the county leader owes a report
        self.assertEqual({r.subject for r in response.context["owing"]}, {"P-WJG"})

    def test_the_list_has_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.c.supervisor)
        url = "/reports/submissions/?year=2025"
        first = count_queries(self.client, url)
        for n in range(6):
            leader = make_person(f"领导{n}", self.c.county, "county_leader", code=f"P-L{n}")
            make_submission(kind=ANNUAL, year=2025, person=leader, submitted_on=D(2025, 12, 1))

        # session, user, navigation and the today panels' reads; then the rules, the visible
        # units and people, the evaluator's two reads and one page of reports: no read per person.
        self.assertEqual(count_queries(self.client, url), first)

    def test_a_leader_submits_an_attachment_and_downloads_it(self) -> None:
        self.client.force_login(self.c.leader)
        response = self.client.post(
            "/reports/submissions/new/",
            {
                "kind": ANNUAL,
                "year": 2025,
                "on_behalf": "self",
                "title": "年度报告",
                "text": "",
                "submitted_on": "2025-12-20",
                "attachment": SimpleUploadedFile("报告.txt", "内容".encode()),
            },
        )
        report = Submission.objects.get(title="年度报告")

        self.assertRedirects(response, f"/reports/submissions/{report.pk}/")
        self.assertEqual((report.person, report.unit), (self.c.county_leader, self.c.county))
        download = self.client.get(f"/reports/submissions/{report.pk}/attachment/")
        self.assertEqual(b"".join(download.streaming_content), "内容".encode())

    def test_an_empty_report_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post(
            "/reports/submissions/new/",
            {
                "kind": ANNUAL,
                "year": 2025,
                "on_behalf": "unit",
                "title": "x",
                "submitted_on": "2025-12-20",
            },
        )

        self.assertContains(response, "请填写报告正文或上传附件。")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
