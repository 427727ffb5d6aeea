"""README's table of demo logins lists exactly the accounts `manage.py demo` makes and prints."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from directory.demo import ACCOUNTS
from proposals.demo import ACCOUNTS as PROPOSAL_ACCOUNTS


def readme_demo_usernames() -> list[str]:
    text = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    table = text.split("| username | role | unit |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z]+)` \|", table, flags=re.M)


class ReadmeDemoAccountsTests(SimpleTestCase):
    def test_the_readme_lists_every_demo_account_in_the_printed_order(self) -> None:
        # the demo prints the directory's accounts, then those the apps' demos add
        printed = [spec.username for spec in ACCOUNTS] + [row[0] for row in PROPOSAL_ACCOUNTS]
        self.assertEqual(readme_demo_usernames(), printed)
        self.assertEqual(len(printed), 12)
