"""The ledger import framework and the directory sheets, through run_import()."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from directory import ledger
from directory.ledger import LedgerFileError, run_import, template_workbook
from directory.ledger_sheets import RANK, UNIT_KIND
from directory.models import Household, Link, OrgUnit, Person
from tests.helpers import build_county

UNITS = [
    ["code", "name", "kind", "parent"],
    ["QH-XT", "新塘镇", "township", "QH"],
    ["QH-XT-HS", "荷塘村", "village", "QH-XT"],
]
GOOD_PEOPLE = [
    ["code", "name", "unit", "rank", "posts", "phone"],
    ["P-XT1", "周一", "QH-XT", "section_chief", "township_secretary", "13800000001"],
    ["P-XT2", "吴二", "QH-XT-HS", "staff", "cadre", ""],
]
BAD_PEOPLE = [GOOD_PEOPLE[0], GOOD_PEOPLE[1], ["P-XT2", "吴二", "NOPE", "staff", "cadre", ""]]
LINKS = [["person", "unit", "kind"], ["P-XT1", "QH-XT-HS", "linked_village"]]
HOUSEHOLDS = [
    ["code", "head", "village", "group", "categories", "size"],
    ["H-XT1", "郑三", "QH-XT-HS", "", "monitored;party_member", 4],
]


def xlsx(sheets: dict[str, list[list[Any]]], name: str = "ledger.xlsx") -> io.BytesIO:
    """A workbook in memory, one worksheet per entry, rows as given (header first)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def full_ledger(people: list[list[Any]] = GOOD_PEOPLE) -> io.BytesIO:
    return xlsx({"units": UNITS, "people": people, "links": LINKS, "households": HOUSEHOLDS})


def history_rows() -> int:
    models = (OrgUnit, Person, Link, Household)
    return sum(model.history.count() for model in models)


class LedgerTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def setUp(self) -> None:
        # Messages are compared in English whatever catalogue is compiled.
        self.enterContext(translation.override("en"))

    def folder(self) -> Path:
        return Path(self.enterContext(tempfile.TemporaryDirectory()))


