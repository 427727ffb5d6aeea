"""Excel export of the pairing ledger (结对帮扶台账).

Two worksheets: `结对台账` for people to read (names, village, kind, who it was handed over
from), and `pairings` with the ledger sheet's columns, so that the export imports again
(the import skips the sheet it does not know)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from .models import Pairing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READABLE = (
    "干部",
    "单位",
    "户主",
    "农户编码",
    "村（社区）",
    "结对类型",
    "开始日期",
    "结束日期",
    "交接自",
)
LEDGER = ("person", "household", "kind", "start", "end")


def pairing_workbook(pairings: Iterable[Pairing]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    readable = workbook.active
    readable.title = "结对台账"
    readable.append(list(READABLE))
    ledger = workbook.create_sheet("pairings")
    ledger.append(list(LEDGER))
    for p in pairings:
        previous = p.handed_over_from.person.name if p.handed_over_from_id else ""
        readable.append(
            [
                p.person.name,
                p.person.unit.name,
                p.household.head,
                p.household.code,
                p.household.village.name,
                str(p.get_kind_display()),
                p.start,
                p.end,
                previous,
            ]
        )
        ledger.append([p.person.code, p.household.code, p.kind, p.start, p.end])
    for sheet in (readable, ledger):
        for column in "ABCDEFGHI":
            sheet.column_dimensions[column].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
