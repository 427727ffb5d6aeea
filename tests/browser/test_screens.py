"""Screenshots of every demo role's main pages at 1366 px and on a 375 px phone, into
test-artifacts/screens/ (CI keeps the folder), and no navigation label wrapping inside a word.

The demo county is built in the test database (`manage.py demo`), so each account sees the
pages it has in the demo. Chromium gets the CJK font the application ships for its PDFs
(reports/fonts/) through a temporary fontconfig file, so that the pictures show Chinese text."""

from __future__ import annotations

import os
import re
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from directory import navigation
from directory.demo import DEMO_PASSWORD
from directory.models import User
from petitions.models import Petition, PetitionStatus
from tests.browser.base import BrowserTestCase

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
WIDTHS = {"desktop": 1366, "phone": 375}

# For each navigation label (a menu's title or an entry): the number of lines its text takes.
# A range over the text gives one rectangle per line box, whatever the element's display.
LABEL_LINES_JS = """
() => Array.from(document.querySelectorAll('.site-nav .nav-label')).map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set(Array.from(range.getClientRects())
    .filter((r) => r.width > 0 && r.height > 0).map((r) => Math.round(r.top)));
  return {label: el.textContent.trim(), lines: tops.size};
})
"""

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "today"


@pytest.mark.browser
class ScreensTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.font_dir = tempfile.mkdtemp(prefix="minqing-fonts-")
        conf = Path(cls.font_dir) / "fonts.conf"
        conf.write_text(
            FONTS_CONF.format(
                fonts=Path(settings.BASE_DIR) / "reports" / "fonts",
                cache=Path(cls.font_dir) / "cache",
            ),
            encoding="utf-8",
        )
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(conf)  # read by Chromium when it starts
        try:
            super().setUpClass()
        finally:
            if previous is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = previous

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        import shutil

        shutil.rmtree(cls.font_dir, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        call_command("demo", stdout=StringIO(), verbosity=0)

    def show_every_menu(self, width: int) -> None:
        if width < 768:
            self.page.click(".nav-toggle")
        self.page.evaluate(
            "() => document.querySelectorAll('.site-nav details')"
            ".forEach((d) => d.setAttribute('open', ''))"
        )

    def wrapped_labels(self, width: int) -> list[dict[str, Any]]:
        self.show_every_menu(width)
        labels = self.page.evaluate(LABEL_LINES_JS)
        self.assertTrue(labels, "no navigation labels on the page")
        return [label for label in labels if label["lines"] != 1]

    def main_pages(self, user: User) -> list[str]:
        """The today page and the first page of each area in the account's menu (Django's
        admin aside): its main pages, one of each kind of work it does."""
        items = navigation.items_for(user)
        firsts = [
            group["items"][0]["url"]
            for group in navigation.groups_for(items)
            if group["items"][0]["name"] != "admin:index"
        ]
        return ["/", *firsts]

    def test_every_role_s_main_pages_are_photographed_and_no_menu_label_wraps(self) -> None:
        users = list(User.objects.filter(username__in=self.demo_usernames()).order_by("pk"))
        self.assertEqual(len(users), 12)
        problems: list[str] = []
        for name, width in WIDTHS.items():
            folder = SCREENS / name
            folder.mkdir(parents=True, exist_ok=True)
            self.page.set_viewport_size({"width": width, "height": 900})
            for user in users:
                self.context.clear_cookies()
                self.login(user.username, DEMO_PASSWORD)
                for path in self.main_pages(user):
                    response = self.page.goto(self.url(path))
                    self.assertIsNotNone(response)
                    self.assertLess(response.status, 400, f"{user.username} {path}")
                    shot = folder / f"{user.username}-{slug(path)}.png"
                    self.page.screenshot(path=str(shot), full_page=True)
                    for label in self.wrapped_labels(width):
                        problems.append(f"{width}px {user.username} {path}: {label}")
        self.assertEqual(problems, [], "navigation labels wrapped inside a word")

    def test_the_reason_for_not_accepting_shows_only_when_refusing(self) -> None:
        petition = Petition.objects.filter(
            status=PetitionStatus.ROUTED, lead_unit__code="QHX-CGZ"
        ).first()
        if petition is None:
            self.skipTest("the demo has no petition routed to 城关镇 to accept")
        self.login("chengguan", DEMO_PASSWORD, f"/petitions/{petition.pk}/step/accept/")
        reason = self.page.locator("textarea[name=reason]")
        self.assertFalse(reason.is_visible())
        self.page.check("input[name=accepted][value='0']")
        self.assertTrue(reason.is_visible())
        self.page.check("input[name=accepted][value='1']")
        self.assertFalse(reason.is_visible())

    @staticmethod
    def demo_usernames() -> list[str]:
        from directory.demo import ACCOUNTS
        from proposals.demo import ACCOUNTS as PROPOSAL_ACCOUNTS

        return [a.username for a in ACCOUNTS] + [row[0] for row in PROPOSAL_ACCOUNTS]
