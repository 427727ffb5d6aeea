"""`manage.py demo`: a small, realistic demo county (清河县), idempotent, with every app's demo
records and the rule packs. The orchestration lives here, outside the apps, because it imports
every app (the directory must not know about rules)."""

from __future__ import annotations

import importlib
from io import StringIO
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.demo import build_accounts, build_directory, format_table, login_table


def load_rule_packs(stdout: Any) -> None:
    """Load every rule pack when the rules app provides its loader (idempotent on its side);
    `stdout` receives the loader's report."""
    if "load_rules" not in get_commands():
        return
    from rules.packs import available_packs

    call_command("load_rules", *available_packs(), stdout=stdout)


# Apps that add demo records: each may have a `<app>/demo.py` with
#   build(*, stdout) -> list[str]   (idempotent; returns the usernames of demo accounts it made,
#                                    which get the demo password and appear in the login table)
DEMO_APPS = ("visits", "petitions", "proposals", "assistance", "reports")


def build_app_records(stdout: Any) -> list[str]:
    usernames: list[str] = []
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"{app}.demo":
                continue
            raise
        usernames.extend(module.build(stdout=stdout))
    return usernames


# What the summary line names, in the user's language (the keys are build_directory's).
SUMMARY_LABELS = {
    "units": gettext_lazy("units"),
    "people": gettext_lazy("people"),
    "links": gettext_lazy("links"),
    "households": gettext_lazy("households"),
    "accounts": gettext_lazy("accounts"),
}


class Command(BaseCommand):
    help = "Builds a small demo county (idempotent) and prints the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        # One transaction: the county appears whole or not at all, and is written in one go.
        with transaction.atomic():
            created = build_directory()
            created["accounts"] = build_accounts()
            # The loader's per-pack report only at -v 2: `make run` has just printed it.
            report = self.stdout if options["verbosity"] >= 2 else StringIO()
            load_rule_packs(report)
            extra_accounts = build_app_records(report)
        summary = ", ".join(f"{SUMMARY_LABELS[key]} +{value}" for key, value in created.items())
        self.stdout.write(_("Demo county ready (%(summary)s).") % {"summary": summary})
        header = (_("username"), _("password"), _("role"), _("unit"))
        self.stdout.write(format_table(header, login_table(extra_accounts)))
        self.stdout.write(
            _("Open the address the server prints (default http://127.0.0.1:8000/) and log in.")
        )
