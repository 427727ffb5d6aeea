"""A township clerk brings in the office's own visit ledger: uploads it, sees which worksheet
and column the product takes for what, corrects one column, previews the first rows as they
will be stored and imports them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings

from directory.models import LedgerMapping
from tests.browser.base import BrowserTestCase
from tests.directory.ledger_helpers import messy_sheet, new_workbook, workbook_bytes
from tests.helpers import PASSWORD, build_county
from visits.models import Visit

MEDIA = tempfile.mkdtemp(prefix="minqing-browser-media-")
HEADER = ["走访日期", "走访干部", "去哪", "见了谁", "走访方式", "备注"]
ROWS = [
    ["2025-03-05", "李明", "桃园村", "张三", "入户走访", "乡纪委抽查"],
    ["2025/3/12", "李明", "柳溪村", "", "调研", ""],
    ["2025年3月19日", "李明", "桃园村", "张三", "入户走访", "复查"],
]


@pytest.mark.browser
@override_settings(MEDIA_ROOT=MEDIA)
class ForeignWorkbookJourneyTests(BrowserTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.c = build_county()
        folder = Path(tempfile.mkdtemp(prefix="minqing-browser-ledger-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        workbook = new_workbook()
        messy_sheet(workbook, "三月下基层", HEADER, ROWS)
        self.path = folder / "青山乡三月台账.xlsx"
        self.path.write_bytes(workbook_bytes(workbook).getvalue())

    def test_upload_correct_one_column_preview_and_import(self) -> None:
        page = self.page
        self.login("qingshan", PASSWORD, "/ledger/")
        page.set_input_files("input[name=file]", str(self.path))
        page.click("button[name=map]")
        page.wait_for_url("**/mapping/")

        table = page.locator("article[data-table='三月下基层']")
        self.assertEqual(table.locator("select[name=t0-sheet]").input_value(), "visits")
        row = table.locator("tr", has=page.locator("th", has_text="备注"))
        self.assertEqual(row.locator("select").input_value(), "heard")
        place = table.locator("tr", has=page.locator("th", has_text="去哪"))
        self.assertEqual(place.locator("select").input_value(), "unit")  # from its values
        # In this office 备注 is the inspector's note, not what the household said.
        row.locator("select").select_option("")
        page.fill("input[name=save_as]", "青山乡走访台账")
        page.click("#ledger-mapping button[type=submit]")
        page.wait_for_url("**/preview/")

        preview = page.locator("table.ledger-preview")
        self.assertEqual(preview.locator("tbody tr").count(), 3)
        self.assertIn("桃园村", preview.inner_text())
        self.assertNotIn("乡纪委抽查", preview.inner_text())
        self.assertEqual(page.locator("td.cell-error").count(), 0)
        self.assertFalse(Visit.objects.exists())

        page.click("button[name=import]")
        page.wait_for_selector("#ledger-counts")
        self.assertIn("visits", page.inner_text("#ledger-counts"))
        self.assertEqual(Visit.objects.count(), 3)
        self.assertEqual(set(Visit.objects.values_list("heard", flat=True)), {""})
        self.assertTrue(
            LedgerMapping.objects.filter(unit=self.c.qingshan, name="青山乡走访台账").exists()
        )
