from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from django.test import TestCase

from directory.ledger import find_sheet, run_import, template_workbook
from reports.models import Campaign, CampaignState, PaperTally, Submission
from reports.scores import campaign_scores
from tests.helpers import build_county, make_person
from tests.reports.helpers import close, make_campaign

OWN = {"units", "people", "links", "households", "submissions", "campaigns", "ballots"}


def own_sheets(data: bytes) -> io.BytesIO:
    """The template reduced to the directory's sheets and ours (other apps test theirs)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in list(book.worksheets):
        if find_sheet(sheet.title) is None or find_sheet(sheet.title).name not in OWN:
            book.remove(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def ledger(**sheets: list[list[object]]) -> str:
    folder = Path(tempfile.mkdtemp(prefix="minqing-ledger-"))
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return str(folder)


class ReportSheetTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_the_template_with_the_reports_examples_imports_cleanly_twice(self) -> None:
        workbook = own_sheets(template_workbook())
        first = run_import(workbook, dry_run=False, filename="template.xlsx")
        second = run_import(workbook, dry_run=False, filename="template.xlsx")

        self.assertEqual(first.errors, [])
        self.assertEqual(first.counts["submissions"].created, 2)
        self.assertEqual(first.counts["ballots"].created, 3)
        self.assertEqual(sum(c.created + c.updated for c in second.counts.values()), 0)

    def test_submissions_are_imported_for_people_and_units(self) -> None:
        source = ledger(
            submissions=[
                ["person", "unit", "year", "kind", "submitted", "title"],
                ["P-WJG", "", "2025", "年度报告", "2025-12-20", "报告一"],
                ["", "QH-QS", "2025", "annual_report", "2025-12-21", "报告二"],
                ["", "", "2025", "调研报告", "2025-12-21", "无主"],
            ]
        )
        result = run_import(source, dry_run=False)

        self.assertEqual(
            [(e.sheet, e.row, e.column) for e in result.errors], [("submissions", 4, "person")]
        )
        self.assertFalse(Submission.objects.exists())  # all or nothing

    def test_unit_staff_import_reports_of_their_own_unit_only(self) -> None:
        make_person("李四", self.c.chengguan, code="P-LS")
        source = ledger(
            submissions=[
                ["人员编码", "单位编码", "年度", "类别", "报送日期"],
                ["P-LS", "", "2025", "调研报告", "2025-06-01"],
            ]
        )

        result = run_import(source, dry_run=False, acting_user=self.c.qingshan_staff)

        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "person")])

    def test_campaigns_and_paper_ballots_are_imported_and_scored(self) -> None:
        source = ledger(
            campaigns=[["code", "name", "year"], ["C-L", "乡镇测评", "2025"]],
            ballots=[
                ["campaign", "group", "unit", "rating", "count"],
                ["C-L", "人大代表", "QH-CG", "满意", "8"],
                ["C-L", "人大代表", "QH-CG", "基本满意", "2"],
                ["C-L", "群众", "QH-QS", "不满意", "1"],
            ],
        )
        result = run_import(source, dry_run=False, acting_user=self.c.supervisor)

        self.assertEqual(result.errors, [])
        campaign = Campaign.objects.get(code="C-L")
        # counted on paper: a finished campaign
        self.assertEqual((campaign.unit, campaign.state), (self.c.county, CampaignState.CLOSED))
        self.assertEqual(PaperTally.objects.count(), 3)
        rows = {r.code: r for r in campaign_scores(campaign)}
        self.assertEqual((rows["QH-CG"].score, rows["QH-QS"].score), (92, 0))

    def test_ballots_of_a_closed_campaign_or_from_unit_staff_are_refused(self) -> None:
        campaign = make_campaign("C-X", self.c.county, units=[self.c.chengguan])
        close(campaign)
        source = ledger(
            ballots=[
                ["campaign", "group", "unit", "rating", "count"],
                ["C-X", "deputy", "QH-CG", "满意", "3"],
            ]
        )

        closed = run_import(source, dry_run=False, acting_user=self.c.supervisor)
        staff = run_import(source, dry_run=False, acting_user=self.c.qingshan_staff)

        self.assertEqual([(e.row, e.column) for e in closed.errors], [(2, "campaign")])
        self.assertEqual([(e.row, e.column) for e in staff.errors], [(2, "campaign")])
        self.assertEqual(PaperTally.objects.count(), 0)
