from __future__ import annotations

import io
import re

import openpyxl
from django.test import TestCase

from directory.models import Role
from reports.models import BallotCode, Campaign, CampaignState, EvaluatorGroup, PaperTally
from tests.helpers import build_county, make_unit, make_user
from tests.reports.helpers import close, enter_paper, make_campaign


class CampaignPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.campaign = make_campaign("C-1", cls.c.county, units=[cls.c.chengguan, cls.c.qingshan])
        other = make_unit("外县", "county", code="WX")
        cls.other_supervisor = make_user("other-sup", other, Role.SUPERVISOR)

    def test_permission_triple_on_a_campaign(self) -> None:
        url = f"/reports/campaigns/{self.campaign.pk}/"
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")
        self.client.force_login(self.other_supervisor)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.c.supervisor)
        self.assertContains(self.client.get(url), "C-1")

    def test_unit_staff_may_not_run_evaluations(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get("/reports/campaigns/").status_code, 403)

    def test_the_list_has_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.c.supervisor)
        # session, user, the user's unit (scope) and the campaigns: one page, however many.
        with self.assertNumQueries(4):
            self.client.get("/reports/campaigns/")

    def test_a_supervisor_prepares_opens_tallies_and_closes_a_campaign(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.post(
            "/reports/campaigns/new/",
            {
                "code": "C-2",
                "name": "乡镇测评",
                "year": 2025,
                "target_kind": "units",
                "satisfied_points": 100,
                "basic_points": 60,
                "unsatisfied_points": 0,
            },
        )
        campaign = Campaign.objects.get(code="C-2")
        self.assertRedirects(response, f"/reports/campaigns/{campaign.pk}/")
        base = f"/reports/campaigns/{campaign.pk}"
        self.client.post(f"{base}/targets/", {"units": [self.c.chengguan.pk, self.c.qingshan.pk]})
        self.client.post(f"{base}/groups/", {"kind": "deputy", "name": "", "weight": ""})
        self.client.post(f"{base}/open/")
        campaign.refresh_from_db()
        self.assertEqual((campaign.state, campaign.unit), (CampaignState.OPEN, self.c.county))

        group = EvaluatorGroup.objects.get(campaign=campaign)
        targets = {t.code: t.pk for t in campaign.targets.all()}
        data = {
            f"c{targets['QH-CG']}_satisfied": 3,
            f"c{targets['QH-CG']}_basic": 1,
            f"c{targets['QH-CG']}_unsatisfied": 0,
            f"c{targets['QH-QS']}_satisfied": 1,
            f"c{targets['QH-QS']}_basic": 0,
            f"c{targets['QH-QS']}_unsatisfied": 1,
        }
        self.assertRedirects(self.client.post(f"{base}/tally/{group.pk}/", data), f"{base}/")
        self.assertEqual(PaperTally.objects.filter(group=group).count(), 6)

        self.client.post(f"{base}/close/")
        page = self.client.get(f"{base}/")
        self.assertContains(page, 'class="results"')
        self.assertEqual([(r.code, r.score, r.rank) for r in page.context["scores"]][0][0], "QH-CG")

    def test_codes_are_shown_once_as_slips(self) -> None:
        self.client.force_login(self.c.supervisor)
        group = EvaluatorGroup.objects.get(campaign=self.campaign)
        response = self.client.post(
            f"/reports/campaigns/{self.campaign.pk}/codes/", {"group": group.pk, "count": 3}
        )

        codes = re.findall(r"[A-Z2-9]{5}-[A-Z2-9]{5}", response.content.decode())
        self.assertEqual(len(set(codes)), 3)
        self.assertEqual(BallotCode.objects.filter(group=group).count(), 3)
        self.assertNotContains(self.client.get(f"/reports/campaigns/{self.campaign.pk}/"), codes[0])

    def test_a_closed_campaign_exports_its_ranking_to_excel(self) -> None:
        enter_paper(self.campaign, "deputy", {"QH-CG": (1, 0, 0), "QH-QS": (0, 1, 0)})
        close(self.campaign)
        self.client.force_login(self.c.supervisor)
        response = self.client.get(f"/reports/campaigns/{self.campaign.pk}/export.xlsx")

        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual([c.value for c in book["scores"][2]][:2], ["QH-CG", "城关镇"])
        self.assertEqual(book["groups"].max_row, 3)

    def test_weights_must_be_given_to_every_group_or_none(self) -> None:
        campaign = make_campaign(
            "C-3",
            self.c.county,
            units=[self.c.chengguan],
            groups=[("deputy", "2"), ("public", None)],
            open_it=False,
        )
        self.client.force_login(self.c.supervisor)
        self.client.post(f"/reports/campaigns/{campaign.pk}/open/", follow=True)

        campaign.refresh_from_db()
        self.assertEqual(campaign.state, CampaignState.DRAFT)


class PublicBallotPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from reports.evaluation import codes_issue

        cls.c = build_county()
        cls.campaign = make_campaign("C-P", cls.c.county, units=[cls.c.chengguan])
        (cls.code,) = codes_issue(group=EvaluatorGroup.objects.get(campaign=cls.campaign), count=1)

    def test_anyone_opens_the_ballot_with_a_code_and_votes_once(self) -> None:
        target = self.campaign.targets.get()
        opened = self.client.post("/public/reports/ballot/", {"code": self.code})
        self.assertContains(opened, "城关镇")

        voted = self.client.post(
            "/public/reports/ballot/vote/", {"code": self.code, f"t{target.pk}": "satisfied"}
        )
        again = self.client.post("/public/reports/ballot/", {"code": self.code})

        self.assertTemplateUsed(voted, "reports/public_thanks.html")
        self.assertContains(again, "测评码无效或已被使用。")
        self.assertNotIn("code", self.client.session)

    def test_a_ballot_without_every_rating_is_shown_again_with_the_error(self) -> None:
        response = self.client.post("/public/reports/ballot/vote/", {"code": self.code})

        self.assertTemplateUsed(response, "reports/public_ballot.html")
        self.assertFalse(BallotCode.objects.get().used)
