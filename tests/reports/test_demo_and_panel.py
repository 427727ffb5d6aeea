from __future__ import annotations

import datetime as dt
import io

from django.test import RequestFactory, TestCase

from directory.demo import build_accounts, build_directory
from reports import demo
from reports.models import Campaign, CampaignState, Submission, SubmissionKind
from reports.panels import _panel_context
from reports.scores import campaign_scores
from rules.packs import load_packs
from tests.helpers import build_county, make_rule
from tests.reports.helpers import make_submission


class DemoTests(TestCase):
    def test_the_demo_builds_reports_and_campaigns_once(self) -> None:
        build_directory()
        build_accounts()
        load_packs(["taoyuan", "hefei"])
        out = io.StringIO()
        demo.build(stdout=out)
        counts = (Submission.objects.count(), Campaign.objects.count())
        demo.build(stdout=io.StringIO())

        self.assertEqual((Submission.objects.count(), Campaign.objects.count()), counts)
        closed = Campaign.objects.get(state=CampaignState.CLOSED)
        rows = campaign_scores(closed)
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows[0].rank, 1)
        self.assertTrue(Campaign.objects.filter(state=CampaignState.OPEN).exists())
        self.assertIn("ballot codes", out.getvalue())


class TodayPanelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        make_rule(
            "TY-Y1",
            "SUBMISSION",
            {"document": "annual_report", "due": "12-31"},
            period="year",
            subject_posts="county_leader;township_secretary",
        )

    def panel(self, user, today: dt.date):
        request = RequestFactory().get("/")
        request.user = user
        return _panel_context(request, today)

    def test_a_leader_is_reminded_in_december_until_the_report_is_in(self) -> None:
        self.assertIsNone(self.panel(self.c.leader, dt.date(2025, 6, 1)))
        owed = self.panel(self.c.leader, dt.date(2025, 12, 1))["owed"]
        self.assertEqual([row.subject for row, _title in owed], ["P-WJG"])

        make_submission(
            kind=SubmissionKind.ANNUAL_REPORT,
            year=2025,
            person=self.c.county_leader,
            submitted_on=dt.date(2025, 12, 2),
        )
        self.assertIsNone(self.panel(self.c.leader, dt.date(2025, 12, 3)))

    def test_unit_staff_see_their_units_report(self) -> None:
        owed = self.panel(self.c.qingshan_staff, dt.date(2025, 11, 15))["owed"]

        self.assertEqual([row.subject for row, _title in owed], ["QH-QS"])
