"""Workbooks as county offices keep them, built with openpyxl for the ledger import tests: a
merged title row and a note above the header, a 序号 column, Chinese titles of the office's own,
columns the product does not use, Excel date cells beside text dates, full-width digits,
empty trailing rows and a sign-off row below the table."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl


def messy_sheet(
    workbook: openpyxl.Workbook,
    name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    note: str = "填报单位：青山乡（盖章）        填报日期：2025年12月31日",
    numbered: bool = True,
) -> None:
    """One worksheet: title (merged across the columns), note, header, rows, blank rows and
    the signatures — as an office fills its ledger in Excel or WPS."""
    sheet = workbook.create_sheet(name)
    width = len(header) + (1 if numbered else 0)
    sheet.append([title or name])
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append([note])
    sheet.append((["序号"] if numbered else []) + list(header))
    for number, row in enumerate(rows, start=1):
        sheet.append(([number] if numbered else []) + list(row))
    sheet.append([])
    sheet.append([None] * width)
    sheet.append(["填表人：张会计", None, "审核人：李书记"])


def workbook_bytes(workbook: openpyxl.Workbook, name: str = "台账.xlsx") -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def new_workbook() -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    return workbook


def understate_dimension(data: bytes, sheet_path: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The same workbook with the sheet's dimension tag claiming only A1:C2, as some tools
    write it (openpyxl's read-only mode trusts the tag)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == sheet_path:
                content = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:C2"/>', content)
            target.writestr(info, content)
    return out.getvalue()


def zip_bomb(unpacked: int = 20 * 1024 * 1024) -> bytes:
    """An .xlsx-looking archive of a few dozen KB whose worksheet unpacks to `unpacked` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()
