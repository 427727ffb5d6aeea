"""Where a ledger's data is: which worksheet holds which record type, which row is the header
and which column is which — found from the worksheet's name and titles, or given by a mapping
the user made on the mapping page (and saved for next month's workbook).

Real sheets have a title row (often merged across the columns: `2025年走访台账`) and notes
above the header, a `序号` column, columns the product does not use, and sign-off rows below
the table (`填表人：`). The header is the row among the first ones whose cells name the most
columns of the sheet; rows above it are skipped, unused columns are reported as warnings."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from .ledger_cells import Cell, norm, text, title_key
from .ledger_read import Table
from .ledger_schema import Column, Sheet, find_sheet, find_sheet_loosely, sheet_name_key, sheets

#: how many rows from the top may hold titles and notes above the header
HEADER_SCAN_ROWS = 20
#: headers of columns that number the rows; never data, never a warning
NUMBERING_TITLES = {title_key(t) for t in ("序号", "序", "行号", "No.", "No", "#", "编号序号")}
# Rows below the table: signatures, totals, notes (`填表人：张三  审核人：李四`).
_FOOTER = re.compile(
    r"^(填表人|制表人|填报人|填表|制表|审核人|审核|复核人|审批人|负责人|单位负责人|分管领导|"
    r"主要领导|统计人|经办人|联系人|联系电话|填报日期|填表日期|制表日期|备注|注[:：]|说明[:：]|"
    r"合计|总计|小计|签字|签名|盖章|单位[（(]?盖章)"
)


def column_id(title: str, index: int, seen: dict[str, int]) -> str:
    """The stable name of a source column: its title (`日期`, a second one `日期#2`), or its
    letter when the header cell is empty (`(C)`)."""
    key = title_key(title)
    if not key:
        return f"({get_column_letter(index + 1)})"
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}#{seen[key]}"


def column_ids(header: Sequence[Cell]) -> list[str]:
    seen: dict[str, int] = {}
    return [column_id(text(cell), index, seen) for index, cell in enumerate(header)]


@dataclass
class Layout:
    """How one table is read: as which sheet, from which header row, each column as what."""

    table: Table
    sheet: Sheet
    header_row: int  # 1-based; data starts below it
    positions: list[Column | None]
    titles: list[str]  # the header cells as text
    #: how the sheet was recognised: "name", "loose-name", "content" or "mapping"
    how: str = "name"
    unused: list[str] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    duplicates: list[Column] = field(default_factory=list)

    def title_of(self, key: str) -> str:
        for column, title in zip(self.positions, self.titles, strict=False):
            if column is not None and column.key == key:
                return title or key
        return key


def head_rows(table: Table) -> list[list[Cell]]:
    return list(itertools.islice(table.rows(), HEADER_SCAN_ROWS))


def _match_header(
    cells: Sequence[Cell], lookup: dict[str, Column]
) -> tuple[list[Column | None], int]:
    positions: list[Column | None] = []
    for cell in cells:
        column = lookup.get(title_key(text(cell))) if text(cell) else None
        positions.append(None if column in positions else column)
    return positions, len({c.key for c in positions if c is not None})


def find_header(
    rows: Sequence[Sequence[Cell]], lookup: dict[str, Column]
) -> tuple[int, list[Column | None], int]:
    """(0-based index, columns, score) of the row naming the most columns; score 0 if none."""
    best = (0, [None] * len(rows[0]) if rows else [], 0)
    for index, cells in enumerate(rows):
        positions, score = _match_header(cells, lookup)
        if score > best[2]:
            best = (index, positions, score)
    return best


def _layout(table: Table, sheet: Sheet, rows: Sequence[Sequence[Cell]], how: str) -> Layout | None:
    if not rows:
        return None
    index, positions, score = find_header(rows, sheet.title_lookup())
    if score == 0:
        return None
    header = rows[index]
    return _finish(table, sheet, index + 1, header, positions, how)


def _finish(
    table: Table,
    sheet: Sheet,
    header_row: int,
    header: Sequence[Cell],
    positions: list[Column | None],
    how: str,
) -> Layout:
    titles = [text(cell) for cell in header]
    unused = [
        title
        for title, column in zip(titles, positions, strict=False)
        if column is None and title and title_key(title) not in NUMBERING_TITLES
    ]
    found = {c.key for c in positions if c is not None}
    missing = [c for c in sheet.columns if c.required and c.key not in found]
    return Layout(
        table=table,
        sheet=sheet,
        header_row=header_row,
        positions=positions,
        titles=titles,
        how=how,
        unused=unused,
        missing=missing,
    )


def _by_content(rows: Sequence[Sequence[Cell]]) -> Sheet | None:
    """The one sheet whose required columns all appear in a header row, naming the most
    columns; None when nothing fits or two sheets fit equally well."""
    scored = []
    for sheet in sheets():
        if not rows:
            break
        _index, positions, score = find_header(rows, sheet.title_lookup())
        found = {c.key for c in positions if c is not None}
        if score >= 2 and all(c.key in found for c in sheet.columns if c.required):
            scored.append((score, sheet))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def detect(table: Table, rows: Sequence[Sequence[Cell]] | None = None) -> Layout | None:
    """The layout of a table without a mapping: its sheet from its name (or, failing that,
    from its header), the header row and the columns by their titles."""
    rows = head_rows(table) if rows is None else rows
    exact = find_sheet(table.name)
    if exact is not None:
        return _layout(table, exact, rows, "name")
    loose = find_sheet_loosely(table.name)
    if loose is not None:
        return _layout(table, loose, rows, "loose-name")
    sheet = _by_content(rows)
    return _layout(table, sheet, rows, "content") if sheet is not None else None


# --- mappings the user makes ----------------------------------------------------------------


@dataclass
class TableMapping:
    """The user's reading of one worksheet: the sheet it holds (or "" to skip it), the header
    row, and source column → column key ("" for a column not used)."""

    sheet: str
    header_row: int = 1
    columns: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "header_row": self.header_row, "columns": self.columns}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableMapping:
        return cls(
            sheet=str(data.get("sheet") or ""),
            header_row=max(1, int(data.get("header_row") or 1)),
            columns={str(k): str(v or "") for k, v in (data.get("columns") or {}).items()},
        )


@dataclass
class Mapping:
    """A whole workbook's mapping, by worksheet name."""

    tables: dict[str, TableMapping] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"tables": {name: t.as_json() for name, t in self.tables.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mapping:
        tables = (data or {}).get("tables") or {}
        return cls({str(name): TableMapping.from_json(t) for name, t in tables.items()})

    def entry_for(self, table: Table, rows: Sequence[Sequence[Cell]]) -> TableMapping | None:
        """The entry made for this worksheet: by its name, by its name without the digits
        (`2025年4月走访` reuses what was made for `2025年3月走访`), or by its header titles."""
        if table.name in self.tables:
            return self.tables[table.name]
        pattern = _digitless(table.name)
        same_shape = [t for name, t in self.tables.items() if _digitless(name) == pattern]
        if len(same_shape) == 1:
            return same_shape[0]
        scored: list[tuple[float, TableMapping]] = []
        for entry in self.tables.values():
            wanted = {k for k in entry.columns if not k.startswith("(")}
            if wanted and rows:
                share = max(len(wanted & set(column_ids(cells))) / len(wanted) for cells in rows)
                scored.append((share, entry))
        scored = [pair for pair in scored if pair[0] >= 0.6]
        return max(scored, key=lambda pair: pair[0])[1] if scored else None


def _digitless(name: str) -> str:
    return re.sub(r"\d+", "", norm(name))


def apply_mapping(
    table: Table, entry: TableMapping, rows: Sequence[Sequence[Cell]]
) -> Layout | None:
    """The layout a mapping entry gives; the header row is found again by the mapped titles
    (next month's workbook may have one note row more), new columns by their titles."""
    sheet = find_sheet(entry.sheet)
    if sheet is None or not rows:
        return None
    wanted = {k for k, v in entry.columns.items() if not k.startswith("(")}
    index, best = min(entry.header_row, len(rows)) - 1, 0
    for number, cells in enumerate(rows):
        score = len(wanted & set(column_ids(cells)))
        if score > best:
            index, best = number, score
    header = rows[index]
    lookup = sheet.title_lookup()
    positions: list[Column | None] = []
    for source, cell in zip(column_ids(header), header, strict=False):
        if source in entry.columns:
            column = sheet.column(entry.columns[source]) if entry.columns[source] else None
        else:
            column = lookup.get(title_key(text(cell))) if text(cell) else None
        positions.append(column)
    layout = _finish(table, sheet, index + 1, header, positions, "mapping")
    seen: set[str] = set()
    for column in positions:
        if column is not None and column.key in seen:
            layout.duplicates.append(column)
        elif column is not None:
            seen.add(column.key)
    return layout


def mapping_of(layouts: Iterable[Layout]) -> Mapping:
    """The mapping that reads the tables as these layouts do (to show and correct it)."""
    mapping = Mapping()
    for layout in layouts:
        ids = column_ids(layout.titles)
        mapping.tables[layout.table.name] = TableMapping(
            sheet=layout.sheet.name,
            header_row=layout.header_row,
            columns={
                source: column.key if column is not None else ""
                for source, column in zip(ids, layout.positions, strict=False)
            },
        )
    return mapping


def is_footer(cells: Sequence[Cell]) -> bool:
    """A sign-off, total or note row below the table (a few cells, the first a known word)."""
    filled = [cell for cell in cells if cell != ""]
    if not filled or len(filled) > 4 or not isinstance(filled[0], str):
        return False
    return bool(_FOOTER.match(norm(filled[0])))


__all__ = [
    "HEADER_SCAN_ROWS",
    "Layout",
    "Mapping",
    "TableMapping",
    "apply_mapping",
    "column_ids",
    "detect",
    "head_rows",
    "is_footer",
    "mapping_of",
    "sheet_name_key",
]
