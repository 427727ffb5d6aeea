"""On a phone: a cadre opens "my households", logs a visit to an overdue household and sees
it drop off the overdue list; the four-musts visit due on that household closes with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from assistance.models import EventKind
from assistance.services import event_record
from rules.models import Clock, ClockState
from tests.assistance.helpers import (
    build_assistance_county,
    load_assistance_rules,
    make_pairing,
    make_visit,
)
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD

D = dt.date


@pytest.mark.browser
@override_settings(FROZEN_TODAY=D(2025, 11, 20))
class MyHouseholdsOnAPhoneTests(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def setUp(self) -> None:
        super().setUp()
        load_assistance_rules()
        self.c = build_assistance_county()
        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.monitored, D(2025, 9, 15))  # next due 31 Oct: overdue
        make_pairing(self.c.cadre, self.c.alleviated, "alleviated", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.alleviated, D(2025, 10, 2))  # due 31 Dec
        event_record(household=self.c.monitored, kind=EventKind.ILLNESS, date=D(2025, 11, 17))

    def test_a_cadre_logs_a_visit_and_the_household_leaves_the_overdue_list(self) -> None:
        page = self.page
        self.login("zhouping", PASSWORD, "/assistance/")
        overdue = page.locator("#overdue article[data-household='H-M1']")
        self.assertTrue(overdue.is_visible())
        self.assertEqual(overdue.locator(".next-due time").get_attribute("datetime"), "2025-10-31")
        self.assertEqual(page.locator("#overdue article").count(), 1)
        # Nothing sticks out sideways on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.assertLessEqual(overflow, 0)

        overdue.locator("details.log-contact summary").click()
        self.assertEqual(overdue.locator("input[name=date]").input_value(), "2025-11-20")
        overdue.locator("select[name=kind]").select_option("household")
        overdue.locator("textarea[name=heard]").fill("病情稳定，已办理医保报销。")
        overdue.locator("button[type=submit]").click()
        page.wait_for_load_state()

        self.assertEqual(page.locator("#overdue article").count(), 0)
        visited = page.locator("#upcoming article[data-household='H-M1']")
        self.assertTrue(visited.is_visible())
        self.assertEqual(
            visited.locator(".last-contact time").get_attribute("datetime"), "2025-11-20"
        )
        self.assertEqual(visited.locator(".next-due time").get_attribute("datetime"), "2025-12-31")
        self.assertTrue(page.is_visible(".messages .message"))
        clock = Clock.objects.get()
        self.assertEqual((clock.state, clock.done_on), (ClockState.DONE, D(2025, 11, 20)))
