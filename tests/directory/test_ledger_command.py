"""`manage.py import_ledger`: exact error lines and exit status 1, counts on success."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from directory.models import OrgUnit, Person
from tests.directory.test_ledger_import import BAD_PEOPLE, UNITS, full_ledger, xlsx
from tests.helpers import build_county


class ImportLedgerCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_county()

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def save(self, workbook: io.BytesIO, name: str = "ledger.xlsx") -> str:
        path = self.folder / name
        path.write_bytes(workbook.getvalue())
        return str(path)

    def call(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_ledger", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def test_a_bad_row_exits_1_with_exact_error_lines_and_saves_nothing(self) -> None:
        people = [*BAD_PEOPLE, ["P-XT3", "郑三", "QH-XT", "colonel", "", ""]]
        path = self.save(xlsx({"units": UNITS, "people": people}))

        status, out, err = self.call(path)

        self.assertEqual(status, 1)
        self.assertEqual(
            err.splitlines(),
            [
                'people:3:unit: No unit has the code or name "NOPE".',
                'people:4:rank: "colonel" is not one of: '
                "county_level, section_chief, deputy_section, staff.",
            ],
        )
        self.assertIn("nothing was saved", out)
        self.assertFalse(OrgUnit.all_objects.filter(code="QH-XT").exists())

    def test_success_prints_the_counts_per_sheet(self) -> None:
        status, out, err = self.call(self.save(full_ledger()))

        self.assertEqual((status, err), (0, ""))
        self.assertEqual(
            out.splitlines(),
            [
                "units: created 2, updated 0, unchanged 0",
                "people: created 2, updated 0, unchanged 0",
                "links: created 1, updated 0, unchanged 0",
                "households: created 1, updated 0, unchanged 0",
            ],
        )

    def test_dry_run_says_nothing_was_saved(self) -> None:
        status, out, _err = self.call(self.save(full_ledger()), "--dry-run")

        self.assertEqual(status, 0)
        self.assertIn("units: created 2, updated 0, unchanged 0", out)
        self.assertIn("Dry run: the ledger is valid; nothing was saved.", out)
        self.assertFalse(Person.all_objects.filter(code="P-XT1").exists())

    def test_a_missing_path_exits_1_with_a_clear_message(self) -> None:
        status, _out, err = self.call(str(self.folder / "absent.xlsx"))

        self.assertEqual(status, 1)
        self.assertIn("No such file or folder", err)

    def test_an_unsupported_file_exits_1(self) -> None:
        path = self.folder / "ledger.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0 old excel")

        status, _out, err = self.call(str(path))

        self.assertEqual(status, 1)
        self.assertIn("Unsupported file", err)