class AllOrNothingTests(LedgerTestCase):
    def test_one_bad_person_row_saves_nothing_and_names_the_row(self) -> None:
        result = run_import(full_ledger(BAD_PEOPLE), dry_run=False)

        self.assertEqual(
            [str(error) for error in result.errors],
            ['people:3:unit: No unit has the code or name "NOPE".'],
        )
        self.assertFalse(OrgUnit.all_objects.filter(code__startswith="QH-XT").exists())
        self.assertFalse(Person.all_objects.filter(code__startswith="P-XT").exists())
        self.assertFalse(Household.all_objects.filter(code="H-XT1").exists())

    def test_every_error_of_the_file_is_reported(self) -> None:
        people = [*BAD_PEOPLE, ["P-XT3", "", "QH-XT", "colonel", "", ""]]
        result = run_import(xlsx({"units": UNITS, "people": people}), dry_run=False)

        self.assertEqual(
            [(e.sheet, e.row, e.column) for e in result.errors],
            [("people", 3, "unit"), ("people", 4, "name"), ("people", 4, "rank")],
        )

    def test_corrected_workbook_imports(self) -> None:
        result = run_import(full_ledger(), dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(
            {sheet: str(counts) for sheet, counts in result.counts.items()},
            {
                "units": "created 2, updated 0, unchanged 0",
                "people": "created 2, updated 0, unchanged 0",
                "links": "created 1, updated 0, unchanged 0",
                "households": "created 1, updated 0, unchanged 0",
            },
        )
        village = OrgUnit.objects.get(code="QH-XT-HS")
        self.assertEqual(village.parent.code, "QH-XT")
        self.assertTrue(village.path.startswith(self.c.county.path))
        self.assertEqual(Person.objects.get(code="P-XT1").posts, "township_secretary")
        household = Household.objects.get(code="H-XT1")
        self.assertEqual((household.categories, household.size), ("monitored;party_member", 4))

    def test_history_records_the_file_name(self) -> None:
        run_import(full_ledger(), dry_run=False)

        record = Person.objects.get(code="P-XT1").history.get()
        self.assertEqual(record.history_change_reason, "ledger import ledger.xlsx")

    def test_importing_again_creates_nothing_and_writes_no_history(self) -> None:
        run_import(full_ledger(), dry_run=False)
        rows_before, history_before = Person.objects.count(), history_rows()

        result = run_import(full_ledger(), dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(
            {sheet: (c.created, c.updated, c.unchanged) for sheet, c in result.counts.items()},
            {"units": (0, 0, 2), "people": (0, 0, 2), "links": (0, 0, 1), "households": (0, 0, 1)},
        )
        self.assertEqual(Person.objects.count(), rows_before)
        self.assertEqual(history_rows(), history_before)

    def test_a_changed_row_updates_by_code(self) -> None:
        run_import(full_ledger(), dry_run=False)
        people = [GOOD_PEOPLE[0], ["P-XT1", "周一", "QH-XT", "section_chief", "township_head", ""]]

        result = run_import(xlsx({"people": people}), dry_run=False)

        self.assertEqual((result.counts["people"].updated, result.counts["people"].created), (1, 0))
        person = Person.objects.get(code="P-XT1")
        self.assertEqual((person.posts, person.phone), ("township_head", ""))
        self.assertEqual(person.history.count(), 2)

    def test_dry_run_saves_nothing_but_counts(self) -> None:
        result = run_import(full_ledger(), dry_run=True)

        self.assertEqual((result.ok, result.saved), (True, False))
        self.assertEqual(result.counts["units"].created, 2)
        self.assertFalse(OrgUnit.all_objects.filter(code__startswith="QH-XT").exists())

    def test_a_code_of_a_deleted_record_is_an_error_not_a_revival(self) -> None:
        self.c.household_taoyuan.soft_delete()
        rows = [HOUSEHOLDS[0], ["H-ZS", "张三", "QH-QS-TY", "", "", 3]]

        result = run_import(xlsx({"households": rows}), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors],
            ["households:2:code: This code belongs to a deleted record; restore it first."],
        )
        self.assertTrue(Household.all_objects.get(code="H-ZS").is_deleted)

    def test_a_row_referring_to_a_failed_row_says_so(self) -> None:
        units = [UNITS[0], ["QH-XT", "新塘镇", "planet", "QH"]]
        people = [GOOD_PEOPLE[0], GOOD_PEOPLE[1]]

        result = run_import(xlsx({"units": units, "people": people}), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors][1],
            'people:2:unit: The row that defines "QH-XT" has errors.',
        )

    def test_model_validation_errors_land_on_their_column(self) -> None:
        rows = [HOUSEHOLDS[0], ["H-X", "王五", "QH-QS-TY", "QH-QS-LX", "", ""]]

        result = run_import(xlsx({"households": rows}), dry_run=False)

        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "group")])

    def test_a_duplicate_code_within_a_sheet_is_an_error(self) -> None:
        people = [GOOD_PEOPLE[0], GOOD_PEOPLE[1], GOOD_PEOPLE[1]]

        result = run_import(xlsx({"units": UNITS, "people": people}), dry_run=False)

        self.assertEqual([str(e) for e in result.errors], ["people:3:code: Duplicate of row 2."])


class UnitOrderTests(LedgerTestCase):
    def test_a_child_unit_before_its_parent_imports(self) -> None:
        units = [
            UNITS[0],
            ["QH-XT-HS-1", "荷塘村一组", "group", "QH-XT-HS"],
            ["QH-XT-HS", "荷塘村", "village", "QH-XT"],
            ["QH-XT", "新塘镇", "township", "QH"],
        ]

        result = run_import(xlsx({"units": units}), dry_run=False)

        self.assertEqual(result.errors, [])
        group = OrgUnit.objects.get(code="QH-XT-HS-1")
        self.assertEqual([u.code for u in group.ancestors()], ["QH", "QH-XT", "QH-XT-HS"])

    def test_a_cycle_of_parents_is_a_row_error(self) -> None:
        units = [
            UNITS[0],
            ["QH-A", "甲", "township", "QH-B"],
            ["QH-B", "乙", "township", "QH-A"],
            ["QH-C", "丙", "village", "QH-A"],
        ]

        result = run_import(xlsx({"units": units}), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "units:2:parent: The parent codes form a cycle: QH-A → QH-B → QH-A.",
                "units:3:parent: The parent codes form a cycle: QH-A → QH-B → QH-A.",
                'units:4:parent: The row that defines "QH-A" has errors.',
            ],
        )

    def test_an_unknown_parent_is_a_row_error(self) -> None:
        units = [UNITS[0], ["QH-XT", "新塘镇", "township", "ZZ"]]

        result = run_import(xlsx({"units": units}), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors], ['units:2:parent: No unit has the code or name "ZZ".']
        )

    def test_moving_a_unit_keeps_the_tree_paths(self) -> None:
        units = [UNITS[0], ["QH-QS-TY", "桃园村", "village", "QH-CG"]]

        run_import(xlsx({"units": units}), dry_run=False)

        group = OrgUnit.objects.get(code="QH-QS-TY-1")
        self.assertTrue(group.path.startswith(self.c.chengguan.path))


