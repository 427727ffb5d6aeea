from __future__ import annotations

import pytest

from reports.evaluation import codes_issue
from reports.models import EvaluatorGroup
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county
from tests.reports.helpers import enter_paper, make_campaign, target_ids


@pytest.mark.browser
class BallotJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = build_county()
        self.campaign = make_campaign(
            "C-WEB", self.c.county, units=[self.c.chengguan, self.c.qingshan]
        )
        enter_paper(self.campaign, "deputy", {"QH-CG": (3, 1, 0), "QH-QS": (4, 0, 0)})
        (self.code,) = codes_issue(
            group=EvaluatorGroup.objects.get(campaign=self.campaign), count=1
        )
        self.ids = target_ids(self.campaign)

    def open_ballot(self, code: str) -> None:
        self.page.goto(self.url("/public/reports/ballot/"))
        self.page.fill("input[name=code]", code)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state()

    def test_a_delegate_votes_once_and_the_supervisor_sees_the_ranking_after_closing(self) -> None:
        page = self.page
        self.open_ballot(self.code.lower())
        self.assertIn("城关镇", page.inner_text("main"))
        page.check(f"input[name=t{self.ids['QH-CG']}][value=satisfied]")
        page.check(f"input[name=t{self.ids['QH-QS']}][value=unsatisfied]")
        page.click("main form button[type=submit]")
        page.wait_for_selector("article.ballot-done")

        self.open_ballot(self.code)
        self.assertTrue(page.is_visible("main .errorlist"))
        self.assertFalse(page.is_visible("article.ballot"))

        self.login("supervisor", PASSWORD, f"/reports/campaigns/{self.campaign.pk}/")
        self.assertFalse(page.is_visible("section.results"))
        page.click("button.close-campaign")
        page.wait_for_selector("section.results")
        ranking = page.locator("table.scores tbody tr")
        self.assertEqual(ranking.count(), 2)
        # 城关镇: 4 satisfied, 1 basic of 5 → 92.00; 青山乡: 4 satisfied, 1 unsatisfied → 80.00
        self.assertEqual(ranking.nth(0).locator("td").nth(0).inner_text(), "1")
        self.assertIn("城关镇", ranking.nth(0).inner_text())
        self.assertIn("92.00", ranking.nth(0).inner_text())
        self.assertIn("80.00", ranking.nth(1).inner_text())
