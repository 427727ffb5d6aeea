"""The `visits` ledger sheet and the compliance table computed from imported visits."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from directory.ledger import run_import, template_workbook
from visits.models import Visit

SHEETS: dict[str, list[list[str]]] = {
    "units": [
        ["code", "name", "kind", "parent"],
        ["CO", "示范县", "county", ""],
        ["T1", "河口镇", "township", "CO"],
        ["V1", "上村", "village", "T1"],
        ["V1-1", "上村一组", "group", "V1"],
        ["V2", "下村", "village", "T1"],
        ["V2-1", "下村一组", "group", "V2"],
    ],
    "people": [
        ["code", "name", "unit", "rank", "posts"],
        ["L1", "王一", "CO", "county_level", "county_leader"],
        ["L2", "钱二", "CO", "county_level", "county_leader"],
        ["S1", "孙书记", "T1", "section_chief", "township_secretary"],
        ["H1", "周镇长", "T1", "section_chief", "township_head"],
        ["M1", "吴委员", "T1", "deputy_section", "township_leader"],
    ],
    "links": [
        ["person", "unit", "kind"],
        ["L1", "T1", "linked_township"],
        ["M1", "V1", "linked_village"],
    ],
    "households": [
        ["code", "head", "village", "group", "categories"],
        ["HA", "甲", "V1", "V1-1", "party_member"],
        ["HB", "乙", "V1", "V1-1", "monitored"],
        ["HC", "丙", "V1", "V1-1", ""],
        ["HD", "丁", "V1", "V1-1", "other"],
        ["HE", "戊", "V2", "V2-1", "党员户"],
        ["HF", "己", "V2", "V2-1", "脱贫户"],
        ["HG", "庚", "V2", "V2-1", ""],
    ],
    "visits": [
        ["date", "person", "unit", "households", "kind", "days", "entourage", "cars"],
        ["2025-03-05", "L1", "V1", "HA;HB;HC", "household", "0.5", "", ""],
        ["2025-04-10", "L1", "V1", "", "住村", "2", "3", "1"],
        ["2025-05-06", "L1;S1", "V2", "HE;HF;HG", "入户走访", "0.5", "", ""],
        ["2025-06-01", "L1", "T1", "", "enterprise", "0.5", "", ""],
        ["2025-06-02", "L1", "T1", "", "research", "3", "", ""],
        ["2025-07-01", "S1", "V1", "HA;HB", "household", "0.5", "", ""],
        ["2025-07-02", "M1", "V1", "HA;HC", "household", "0.5", "", ""],
        ["2025-08-01", "S1", "V1", "", "village_stay", "5", "", ""],
    ],
}


def write_folder(folder: Path, sheets: dict[str, list[list[str]]]) -> None:
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


class VisitLedgerTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def run_command(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*args, stdout=out, stderr=err)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def test_compliance_prints_the_visit_rules_from_imported_visits(self) -> None:
        write_folder(self.folder, SHEETS)
        status, _out, err = self.run_command("import_ledger", str(self.folder))
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(Visit.objects.count(), 8)
        call_command("load_rules", "taoyuan", "hefei", stdout=io.StringIO())
        _status, out, _err = self.run_command(
            "compliance", "--year", "2025", "--today", "2026-01-10"
        )
        lines = set(out.splitlines())
        expected = {
            # every village of 河口镇, each with a party member, a monitored or alleviated and
            # an other household
            "TY-V2,L1,王一,2025,2,2,met",
            # the township heads: both villager groups (孙书记 through 甲 and 戊), none for 周镇长
            "TY-V3a,S1,孙书记,2025,2,2,met",
            "TY-V3a,H1,周镇长,2025,2,0,short",
            # 5 households in each village: 孙书记 met 2 in 上村 and 3 in 下村
            "TY-V3b,S1,孙书记,2025,2,0,short",
            # 上村 has 4 households: 50 % is 2, and 吴委员 visited 甲 and 丙
            "TY-V4,M1,吴委员,2025,2,2,met",
            "HF-V1a,L1,王一,2025,5,2,short",
            "HF-V1b,L1,王一,2025,30,6,short",
            "HF-V2a,S1,孙书记,2025,5,5,met",
            "HF-V2b,S1,孙书记,2025,40,5,short",
            "HF-V4,L1,王一,2025,60,3,short",
            "HF-V4,S1,孙书记,2025,70,0,short",
            "HF-V8,L1,王一,2025,20,1,short",
        }
        self.assertEqual(expected - lines, set())
        # 钱二 has no linked township: no TY-V2 row rather than a failing one.
        self.assertFalse([line for line in lines if line.startswith("TY-V2,L2,")])

    def test_importing_the_same_visits_twice_changes_nothing(self) -> None:
        write_folder(self.folder, SHEETS)
        self.run_command("import_ledger", str(self.folder))
        status, out, _err = self.run_command("import_ledger", str(self.folder))
        self.assertEqual(status, 0)
        self.assertEqual(Visit.objects.count(), 8)
        self.assertIn("visits", out)
        self.assertIn("created 0, updated 0, unchanged 8", out)

    def test_a_changed_day_count_updates_the_visit(self) -> None:
        write_folder(self.folder, SHEETS)
        self.run_command("import_ledger", str(self.folder))
        changed = {
            **SHEETS,
            "visits": [
                *SHEETS["visits"][:2],
                ["2025-04-10", "L1", "V1", "", "住村", "3", "3", "1"],
            ],
        }
        write_folder(self.folder, changed)
        status, out, _err = self.run_command("import_ledger", str(self.folder))
        self.assertEqual(status, 0)
        self.assertEqual(Visit.objects.get(kind="village_stay", date="2025-04-10").days, 3)

    def test_bad_visit_rows_are_reported_by_sheet_row_and_column(self) -> None:
        bad = {
            **SHEETS,
            "visits": [
                SHEETS["visits"][0],
                ["2025-03-05", "L1", "V2", "HA", "household", "0.5", "", ""],
                ["2025-03-06", "NOPE", "V1", "", "household", "0.5", "", ""],
                ["2025-03-07", "L1", "V1", "", "picnic", "0.5", "", ""],
                ["2025-03-08", "L1", "V1", "", "village_stay", "0.5", "", ""],
            ],
        }
        write_folder(self.folder, bad)
        status, _out, err = self.run_command("import_ledger", str(self.folder))
        self.assertEqual(status, 1)
        lines = err.splitlines()
        self.assertEqual(lines[0], "visits:2:households: Not in 下村: 甲.")
        self.assertEqual(lines[1], 'visits:3:person: No person has the code, phone or name "NOPE".')
        self.assertTrue(lines[2].startswith('visits:4:kind: "picnic" is not one of:'))
        self.assertEqual(lines[3], "visits:5:days: A village stay lasts at least one day.")
        self.assertFalse(Visit.objects.exists())

    def test_the_template_workbook_with_the_visit_examples_imports_cleanly(self) -> None:
        workbook = io.BytesIO(template_workbook())
        result = run_import(workbook, dry_run=False, filename="template.xlsx")
        self.assertTrue(result.ok, [str(e) for e in result.errors])
        self.assertEqual(result.counts["visits"].created, 2)
        again = run_import(io.BytesIO(template_workbook()), dry_run=False, filename="t.xlsx")
        self.assertTrue(again.ok, [str(e) for e in again.errors])
        self.assertEqual(again.counts["visits"].unchanged, 2)
