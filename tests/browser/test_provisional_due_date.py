"""December does not stop the office: on 2 December 2026, before the 2027 holiday schedule is
entered, the township accepts a petition in the browser; its 60-day deadline shows as a
provisional 1 February 2027 with the reason on hover; the administrator enters the 2027
schedule and the deadline is recomputed and no longer provisional."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from petitions.matters.services import petition_route
from rules.models import CalendarYear
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county
from tests.petitions.helpers import load_rule_packs, make_petition

D = dt.date


@pytest.mark.browser
@override_settings(FROZEN_TODAY=D(2026, 12, 2))
class ProvisionalDueDateJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        load_rule_packs()
        self.county = build_county()
        self.petition = make_petition(self.county, received_on=D(2026, 11, 30))
        petition_route(
            petition=self.petition,
            lead_unit=self.county.qingshan,
            on=D(2026, 11, 30),
            acting_user=self.county.petition_clerk,
        )

    def test_a_provisional_due_date_shows_its_badge_and_goes_once_the_year_is_entered(
        self,
    ) -> None:
        page = self.page
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        detail = f"/petitions/{self.petition.pk}/"
        self.login("qingshan", PASSWORD, f"{detail}step/accept/")
        page.wait_for_url(self.url(f"{detail}step/accept/"))
        page.fill("input[name=on]", "2026-12-02")
        page.check("input[name=accepted][value='1']")
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url(detail))

        row = page.locator("table.clocks tr", has=page.locator("[title^='NAT-CONCLUDE ']"))
        self.assertIn("2027年2月1日", row.inner_text())
        badge = row.locator(".badge.provisional")
        self.assertTrue(badge.is_visible())
        self.assertEqual(badge.inner_text(), "暂定")
        reason = badge.get_attribute("title") or ""
        self.assertIn("2027年放假安排尚未录入", reason)
        badge.hover()  # the reason is the badge's tooltip
        self.assertEqual(badge.evaluate("el => getComputedStyle(el).cursor"), "help")
        page.goto(self.url("/petitions/"))
        self.assertTrue(page.locator("td .badge.provisional").first.is_visible())

        # The administrator enters the 2027 schedule (31 January a working Sunday)
        page.context.clear_cookies()
        self.login("admin", PASSWORD, "/calendar/new/?year=2027")
        page.wait_for_url(lambda url: "/calendar/new/" in url)
        page.fill(
            "textarea[name=holidays]", "2027-01-01..2027-01-03 元旦\n2027-02-05..2027-02-13 春节"
        )
        page.fill("textarea[name=workdays]", "2027-01-31 春节")
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url("/calendar/2027/"))

        page.goto(self.url(detail))
        row = page.locator("table.clocks tr", has=page.locator("[title^='NAT-CONCLUDE ']"))
        self.assertIn("2027年1月31日", row.inner_text())
        self.assertEqual(row.locator(".badge.provisional").count(), 0)
