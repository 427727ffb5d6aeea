"""On a phone: a leader logs a household visit with three households and sees "my quotas"
move (HF-V1b 0 → 3 of 30; 桃园村 gets its TY-V2 household mix)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county, make_household
from tests.visits.helpers import D, load_visit_rules


@pytest.mark.browser
@override_settings(FROZEN_TODAY=D(2025, 6, 16))
class LeaderLogsAVisitOnAPhoneTests(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def setUp(self) -> None:
        super().setUp()
        self.c = build_county()
        load_visit_rules()
        make_household("赵监测", self.c.taoyuan, "monitored", code="H-TY-M")
        make_household("钱普通", self.c.taoyuan, "", code="H-TY-P")

    def quota(self, rule_id: str) -> str:
        return self.page.inner_text(f"#quota-{rule_id} .figures")

    def pick(self, query: str, head: str) -> None:
        page = self.page
        page.fill("input[name=q]", query)
        result = page.locator("#results label.pick", has_text=head)
        result.wait_for()
        result.locator("input").check()
        # The ticked household moves to the picked list and stays there for the next search.
        page.locator("#picked label.pick", has_text=head).wait_for()

    def test_a_leader_logs_three_households_and_sees_my_quotas_update(self) -> None:
        page = self.page
        self.login("leader", PASSWORD, "/visits/quotas/")
        self.assertIn("0", self.quota("HF-V1b").split("/")[0])
        self.assertIn("桃园村", page.inner_text("#quota-TY-V2 .gaps"))

        page.click("a[href='/visits/new/']")
        page.wait_for_url(self.url("/visits/new/"))
        self.assertEqual(page.input_value("input[name=date]"), "2025-06-16")
        self.assertEqual(page.input_value("select[name=kind]"), "household")
        page.select_option("select[name=unit]", label="桃园村（村）")
        self.pick("zs", "张三")
        self.pick("赵", "赵监测")
        self.pick("H-TY-P", "钱普通")
        page.fill("textarea[name=heard]", "盼修村道")
        # Nothing sticks out sideways on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.assertLessEqual(overflow, 0)
        page.click("button[name=save]")
        page.wait_for_url(self.url("/visits/quotas/"))

        self.assertEqual(self.quota("HF-V1b").split()[0:3], ["3", "/", "30"])
        self.assertEqual(self.quota("TY-V2").split()[0:3], ["1", "/", "2"])
        self.assertNotIn("桃园村", page.inner_text("#quota-TY-V2 .gaps"))
        self.assertIn("柳溪村", page.inner_text("#quota-TY-V2 .gaps"))
