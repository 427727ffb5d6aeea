"""Under the strict Content-Security-Policy, Chromium refuses nothing the pages need: htmx
searches and fetches, the menu script, the print button and the admin work, and the console
reports no blocked script or style."""

from __future__ import annotations

import pytest

from directory.services import account_create
from tests.browser.base import BrowserTestCase
from tests.helpers import PASSWORD, build_county


@pytest.mark.browser
class ContentSecurityPolicyInTheBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = build_county()
        self.blocked: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.blocked.append(f"page error: {error}"))

    def _console(self, message) -> None:  # noqa: ANN001  (playwright's ConsoleMessage)
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.blocked.append(text)

    def test_pages_and_htmx_run_with_nothing_refused(self) -> None:
        page = self.page
        self.login("admin", PASSWORD)
        for path in ("/", "/units/", "/petitions/", "/reports/", "/notifications/inbox/"):
            page.goto(self.url(path))
            page.wait_for_load_state("networkidle")
        # htmx: the household search of the visit form fetches and swaps its results
        page.goto(self.url("/visits/new/"))
        page.select_option("select[name=unit]", label="桃园村（村）")
        page.fill("input[name=q]", "张")
        page.locator("#results label.pick", has_text="张三").wait_for()
        self.assertEqual(self.blocked, [])

    def test_the_admin_opens_with_its_scripts(self) -> None:
        account_create(username="root", password=PASSWORD, unit=None, roles=[], is_superuser=True)
        self.login("root", PASSWORD, "/django-admin/directory/orgunit/")
        self.page.wait_for_load_state("networkidle")
        self.assertTrue(self.page.is_visible("#changelist"))
        scripts = [text for text in self.blocked if "script" in text.lower()]
        self.assertEqual(scripts, [])
