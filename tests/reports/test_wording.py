"""Wording on the supervisors' pages: names of campaigns headed 名称 (not 姓名), evaluator groups
by their Chinese names (never the English keys `deputy`, `households`), and a year filter that
shows the year on screen instead of an empty box."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from reports.models import EvaluatorGroup
from tests.helpers import build_county

from .helpers import make_campaign


class CampaignWordingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        # groups as a ledger may bring them: named only by their keys
        cls.campaign = make_campaign(
            "CP-1",
            cls.c.county,
            units=[cls.c.qingshan],
            groups=[("deputy", None), ("households", None), ("street_team", None)],
        )

    def test_the_campaign_list_heads_the_names_as_names_of_things(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("reports-campaigns"))
        self.assertContains(response, '<th scope="col">名称</th>')
        self.assertNotContains(response, "姓名")

    def test_groups_named_by_their_keys_show_chinese_labels(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("reports-campaign", args=[self.campaign.pk]))
        html = response.content.decode()
        self.assertIn('<td class="nowrap">人大代表</td>', html)
        self.assertIn('<td class="nowrap">联系户</td>', html)
        self.assertNotIn(">deputy<", html)
        self.assertNotIn(">households<", html)
        # a group of the campaign's own making keeps the name it was given
        self.assertIn('<td class="nowrap">street_team</td>', html)

    def test_a_group_with_a_name_of_its_own_keeps_it(self) -> None:
        group = EvaluatorGroup.objects.get(campaign=self.campaign, code="deputy")
        group.name = "县人大代表"
        self.assertEqual(group.display_name, "县人大代表")


class YearFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_the_compliance_filter_shows_the_year_of_the_page(self) -> None:
        year = timezone.localdate().year
        self.client.force_login(self.c.supervisor)
        for params in ({}, {"pack": "taoyuan"}, {"year": ""}):
            form = self.client.get(reverse("reports-dashboard"), params).context["form"]
            self.assertEqual(str(form["year"].value()), str(year), params)
        form = self.client.get(reverse("reports-dashboard"), {"year": "2024"}).context["form"]
        self.assertEqual(form["year"].value(), "2024")
