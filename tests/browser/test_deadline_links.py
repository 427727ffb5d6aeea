"""Every deadline row leads somewhere: each role with deadline rows (the petition office, a
unit's staff, a leader, the supervisor) finds on its today page — and, where it has one, on
the deadline board — rows that each carry a link, and each link opens (200) for that user in
the same browser session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from petitions.appeals.services import appeal_assign
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county
from tests.petitions.appeal_helpers import at, make_appeal, setup_appeals
from tests.petitions.helpers import make_petition

D = dt.date
TODAY = D(2026, 11, 26)


@pytest.mark.browser
@override_settings(FROZEN_TODAY=TODAY)
class DeadlineLinkTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        setup_appeals()  # national and taoyuan packs, appeal categories
        self.c = build_county()
        # Open clocks: one petition overdue (its objection window), one due soon, both routed
        # to 城关镇 from 青山乡 (the leader's linked township); and an appeal for 城关镇.
        make_petition(self.c, received_on=D(2026, 11, 16), lead_unit=self.c.chengguan)
        make_petition(
            self.c, received_on=D(2026, 11, 24), lead_unit=self.c.chengguan, name="孙群众"
        )
        appeal = make_appeal(self.c, received_at=at(2026, 11, 24))
        appeal_assign(
            appeal=appeal,
            unit=self.c.chengguan,
            on=D(2026, 11, 24),
            acting_user=self.c.petition_clerk,
        )

    def rows_and_links(self, path: str) -> list[str]:
        page = self.page
        page.goto(self.url(path))
        rows = page.locator("[data-deadline-row]")
        self.assertGreater(rows.count(), 0, f"no deadline rows on {path}")
        links = []
        for index in range(rows.count()):
            link = rows.nth(index).locator("[data-deadline-link]")
            self.assertEqual(link.count(), 1, f"row {index} on {path} has no link")
            links.append(link.get_attribute("href") or "")
        return links

    def assert_links_open(self, links: list[str]) -> None:
        for href in dict.fromkeys(links):
            response = self.page.goto(self.url(href))
            self.assertIsNotNone(response)
            self.assertEqual(response.status, 200, href)

    def check(self, username: str, *paths: str) -> None:
        self.login(username, PASSWORD)
        links = [link for path in paths for link in self.rows_and_links(path)]
        self.assert_links_open(links)

    def test_the_petition_office_rows_open(self) -> None:
        self.check("clerk", "/", "/notifications/deadlines/")

    def test_a_units_staff_rows_open(self) -> None:
        self.check("chengguan", "/")

    def test_a_leaders_rows_open(self) -> None:
        self.check("leader", "/")

    def test_the_supervisors_rows_open(self) -> None:
        self.check("supervisor", "/", "/notifications/deadlines/")
