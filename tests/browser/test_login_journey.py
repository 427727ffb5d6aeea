from __future__ import annotations

import re

import pytest

from directory import navigation
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county


@pytest.mark.browser
class LoginJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.county = build_county()

    def test_user_logs_in_sees_today_page_and_logs_out(self) -> None:
        page = self.page
        page.goto(self.url("/"))
        self.assertRegex(page.url, r"/accounts/login/\?next=/$")
        self.assertEqual(self.html_lang(), "zh-hans")

        page.fill("input[name=username]", "leader")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url("/"))

        self.assertEqual(self.html_lang(), "zh-hans")
        self.assertIn("leader", page.inner_text(".site-header .user-name"))
        self.assertEqual(page.inner_text("main .user-unit"), "清河县")
        self.assertTrue(page.is_visible("main time"))

        page.click(".site-header form[action$='/accounts/logout/'] button")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        page.goto(self.url("/"))
        self.assertRegex(page.url, r"/accounts/login/\?next=/$")

    def test_wrong_password_shows_the_error_on_the_login_page(self) -> None:
        self.login("leader", "not-the-password")
        self.assertIn("/accounts/login/", self.page.url)
        self.assertTrue(self.page.is_visible(".error-box[role=alert]"))
        self.assertEqual(self.page.input_value("input[name=username]"), "leader")

    def test_language_switch_turns_the_page_english_and_back(self) -> None:
        self.login("clerk", PASSWORD)
        self.page.click(".language-switch button[value=en]")
        self.page.wait_for_load_state()
        self.assertEqual(self.html_lang(), "en")
        self.assertEqual(self.page.inner_text("main h1"), "Today")
        self.page.click(".language-switch button[value=zh-hans]")
        self.page.wait_for_load_state()
        self.assertEqual(self.html_lang(), "zh-hans")
        self.assertEqual(self.page.url, self.url("/"))


@pytest.mark.browser
class MobileNavigationTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_county()
        # The live server runs in this process, so an entry registered here shows on its pages.
        previous = navigation._items.get("today")
        navigation.register("Test entry", "today", order=1, group="petitions")
        self.addCleanup(self._restore_nav_entry, previous)

    @staticmethod
    def _restore_nav_entry(previous: navigation.NavItem | None) -> None:
        navigation._items.pop("today", None)
        if previous is not None:
            navigation._items["today"] = previous

    def test_narrow_screen_folds_the_navigation_behind_a_working_toggle(self) -> None:
        page = self.page
        page.set_viewport_size({"width": 375, "height": 740})
        self.login("chengguan", PASSWORD)

        link = page.locator("#site-nav a", has_text="Test entry")
        self.assertFalse(link.is_visible())
        page.click(".nav-toggle")
        self.assertEqual(page.get_attribute(".nav-toggle", "aria-expanded"), "true")
        # the menu opens at the area of the page shown
        self.assertTrue(link.is_visible())
        self.assertEqual(link.get_attribute("aria-current"), "page")
        self.assertTrue(page.is_visible(".site-header form[action$='/accounts/logout/'] button"))
        # Nothing sticks out sideways on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.assertLessEqual(overflow, 0)
        link.click()
        page.wait_for_url(self.url("/"))


@pytest.mark.browser
class DesktopMenuTests(BrowserTestCase):
    viewport = {"width": 1366, "height": 800}

    def setUp(self) -> None:
        super().setUp()
        build_county()

    def test_an_area_opens_on_click_one_at_a_time_and_closes_on_escape_or_elsewhere(self) -> None:
        page = self.page
        self.login("clerk", PASSWORD, "/petitions/roster/")
        petitions = page.locator('.nav-group[data-group="petitions"]')
        appeals = page.locator('.nav-group[data-group="appeals"]')
        roster = petitions.locator("a", has_text="接访排班")
        self.assertEqual(petitions.locator("summary").get_attribute("aria-current"), "true")
        self.assertFalse(roster.is_visible())
        petitions.locator("summary").click()
        self.assertTrue(roster.is_visible())
        self.assertEqual(roster.get_attribute("aria-current"), "page")
        appeals.locator("summary").click()  # the other area closes
        self.assertFalse(roster.is_visible())
        self.assertTrue(appeals.locator("a", has_text="民情日报").is_visible())
        page.keyboard.press("Escape")
        self.assertFalse(appeals.locator("a", has_text="民情日报").is_visible())
        petitions.locator("summary").click()
        page.click("main h1")
        self.assertFalse(roster.is_visible())
        petitions.locator("summary").click()
        petitions.locator("a", has_text="信访事项").click()
        page.wait_for_url(self.url("/petitions/"))
        # every area title and entry on one line
        heights = page.evaluate(
            "() => Array.from(document.querySelectorAll('.site-nav summary'))"
            ".map((s) => s.getBoundingClientRect().height)"
        )
        self.assertEqual(len({round(h) for h in heights}), 1)
