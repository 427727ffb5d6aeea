"""The handling journey in a real browser: the liaison office assigns, the unit records contact
and answer, the deputy marks the answer unsatisfied, and the second handling appears on the
unit's page with its one-month due date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from proposals.models import Proposal, Stage
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD
from tests.proposals.helpers import build_proposals_county, load_proposal_rules, make_proposal

PDF = b"%PDF-1.4\n% answer letter\n"


@pytest.mark.browser
class ProposalJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        load_proposal_rules()
        self.c = build_proposals_county()
        self.item = make_proposal(
            self.c.session, [self.c.deputy], title="关于桃园村修路的建议",
            submitted=dt.date(2025, 1, 11),
        )  # fmt: skip

    def switch_to(self, username: str, path: str) -> None:
        self.context.clear_cookies()
        self.login(username, PASSWORD, path)

    def submit(self, action: str) -> None:
        self.page.click(f"#action-{action} button[type=submit]")
        self.page.wait_for_load_state()

    def test_assign_contact_answer_unsatisfied_and_second_handling(self) -> None:
        page = self.page
        detail = f"/proposals/items/{self.item.pk}/"

        self.switch_to("renda", detail)
        page.select_option("#action-assign select[name=lead_unit]", label="青山乡")
        page.fill("#action-assign input[name=assigned_on]", "2025-11-30")
        self.submit("assign")
        self.assertIn("青山乡", page.inner_text(".lead-unit"))
        answer_due = page.locator("tr[data-rule='TY-P2'] td.due time")
        self.assertEqual(answer_due.get_attribute("datetime"), "2026-02-28")

        self.switch_to("qingshan", detail)
        page.fill("#action-contact input[name=contacted_on]", "2025-12-03")
        page.select_option("#action-contact select[name=method]", "phone")
        self.submit("contact")
        self.assertIn("2025年12月3日", page.inner_text("p.contact"))
        page.fill("#action-answer input[name=answered_on]", "2026-02-20")
        page.select_option("#action-answer select[name=result]", "planned")
        page.fill("#action-answer textarea[name=text]", "已列入明年道路改造计划")
        page.set_input_files(
            "#action-answer input[name=document]",
            {"name": "答复函.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
        self.submit("answer")
        self.assertTrue(page.is_visible("text=答复函.pdf"))

        self.switch_to("deputy", "/proposals/")
        page.wait_for_url(re.compile(r"/proposals/mine/$"))
        article = page.locator("article.my-item", has_text="关于桃园村修路的建议")
        self.assertIn("已列入明年道路改造计划", article.inner_text())
        article.locator("footer a").click()
        page.wait_for_load_state()
        page.check("#action-feedback input[name=attitude][value=basic]")
        page.check("#action-feedback input[name=result][value=unsatisfied]")
        page.fill("#action-feedback input[name=given_on]", "2026-03-02")
        self.submit("feedback")
        second_due = page.locator("tr[data-rule='TY-P3'] td.due time")
        self.assertEqual(second_due.get_attribute("datetime"), "2026-04-02")

        self.switch_to("qingshan", "/proposals/items/")
        row = page.locator("tr[data-ref]", has_text="关于桃园村修路的建议")
        self.assertEqual(row.locator("td.next-due time").get_attribute("datetime"), "2026-04-02")
        self.assertIn("TY-P3", row.inner_text())
        self.assertIn("2026年4月2日", row.inner_text())
        self.assertEqual(Proposal.objects.get(pk=self.item.pk).stage, Stage.SECOND_HANDLING)
