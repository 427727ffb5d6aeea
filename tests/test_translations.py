"""The Chinese catalogue is complete and compiled: every marked string has a translation."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> list[dict[str, str]]:
    """A minimal .po reader: msgctxt, msgid, msgid_plural and msgstr/msgstr[0] of each entry."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if entry and not line:
                entries.append(entry)
                entry, key = {}, ""
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        key = "msgstr" if key == "msgstr[0]" else key
        entry[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]


class CatalogueTests(SimpleTestCase):
    def test_every_entry_of_the_chinese_catalogue_is_translated(self) -> None:
        empty = [e["msgid"] for e in read_po(PO) if not e.get("msgstr")]
        self.assertEqual(empty, [])

    def test_the_compiled_catalogue_matches_the_source(self) -> None:
        with translation.override("zh-hans"):
            stale = [
                e["msgid"]
                for e in read_po(PO)
                if "msgctxt" not in e
                and "msgid_plural" not in e
                and translation.gettext(e["msgid"]) != e["msgstr"]
            ]
        self.assertEqual(stale, [], "run: python manage.py compilemessages --ignore=.venv")

    def test_every_marked_string_is_in_the_catalogue(self) -> None:
        if shutil.which("xgettext") is None:
            self.fail("gettext is not installed (the test command installs it)")
        base = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp)
            sources = ["manage.py", "config", "templates"]
            sources += [a for a in settings.INSTALLED_APPS if "." not in a and a not in sources]
            for name in sources:
                source = base / name
                if source.is_dir():
                    shutil.copytree(source, copy / name)
                elif source.exists():
                    shutil.copy(source, copy / name)
            (copy / "locale").mkdir()
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "zh_Hans",
                    "--no-obsolete",
                    "-v0",
                ],
                cwd=copy,
                check=True,
                capture_output=True,
            )
            fresh = {
                e["msgid"]
                for e in read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
            }
        known = {e["msgid"] for e in read_po(PO)}
        self.assertEqual(
            sorted(fresh - known), [], "run makemessages and translate the new strings"
        )
