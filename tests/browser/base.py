"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against a live server.

Subclass `BrowserTestCase`, mark the class `@pytest.mark.browser`, and use `self.page`
(a fresh page per test, Chinese browser locale) plus `self.login(username, password)`.
Chromium is never downloaded: the test command installs Debian's package; without it every
browser test fails with a message saying so."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


class BrowserTestCase(StaticLiveServerTestCase):
    """One Chromium per test class with its own empty profile; one page per test."""

    locale = "zh-CN"  # what a county office's browser sends; Django picks zh-hans for it
    viewport = {"width": 1280, "height": 900}

    playwright: Playwright | None = None
    context: BrowserContext | None = None
    browser: Browser | None = None
    launch_error: str = ""
    profile_dir: str = ""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.launch_error = ""
        path = chromium_path()
        if path is None:
            cls.launch_error = (
                "Chromium is not installed (/usr/bin/chromium). Install Debian's package with "
                "`apt-get install chromium` or run `make test`, which installs it."
            )
            return
        cls.profile_dir = tempfile.mkdtemp(prefix="minqing-chromium-")
        cls.playwright = sync_playwright().start()
        try:
            cls.context = cls.playwright.chromium.launch_persistent_context(
                cls.profile_dir,
                executable_path=path,
                headless=True,
                args=CHROMIUM_ARGS,
                locale=cls.locale,
                viewport=cls.viewport,
            )
        except Exception as exc:  # the message of a failed launch is the useful part
            cls.launch_error = f"Chromium at {path} did not start: {exc}"
            cls._stop_playwright()

    @classmethod
    def _stop_playwright(cls) -> None:
        if cls.context is not None:
            cls.context.close()
            cls.context = None
        if cls.playwright is not None:
            cls.playwright.stop()
            cls.playwright = None
        if cls.profile_dir:
            shutil.rmtree(cls.profile_dir, ignore_errors=True)
            cls.profile_dir = ""

    @classmethod
    def tearDownClass(cls) -> None:
        cls._stop_playwright()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        # A live-server test flushes the database after each test, the migration-seeded
        # working-day calendar included: seed it again (idempotent) so every test has it.
        from rules.calendar_seed import seed_from_package
        from rules.models import CalendarDay, CalendarYear

        seed_from_package(CalendarYear, CalendarDay)
        if self.launch_error or self.context is None:
            self.fail(self.launch_error or "Chromium did not start")
        self.context.clear_cookies()
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        # The page stays open after the test so that a failure can be photographed
        # (tests/browser/conftest.py); it is closed there.

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def login(self, username: str, password: str, next_path: str = "/") -> None:
        self.page.goto(self.url(next_path))
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state()

    def html_lang(self) -> Any:
        return self.page.get_attribute("html", "lang")
