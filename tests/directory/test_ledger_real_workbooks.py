"""A county's own workbooks go in as they are: titles and notes above the header, 序号, Chinese
titles, Excel and text dates, full-width digits, names instead of codes, unused columns,
several worksheets, a dimension tag that understates the sheet, an archive that unpacks to far
more than a ledger holds."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from directory import ledger
from directory.ledger import LedgerFileError, Mapping, TableMapping, run_import
from directory.ledger_read import open_tables
from directory.models import Household, ImportJob, OrgUnit, Person
from directory.services_ledger import mapping_save
from tests.helpers import PASSWORD, build_county, make_person
from visits.models import Visit

from .ledger_helpers import (
    messy_sheet,
    new_workbook,
    understate_dimension,
    workbook_bytes,
    zip_bomb,
)

ID_ZHANG = "43010219800101002X"
VISIT_HEADER = [
    "走访日期",
    "走访干部",
    "走访地点",
    "走访对象",
    "走访方式",
    "天数",
    "民情日记",
    "备注2",
]


def visit_rows() -> list[list[Any]]:
    return [
        [
            dt.datetime(2025, 3, 5),
            "李明",
            "桃园村",
            "张三",
            "入户走访",
            0.5,
            "反映村道破损",
            "已办",
        ],
        ["2025/3/12", "王建国；李明", "桃园村", "", "住村", "２", "", ""],
        ["2025年4月1日", "李明", "柳溪村", "", "调研", "１", "", ""],
        [45762, "13900000009", "桃园村", ID_ZHANG, "走访", "0.5", "", ""],
        ["２０２５年５月６日", "孙丽", "青山乡/柳溪村", "", "电话联系", "", "", ""],
        ["2025.06.01", "李明", "桃园村一组", "张三（桃园村）", "入户", "0.5", "", ""],
    ]


def visits_workbook(
    rows: list[list[Any]] | None = None, name: str = "2025年走访台账"
) -> io.BytesIO:
    workbook = new_workbook()
    messy_sheet(workbook, name, VISIT_HEADER, rows if rows is not None else visit_rows()[:5])
    return workbook_bytes(workbook)


class RealWorkbookTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.sun = make_person("孙丽", cls.c.qingshan, "cadre", code="P-SL")
        cls.sun.phone = "13900000009"
        cls.sun.save()
        Household.objects.filter(pk=cls.c.household_taoyuan.pk).update(id_number=ID_ZHANG)

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))


class SheetShapeTests(RealWorkbookTestCase):
    def test_a_township_visit_ledger_with_title_notes_and_names_imports(self) -> None:
        result = run_import(visits_workbook(), dry_run=False, acting_user=self.c.qingshan_staff)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["visits"].created, 5)
        report = result.tables[0]
        self.assertEqual(
            (report.table, report.sheet, report.header_row), ("2025年走访台账", "visits", 3)
        )
        self.assertIn(
            '2025年走访台账: Column "备注2" is not used.', [str(n) for n in result.notices]
        )
        first = Visit.objects.get(date=dt.date(2025, 3, 5))
        self.assertEqual(
            (first.kind, first.unit, first.heard), ("household", self.c.taoyuan, "反映村道破损")
        )
        self.assertEqual(list(first.people.all()), [self.c.qingshan_secretary])
        self.assertEqual(list(first.households.all()), [self.c.household_taoyuan])
        stay = Visit.objects.get(date=dt.date(2025, 3, 12))
        self.assertEqual((stay.kind, stay.days), ("village_stay", 2))
        self.assertEqual(stay.people.count(), 2)
        self.assertTrue(Visit.objects.filter(date=dt.date(2025, 4, 1), unit=self.c.liuxi).exists())
        by_phone = Visit.objects.get(date=dt.date(2025, 4, 15))  # an Excel serial day number
        self.assertEqual(
            (list(by_phone.people.all()), list(by_phone.households.all())),
            ([self.sun], [self.c.household_taoyuan]),  # the head's ID number
        )
        call = Visit.objects.get(date=dt.date(2025, 5, 6))
        self.assertEqual((call.kind, call.days, call.unit), ("call", 0, self.c.liuxi))

    def test_importing_the_same_workbook_again_changes_nothing(self) -> None:
        run_import(visits_workbook(), dry_run=False)
        history = Visit.history.count()

        again = run_import(visits_workbook(), dry_run=False)

        self.assertEqual((again.counts["visits"].created, again.counts["visits"].unchanged), (0, 5))
        self.assertEqual(Visit.history.count(), history)

    def test_several_chinese_named_worksheets_in_one_workbook(self) -> None:
        workbook = new_workbook()
        messy_sheet(
            workbook,
            "干部名册",
            ["姓名", "单位", "职务", "联系电话"],
            [["钱七", "青山乡", "干部", "13700000007"]],
        )
        rows = visit_rows()
        messy_sheet(workbook, "2025年3月走访台账", VISIT_HEADER, rows[:2])
        messy_sheet(
            workbook,
            "2025年4月走访台账",
            VISIT_HEADER,
            [*rows[2:4], [*rows[0][:1], "钱七", *rows[0][2:]]],
        )
        messy_sheet(workbook, "说明", ["事项"], [["本台账按月填报"]], numbered=False)

        result = run_import(workbook_bytes(workbook), dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["people"].created, 1)
        self.assertEqual(result.counts["visits"].created, 5)
        self.assertEqual(result.skipped, ["说明"])
        qian = Person.objects.get(name="钱七")
        self.assertEqual(
            (qian.unit, qian.phone, qian.code), (self.c.qingshan, "13700000007", "QH-QS-P-1")
        )
        self.assertTrue(Visit.objects.filter(people=qian, date=dt.date(2025, 3, 5)).exists())

    def test_an_empty_pre_numbered_table_and_trailing_rows_are_not_rows(self) -> None:
        rows = [*visit_rows()[:1], *([""] * 8 for _ in range(30))]

        result = run_import(visits_workbook(rows), dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["visits"].created, 1)

    def test_a_bad_row_is_named_by_worksheet_row_and_column_as_the_file_has_them(self) -> None:
        rows = [*visit_rows()[:2], ["2025-02-30", "李明", "桃园村", "", "入户走访", "0.5", "", ""]]

        result = run_import(visits_workbook(rows), dry_run=False)

        self.assertEqual(
            [(str(e), e.title) for e in result.errors],
            [("2025年走访台账:6:date: Enter a date as YYYY-MM-DD.", "走访日期")],
        )
        self.assertFalse(Visit.objects.exists())


class NamesTests(RealWorkbookTestCase):
    def test_an_ambiguous_name_is_a_row_error_listing_the_candidates(self) -> None:
        other = make_person("李明", self.c.chengguan, "cadre", code="P-LM2")
        rows = [["2025-03-05", "李明", "清河县", "", "调研", "1", "", ""]]

        result = run_import(visits_workbook(rows), dry_run=False)

        [error] = result.errors
        self.assertEqual((error.row, error.column), (4, "person"))
        self.assertIn("李明（青山乡，P-LM）", error.message)
        self.assertIn(f"李明（城关镇，{other.code}）", error.message)

    def test_a_household_by_its_heads_name_with_the_village_in_brackets(self) -> None:
        result = run_import(visits_workbook(visit_rows()[5:]), dry_run=False)

        self.assertEqual(result.errors, [])
        visit = Visit.objects.get()
        self.assertEqual((visit.unit, visit.date), (self.c.taoyuan_g1, dt.date(2025, 6, 1)))
        self.assertEqual(list(visit.households.all()), [self.c.household_taoyuan])

    def test_a_name_is_taken_near_the_place_of_the_visit(self) -> None:
        make_person("李明", self.c.chengguan, "cadre", code="P-LM2")

        result = run_import(visits_workbook(visit_rows()[:1]), dry_run=False)

        self.assertEqual(result.errors, [])
        self.assertEqual(list(Visit.objects.get().people.all()), [self.c.qingshan_secretary])

    def test_an_unknown_name_says_what_was_looked_for(self) -> None:
        rows = [["2025-03-05", "李明", "桃园村", "无此人", "入户走访", "0.5", "", ""]]

        result = run_import(visits_workbook(rows), dry_run=False)

        self.assertEqual(
            [str(e) for e in result.errors],
            ['2025年走访台账:4:households: No household has the code, ID number or head "无此人".'],
        )

    def test_units_people_and_households_without_codes_are_found_by_name_next_time(self) -> None:
        workbook = new_workbook()
        messy_sheet(
            workbook,
            "机构",
            ["名称", "类型", "上级单位"],
            [["新塘镇", "乡镇", "清河县"], ["荷塘村", "村", "新塘镇"]],
        )
        messy_sheet(
            workbook, "干部名册", ["姓名", "单位", "职务"], [["周一", "新塘镇", "乡镇党委书记"]]
        )
        messy_sheet(
            workbook,
            "农户信息表",
            ["户主", "村（社区）", "类别", "户主身份证号"],
            [["郑三", "荷塘村", "监测户", ""]],
        )
        data = workbook_bytes(workbook)

        first = run_import(data, dry_run=False)
        data.seek(0)
        second = run_import(data, dry_run=False)

        self.assertEqual(first.errors, [])
        self.assertEqual(
            {s: c.created for s, c in first.counts.items()},
            {"units": 2, "people": 1, "households": 1},
        )
        self.assertEqual(
            {s: c.unchanged for s, c in second.counts.items()},
            {"units": 2, "people": 1, "households": 1},
        )
        village = OrgUnit.objects.get(name="荷塘村")
        self.assertEqual((village.parent.name, village.parent.parent), ("新塘镇", self.c.county))
        self.assertEqual(Household.objects.get(head="郑三").village, village)
        self.assertEqual(Person.objects.get(name="周一").posts, "township_secretary")


class DimensionAndArchiveTests(RealWorkbookTestCase):
    def test_a_dimension_tag_that_understates_the_sheet_still_imports_every_row(self) -> None:
        workbook = new_workbook()
        sheet = workbook.create_sheet("people")
        sheet.append(["code", "name", "unit"])
        for n in range(12):
            sheet.append([f"P-D{n}", f"干部{n}", "QH-QS"])
        data = understate_dimension(workbook_bytes(workbook).getvalue())

        result = run_import(io.BytesIO(data), dry_run=False, filename="people.xlsx")

        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["people"].created, 12)
        self.assertEqual(Person.objects.filter(code__startswith="P-D").count(), 12)

    def test_an_archive_that_unpacks_to_far_more_than_a_ledger_is_refused_unread(self) -> None:
        bomb = zip_bomb()
        self.assertLess(len(bomb), 64 * 1024)

        with self.assertRaisesMessage(LedgerFileError, "unpacks to far more data"):
            run_import(io.BytesIO(bomb), dry_run=False, filename="ledger.xlsx")

    @override_settings(LEDGER_UNPACKED_MAX_BYTES=5 * 1024 * 1024, LEDGER_UNPACKED_MAX_RATIO=10_000)
    def test_the_unpacked_size_bound_holds_whatever_the_ratio(self) -> None:
        with (
            self.assertRaises(LedgerFileError),
            open_tables(io.BytesIO(zip_bomb(8 * 1024 * 1024)), "x.xlsx"),
        ):
            pass

    def test_the_upload_page_refuses_the_bomb_with_a_clear_message_and_keeps_nothing(self) -> None:
        self.client.login(username="admin", password=PASSWORD)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        upload = SimpleUploadedFile("ledger.xlsx", zip_bomb())

        for button in ("import", "map"):
            response = self.client.post(reverse("ledger-import"), {"file": upload, button: ""})
            upload.seek(0)
            self.assertEqual(response.status_code, 200)
            self.assertIn(
                "unpacks to far more data", " ".join(response.context["form"].errors["file"])
            )
            self.assertIsNone(response.context["result"])
        self.assertFalse(ImportJob.objects.exists())


class MappingCommandTests(RealWorkbookTestCase):
    """A workbook the titles say nothing about, read with a mapping saved for the township."""

    HEADER = ["时间", "谁去的", "去哪", "见了谁", "干啥"]

    def workbook(self, name: str, notes: int = 1) -> str:
        workbook = new_workbook()
        sheet = workbook.create_sheet(name)
        sheet.append(["青山乡干部下基层情况"])
        for _ in range(notes):
            sheet.append(["（每月5日前报乡党政办）"])
        sheet.append(self.HEADER)
        sheet.append(["2025-03-05", "李明", "桃园村", "张三", "入户走访"])
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / f"{name}.xlsx"
        path.write_bytes(workbook_bytes(workbook).getvalue())
        return str(path)

    def call(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_ledger", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def test_a_saved_mapping_reads_next_months_workbook_too(self) -> None:
        columns = dict(
            zip(self.HEADER, ["date", "person", "unit", "households", "kind"], strict=True)
        )
        mapping = Mapping({"3月": TableMapping("visits", 3, columns)})
        mapping_save(unit=self.c.qingshan, name="青山走访", mapping=mapping, acting_user=None)

        status, out, err = self.call(
            self.workbook("4月", notes=2), "--mapping", "青山走访", "--user", "qingshan"
        )

        self.assertEqual((status, err), (0, ""))
        self.assertIn("visits: created 1, updated 0, unchanged 0", out)
        self.assertEqual(Visit.objects.get().unit, self.c.taoyuan)
        self.assertEqual(Visit.history.get().history_user, self.c.qingshan_staff)

    def test_without_the_mapping_the_worksheet_is_not_a_known_sheet(self) -> None:
        status, _out, err = self.call(self.workbook("4月"))

        self.assertEqual(status, 1)
        self.assertIn("No known sheet found", err)

    def test_an_unknown_mapping_or_account_is_refused(self) -> None:
        status, _out, err = self.call(self.workbook("4月"), "--mapping", "无此映射")
        self.assertEqual(status, 1)
        self.assertIn("No saved mapping is called 无此映射", err)
        with self.assertRaisesMessage(Exception, "No active account is called nobody"):
            call_command("import_ledger", self.workbook("4月"), "--user", "nobody")

    def test_the_progress_bar_goes_to_standard_error_when_asked(self) -> None:
        status, _out, err = self.call(str(Path(visits_workbook_file(self))), "--progress")

        self.assertEqual(status, 0)
        self.assertIn("[", err)
        self.assertIn("5/5 (100%)", err)


def visits_workbook_file(case: TestCase) -> Path:
    folder = Path(case.enterContext(tempfile.TemporaryDirectory()))
    path = folder / "visits.xlsx"
    path.write_bytes(visits_workbook().getvalue())
    return path


class CellTests(TestCase):
    def test_dates_in_the_forms_ledgers_use(self) -> None:
        expected = dt.date(2025, 3, 1)
        for value in (
            "2025-03-01",
            "2025/3/1",
            "2025年3月1日",
            "2025.03.01",
            "20250301",
            "２０２５年３月１日",
            "45717",
            dt.datetime(2025, 3, 1),
            "2025年3月1号",
        ):
            self.assertEqual(ledger.date(value), expected, value)

    def test_numbers_and_yes_no_as_offices_type_them(self) -> None:
        self.assertEqual(ledger.integer("１２"), 12)
        self.assertEqual(ledger.decimal("1,200.50元"), ledger.decimal("1200.5"))
        self.assertEqual(
            [ledger.boolean(v) for v in ("是", "否", "√", "×", "✓", "")],
            [True, False, True, False, True, None],
        )

    def test_a_datetime_with_a_chinese_afternoon(self) -> None:
        moment = ledger.datetime("2025年3月3日 下午3:30")
        self.assertEqual((moment.hour, moment.minute), (15, 30))
