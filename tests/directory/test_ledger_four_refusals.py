"""The four refusals a county met on its first import now import (issue: 台账 onboarding):
platforms under the office's own names, a category not configured yet, a reception a rule
would not count, and a democratic evaluation counted on paper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from directory.ledger import run_import
from petitions.models import Appeal, AppealCategory, AppealPlatform, Reception
from reports.models import Campaign, CampaignState
from rules.models import Clock
from tests.helpers import build_county
from tests.petitions.helpers import load_rule_packs

from .ledger_helpers import messy_sheet, new_workbook, workbook_bytes

APPEAL_HEADER = [
    "诉求编号",
    "收到时间",
    "来源",
    "诉求类别",
    "承办单位",
    "办理时限",
    "回复时间",
    "诉求内容",
]
APPEALS = [
    [
        "XZF-001",
        dt.datetime(2025, 3, 3, 9, 30),
        "县政府网",
        "住房保障",
        "青山乡",
        3,
        "2025-03-05 16:00",
        "廉租房申请",
    ],
    ["TYRM-002", "2025/3/4 10:00", "桃源融媒", "住房保障", "县教育局", "", "", "校车接送"],
    ["WX-003", "2025年3月5日", "微信群", "城乡建设", "青山乡", "", "", "路灯不亮"],
    ["RMW-004", "2025-03-06 08:00", "人民网留言板", "教育", "县教育局", 2, "2025-03-07", "学位"],
    ["12345-005", "2025-03-06 09:00", "12345热线", "城乡建设", "青山乡", "", "", "噪音"],
]


def run_command(case: TestCase, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def saved(case: TestCase, data: io.BytesIO, name: str = "台账.xlsx") -> str:
    folder = Path(case.enterContext(tempfile.TemporaryDirectory()))
    path = folder / name
    path.write_bytes(data.getvalue())
    return str(path)


class FirstImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("taoyuan")
        AppealCategory.objects.all().delete()  # a first import: no category is configured yet
        cls.c = build_county()

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def appeals(self) -> io.BytesIO:
        workbook = new_workbook()
        messy_sheet(workbook, "网民诉求台账", APPEAL_HEADER, APPEALS)
        return workbook_bytes(workbook)


class OwnPlatformsAndNewCategoriesTests(FirstImportTestCase):
    def test_the_dry_run_lists_the_platforms_and_categories_it_would_create(self) -> None:
        status, out, err = run_command(
            self, "import_ledger", saved(self, self.appeals()), "--dry-run"
        )

        self.assertEqual((status, err), (0, ""))
        lines = out.splitlines()
        self.assertIn("appeals: created 5, updated 0, unchanged 0", lines)
        implicit = [line for line in lines if "implicitly" in line]
        self.assertEqual(
            implicit,
            [
                "would be created implicitly (网民诉求台账): appeal platform 县政府网（other platform）",
                "would be created implicitly (网民诉求台账): appeal category 住房保障",
                "would be created implicitly (网民诉求台账): appeal platform 桃源融媒（other platform）",
                "would be created implicitly (网民诉求台账): appeal platform 微信群（other platform）",
                "would be created implicitly (网民诉求台账): appeal category 城乡建设",
                "would be created implicitly (网民诉求台账): appeal platform 人民网留言板（message board）",
                "would be created implicitly (网民诉求台账): appeal category 教育",
            ],
        )
        self.assertIn("Dry run: the ledger is valid; nothing was saved.", lines)
        self.assertFalse(AppealPlatform.objects.exists())
        self.assertFalse(AppealCategory.objects.exists())

    def test_own_platform_names_and_new_categories_import_and_run_their_clocks(self) -> None:
        result = run_import(self.appeals(), dry_run=False, acting_user=self.c.petition_clerk)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["appeals"].created, 5)
        self.assertEqual(
            dict(AppealPlatform.objects.values_list("name", "source")),
            {
                "县政府网": "other",
                "桃源融媒": "other",
                "微信群": "other",
                "人民网留言板": "message_board",
            },
        )
        first = Appeal.objects.get(ref="XZF-001")
        self.assertEqual(
            (first.platform.name, first.source, first.category.name, first.limit_days),
            ("县政府网", "other", "住房保障", 3),
        )
        self.assertEqual(first.platform_label, "县政府网")
        clock = Clock.objects.for_item(first).get()
        self.assertEqual((clock.due, clock.on_time), (dt.date(2025, 3, 6), True))
        hotline = Appeal.objects.get(ref="12345-005")
        self.assertEqual((hotline.source, hotline.platform), ("hotline", None))
        category = AppealCategory.objects.get(name="住房保障")
        self.assertEqual((category.limit_days, category.active), (None, False))

    def test_importing_again_creates_no_second_platform_or_category(self) -> None:
        run_import(self.appeals(), dry_run=False)

        again = run_import(self.appeals(), dry_run=False)

        self.assertEqual((again.counts["appeals"].unchanged, again.implicit), (5, []))
        self.assertEqual(AppealPlatform.objects.count(), 4)
        self.assertEqual(AppealCategory.objects.count(), 3)

    def test_unit_staff_may_not_create_categories_or_platforms(self) -> None:
        result = run_import(self.appeals(), dry_run=True, acting_user=self.c.qingshan_staff)

        self.assertEqual({e.column for e in result.errors}, {"ref"})
        self.assertEqual(result.implicit, [])


class ReceptionFactTests(FirstImportTestCase):
    def test_a_township_secretary_at_the_county_bureau_is_stored_and_not_counted_for_ty_r1(
        self,
    ) -> None:
        workbook = new_workbook()
        messy_sheet(
            workbook,
            "领导接访台账",
            ["接访日期", "时段", "接访领导", "接访地点", "接访类型"],
            [["2025-03-03", "上午", "李明", "县信访局", "坐班接访"]],
        )

        result = run_import(workbook_bytes(workbook), dry_run=False)

        self.assertEqual(result.errors, [])
        reception = Reception.objects.get()
        self.assertEqual(
            (reception.person, reception.unit, reception.kind, reception.status),
            (self.c.qingshan_secretary, self.c.petition_bureau, "bureau_sitting", "held"),
        )
        out = io.StringIO()
        call_command("compliance", "--year", "2025", "--today", "2026-01-05", stdout=out)
        rows = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["rule"] == "TY-R1"]
        self.assertTrue(rows)  # the county leader owes the sittings
        self.assertNotIn("P-LM", {r["subject"] for r in rows})
        march = [r for r in rows if r["period"] == "2025-03"]
        self.assertEqual({(r["subject"], r["actual"]) for r in march}, {("P-WJG", "0")})


class PaperCampaignTests(FirstImportTestCase):
    def test_a_campaign_counted_on_paper_is_finished_and_gives_scores(self) -> None:
        workbook = new_workbook()
        messy_sheet(
            workbook,
            "民主测评",
            ["编码", "名称", "年度"],
            [["C-2025", "2025年度乡镇民主测评", "2025"]],
        )
        messy_sheet(
            workbook,
            "测评结果",
            ["测评活动编码", "测评群体", "被测评单位", "评价", "票数"],
            [
                ["C-2025", "人大代表", "城关镇", "满意", "8"],
                ["C-2025", "人大代表", "城关镇", "基本满意", "２"],
                ["C-2025", "群众代表", "青山乡", "不满意", 1],
                ["C-2025", "群众代表", "青山乡", "满意", 3],
            ],
        )
        path = saved(self, workbook_bytes(workbook))

        status, out, err = run_command(self, "import_ledger", path, "--user", "supervisor")

        self.assertEqual((status, err), (0, ""))
        self.assertIn("Campaign C-2025 is closed: its ballots were counted on paper.", out)
        self.assertEqual(Campaign.objects.get(code="C-2025").state, CampaignState.CLOSED)
        status, scores, err = run_command(self, "evaluation_scores", "C-2025")
        self.assertEqual((status, err), (0, ""))
        table = {row["unit"]: row for row in csv.DictReader(io.StringIO(scores))}
        self.assertEqual(
            {code: (row["ballots"], row["score"], row["rank"]) for code, row in table.items()},
            {"QH-CG": ("10", "92.00", "1"), "QH-QS": ("4", "75.00", "2")},
        )
        status, again, _err = run_command(self, "import_ledger", path, "--user", "supervisor")
        self.assertEqual(status, 0)
        self.assertIn("ballots: created 0, updated 0, unchanged 4", again)

    def test_a_campaign_row_may_say_it_is_still_open(self) -> None:
        workbook = new_workbook()
        messy_sheet(
            workbook,
            "民主测评",
            ["编码", "名称", "年度", "状态"],
            [["C-OPEN", "测评", "2025", "进行中"]],
        )
        messy_sheet(
            workbook,
            "测评结果",
            ["测评活动编码", "测评群体", "被测评单位", "评价", "票数"],
            [["C-OPEN", "人大代表", "城关镇", "满意", "8"]],
        )

        result = run_import(workbook_bytes(workbook), dry_run=False, acting_user=self.c.supervisor)

        self.assertEqual(result.errors, [])
        self.assertEqual(Campaign.objects.get(code="C-OPEN").state, CampaignState.OPEN)