class SourceFormatTests(LedgerTestCase):
    def write(self, folder: Path, name: str, rows: list[list[Any]], encoding: str) -> None:
        text = "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n"
        (folder / name).write_bytes(text.encode(encoding))

    def test_a_folder_of_csv_files_with_key_headers_imports(self) -> None:
        folder = self.folder()
        self.write(folder, "units.csv", UNITS, "utf-8")
        self.write(folder, "people.csv", GOOD_PEOPLE, "utf-8-sig")
        self.write(folder, "notes.csv", [["anything"]], "utf-8")

        result = run_import(folder, dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.skipped, ["notes"])
        self.assertEqual(Person.objects.get(code="P-XT2").unit.code, "QH-XT-HS")

    def test_a_gb18030_folder_with_chinese_titles_and_labels_imports(self) -> None:
        folder = self.folder()
        units = [
            ["编码", "名称", "类型", "上级编码"],
            ["QH-XT", "新塘镇", "乡镇", "QH"],
            ["QH-XT-HS", "荷塘村", "村", "QH-XT"],
        ]
        people = [
            ["编码", "姓名", "单位编码", "职级", "职务", "电话"],
            ["P-XT1", "周一", "QH-XT", "正科", "乡镇党委书记；人大代表", "13800000001"],
        ]
        households = [
            ["户编码", "户主", "村（社区）编码", "村民小组编码", "类别", "人口数"],
            ["H-XT1", "郑三", "QH-XT-HS", "", "监测户、党员户", "4"],
        ]
        self.write(folder, "机构.csv", units, "gb18030")
        self.write(folder, "人员.csv", people, "gb18030")
        self.write(folder, "农户.csv", households, "gb18030")

        result = run_import(folder, dry_run=False)

        self.assertEqual(result.errors, [])
        person = Person.objects.get(code="P-XT1")
        self.assertEqual(
            (person.rank, person.posts), ("section_chief", "township_secretary;deputy")
        )
        self.assertEqual(OrgUnit.objects.get(code="QH-XT").kind, "township")
        household = Household.objects.get(code="H-XT1")
        self.assertEqual(household.categories, "monitored;party_member")

    def test_a_zip_of_csv_files_imports(self) -> None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("ledger/units.csv", "\n".join(",".join(r) for r in UNITS))
        archive.seek(0)

        result = run_import(archive, dry_run=False, filename="ledger.zip")

        self.assertEqual(result.counts["units"].created, 2)

    def test_a_worksheet_named_by_its_chinese_title_with_excel_cells_imports(self) -> None:
        households = [
            ["户编码", "户主", "村（社区）编码", "村民小组编码", "类别", "人口数", "联系电话"],
            [1001.0, "郑三", "QH-QS-TY", None, None, 4.0, 13900000000],
        ]

        result = run_import(xlsx({"农户": households}), dry_run=False)

        self.assertEqual(result.errors, [])
        household = Household.objects.get(code="1001")
        self.assertEqual((household.size, household.phone), (4, "13900000000"))

    def test_a_missing_column_is_an_error_and_an_unused_one_a_warning(self) -> None:
        people = [["code", "name", "rank", "colour"], ["P-1", "周一", "staff", "red"]]

        result = run_import(xlsx({"people": people}), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors],
            ["people:1:unit: Missing required column (单位编码)."],
        )
        self.assertEqual([str(n) for n in result.notices], ['people: Column "colour" is not used.'])

    def test_empty_rows_are_skipped_and_numbers_kept(self) -> None:
        units = [
            UNITS[0],
            [],
            UNITS[1],
            [None, None, None, None],
            ["QH-XT-HS", "荷塘村", "x", "QH-XT"],
        ]

        result = run_import(xlsx({"units": units}), dry_run=False)

        self.assertEqual([(e.row, e.column) for e in result.errors], [(5, "kind")])

    def test_a_file_without_known_sheets_is_refused(self) -> None:
        with self.assertRaises(LedgerFileError):
            run_import(xlsx({"Sheet1": [["a"]]}), dry_run=False)

    def test_an_unsupported_file_is_refused(self) -> None:
        with self.assertRaises(LedgerFileError):
            run_import(io.BytesIO(b"just text"), dry_run=False, filename="ledger.txt")


