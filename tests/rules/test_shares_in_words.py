"""A share in a rule's parameters reads as people say it: 0.3333 is 三分之一（33.3%）."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from rules.kinds import share_in_words
from rules.packs import load_packs
from tests.helpers import build_county


class ShareInWordsTests(TestCase):
    def test_simple_fractions_are_named_with_their_percentage(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(share_in_words(0.3333), "三分之一（33.3%）")
            self.assertEqual(share_in_words("0.25"), "四分之一（25%）")
            self.assertEqual(share_in_words(0.6667), "三分之二（66.7%）")
            self.assertEqual(share_in_words(0.5), "二分之一（50%）")
        with translation.override("en"):
            self.assertEqual(share_in_words(0.3333), "1/3 (33.3%)")

    def test_other_shares_are_percentages(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(share_in_words(0.37), "37%")
            self.assertEqual(share_in_words(0.123), "12.3%")


class RulePagesShowSharesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(["tianjin"])

    def test_the_rule_list_and_page_show_one_third_not_0_3333(self) -> None:
        self.client.force_login(self.c.supervisor)
        for url in (reverse("rule-list"), reverse("rule-detail", args=["TJ-V1"])):
            response = self.client.get(url)
            self.assertContains(response, "三分之一（33.3%）")
            self.assertNotContains(response, "0.3333")
