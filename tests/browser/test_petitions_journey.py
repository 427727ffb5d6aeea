"""A clerk registers a visitor's petition in one form and routes it; books it for the duty
leader's reception today; the leader logs in and finds it on "my roster"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from petitions.models import Petition, Reception
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county
from tests.petitions.helpers import load_rule_packs, make_id_number

# The matter's dates are typed in (the working-day calendar must know them); today's duty
# needs no working-day computation, so the test runs on any day.
RECEIVED = "2025-09-26"


@pytest.mark.browser
class PetitionJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        load_rule_packs("dongan")
        self.county = build_county()
        self.duty = Reception.objects.create(
            date=timezone.localdate(),
            part="day",
            kind="bureau_sitting",
            unit=self.county.county,
            person=self.county.county_leader,
        )

    def test_clerk_registers_and_routes_a_petition_and_the_leader_sees_it_on_my_roster(
        self,
    ) -> None:
        page = self.page
        self.login("clerk", PASSWORD, "/petitions/new/")
        page.wait_for_url(self.url("/petitions/new/"))
        page.fill("input[name=received_on]", RECEIVED)
        page.select_option("select[name=channel]", "visit")
        page.fill("input[name=summary]", "宅基地界址纠纷")
        page.fill("textarea[name=content]", "反映邻居建房占用其宅基地，村组协调未果。")
        page.select_option("select[name=category]", "land")
        page.select_option("select[name=township]", label="青山乡")
        page.fill("input[name=p-0-name]", "刘群众")
        page.fill("input[name=p-0-id_number]", make_id_number("19700101", serial=42))
        page.fill("input[name=p-0-phone]", "13812345678")
        page.click("form.petition-register button[type=submit]:not([name])")
        page.wait_for_url(lambda url: "/petitions/new/" not in url)
        petition = Petition.objects.get()
        self.assertIn(petition.ref, page.inner_text("main h1"))

        page.click(f"a[href='/petitions/{petition.pk}/step/route/']")
        page.select_option("select[name=lead_unit]", label="青山乡")
        page.fill("input[name=on]", RECEIVED)
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url(f"/petitions/{petition.pk}/"))
        # the rule by its short name, the code on hover
        self.assertIn("受理告知时限", page.inner_text("table.clocks"))
        self.assertTrue(page.locator("table.clocks [title^='NAT-ACCEPT ']").count())
        petition.refresh_from_db()
        self.assertEqual(petition.lead_unit, self.county.qingshan)

        page.goto(self.url(f"/petitions/roster/{self.duty.pk}/"))
        page.click(f"a[href='/petitions/roster/{self.duty.pk}/appointment/']")
        page.check(f"input[name=petitions][value='{petition.pk}']")
        page.fill("input[name=consent_on]", timezone.localdate().isoformat())
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/petitions/appointments/" in url)

        self.context.clear_cookies()
        self.login("leader", PASSWORD, "/petitions/my-roster/")
        page.wait_for_url(self.url("/petitions/my-roster/"))
        roster = page.inner_text("main")
        self.assertIn(petition.ref, roster)
        self.assertIn("宅基地界址纠纷", roster)
        self.assertIn("刘群众", roster)
