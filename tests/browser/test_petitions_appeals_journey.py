"""A citizen sends an appeal and keeps the receipt; the petition office assigns it as the leader
instructed; the township replies; the citizen looks it up with code and key, reads the reply,
answers "unsatisfied" — and the appeal is reopened for a second reply."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from petitions.appeals.services import ensure_default_categories
from petitions.models import Appeal, AppealStatus
from rules.models import CalendarYear, Clock
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county
from tests.petitions.helpers import load_rule_packs

TEXT = "青山乡桃园村村口路灯损坏已有两周，夜间出行很不方便，请尽快维修。"


@pytest.mark.browser
@override_settings(APPEAL_MIN_FILL_SECONDS=0)
class AppealJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        load_rule_packs("taoyuan")
        ensure_default_categories()  # the live server's flush removed the migration's rows
        # The appeal is received today: its five working days may reach into next year, whose
        # schedule the package may not know yet; a plain year keeps the test date-independent.
        CalendarYear.objects.get_or_create(
            year=timezone.localdate().year + 1, defaults={"source": "admin"}
        )
        self.county = build_county()

    def test_citizen_submits_staff_assign_unit_replies_citizen_is_unsatisfied(self) -> None:
        page = self.page
        today = timezone.localdate().isoformat()

        page.goto(self.url("/public/petitions/appeals/new/"))
        page.select_option("select[name=category]", label="城乡建设")
        page.select_option("select[name=township]", label="青山乡")
        page.fill("textarea[name=text]", TEXT)
        page.fill("input[name=contact_phone]", "13812345678")
        page.click("form.public-appeal button[type=submit]")
        page.wait_for_url(self.url("/public/petitions/appeals/receipt/"))
        code = page.inner_text(".receipt-code").strip()
        key = page.inner_text(".receipt-key").strip()
        appeal = Appeal.objects.get()
        self.assertEqual(code, appeal.ref)

        self.login("clerk", PASSWORD, "/petitions/appeals/")
        page.click(f"a[href='/petitions/appeals/{appeal.pk}/']")
        page.click(f"a[href='/petitions/appeals/{appeal.pk}/step/assign/']")
        page.select_option("select[name=unit]", label="青山乡")
        page.fill("textarea[name=instruction]", "请青山乡尽快核实维修并答复群众")
        page.select_option("select[name=instructed_by]", label="王建国")
        page.fill("input[name=on]", today)
        page.click("form.appeal-step button[type=submit]")
        page.wait_for_url(self.url(f"/petitions/appeals/{appeal.pk}/"))
        self.assertIn("请青山乡尽快核实维修并答复群众", page.inner_text("main"))

        self.context.clear_cookies()
        self.login("qingshan", PASSWORD, f"/petitions/appeals/{appeal.pk}/")
        page.click(f"a[href='/petitions/appeals/{appeal.pk}/step/reply/']")
        page.fill("textarea[name=text]", "经核实，路灯已于今日修复，感谢您的监督。")
        page.fill("input[name=on]", today)
        page.click("form.appeal-step button[type=submit]")
        page.wait_for_url(self.url(f"/petitions/appeals/{appeal.pk}/"))
        self.assertEqual(Clock.objects.for_item(appeal).get().on_time, True)

        self.context.clear_cookies()
        page.goto(self.url("/public/petitions/appeals/lookup/"))
        page.fill("input[name=ref]", code)
        page.fill("input[name=key]", key)
        page.click("form.public-lookup button[type=submit]")
        page.wait_for_url(self.url("/public/petitions/appeals/status/"))
        self.assertIn("路灯已于今日修复", page.inner_text(".reply-text"))
        page.check("input[name=rating][value=不满意]")
        page.fill("textarea[name=note]", "晚上仍然不亮")
        page.click("form.public-feedback button[type=submit]")
        page.wait_for_url(self.url("/public/petitions/appeals/status/"))
        self.assertTrue(page.is_visible(".reopened"))

        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.round), (AppealStatus.REOPENED, 2))
        steps = Clock.objects.for_item(appeal).order_by("pk").values_list("step", "state")
        self.assertEqual(list(steps), [("reply", "done"), ("second_reply", "open")])