class ScopeTests(LedgerTestCase):
    def test_unit_staff_cannot_import_a_household_into_another_township(self) -> None:
        rows = [HOUSEHOLDS[0], ["H-NEW", "钱六", "QH-CG-DJ", "", "", 2]]

        result = run_import(
            xlsx({"households": rows}), dry_run=False, acting_user=self.c.qingshan_staff
        )

        self.assertEqual(
            [str(e) for e in result.errors], ["households:2:village: Outside your unit."]
        )
        self.assertFalse(Household.all_objects.filter(code="H-NEW").exists())

    def test_unit_staff_import_households_of_their_own_township(self) -> None:
        rows = [HOUSEHOLDS[0], ["H-NEW", "钱六", "QH-QS-LX", "", "", 2]]

        result = run_import(
            xlsx({"households": rows}), dry_run=False, acting_user=self.c.qingshan_staff
        )

        self.assertEqual(result.errors, [])
        record = Household.objects.get(code="H-NEW").history.get()
        self.assertEqual(record.history_user, self.c.qingshan_staff)

    def test_unit_staff_cannot_move_another_townships_household_into_theirs(self) -> None:
        rows = [HOUSEHOLDS[0], ["H-CS", "陈四", "QH-QS-LX", "", "", 2]]

        result = run_import(
            xlsx({"households": rows}), dry_run=False, acting_user=self.c.qingshan_staff
        )

        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "code")])

    def test_an_administrator_imports_anywhere_in_the_county(self) -> None:
        result = run_import(full_ledger(), dry_run=False, acting_user=self.c.admin)

        self.assertEqual(result.errors, [])


class TemplateTests(LedgerTestCase):
    def test_the_template_workbook_imports_cleanly_twice(self) -> None:
        workbook = io.BytesIO(template_workbook())

        first = run_import(workbook, dry_run=False, filename="template.xlsx")
        second = run_import(workbook, dry_run=False, filename="template.xlsx")

        self.assertEqual(first.errors, [])
        self.assertEqual(first.counts["units"].created, 4)
        self.assertEqual(Household.objects.get(code="EX-H1").group.code, "EX-V1-1")
        self.assertEqual(sum(c.created + c.updated for c in second.counts.values()), 0)

    def test_the_template_has_chinese_headers_and_one_sheet_per_registered_sheet(self) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(template_workbook()))

        self.assertEqual(workbook.sheetnames, [sheet.name for sheet in ledger.sheets()])
        header = [cell.value for cell in workbook["people"][1]]
        self.assertEqual(header, ["编码", "姓名", "单位编码", "职级", "职务", "电话"])


class ParserTests(TestCase):
    def test_choices_accept_keys_and_chinese_labels(self) -> None:
        self.assertEqual(UNIT_KIND("Township"), "township")
        self.assertEqual(UNIT_KIND("村民小组"), "group")
        self.assertEqual(RANK(" 副科 "), "deputy_section")
        with self.assertRaises(ValidationError):
            RANK("general")

    def test_dates_accept_iso_excel_and_chinese_forms(self) -> None:
        expected = dt.date(2025, 3, 5)
        for value in ("2025-03-05", "2025/3/5", "2025年3月5日", dt.datetime(2025, 3, 5)):
            self.assertEqual(ledger.date(value), expected)
        with self.assertRaises(ValidationError):
            ledger.date("05.03.25")

    def test_datetimes_are_aware_in_the_local_zone(self) -> None:
        moment = ledger.datetime("2025-03-05 14:30")
        self.assertEqual((moment.hour, str(moment.tzinfo)), (14, "Asia/Shanghai"))

    def test_numbers_and_booleans(self) -> None:
        self.assertEqual(ledger.integer("12"), 12)
        self.assertEqual(ledger.decimal("¥800.50"), Decimal("800.50"))
        self.assertEqual([ledger.boolean(v) for v in ("是", "no", "")], [True, False, None])
        with self.assertRaises(ValidationError):
            ledger.integer("12.5")
