"""Guessing the mapping of a foreign workbook for the mapping page: by the worksheet's name and
titles first (directory/ledger_layout.py), then by the values under the columns still unknown —
a column of dates, of values of a fixed list (`入户走访`), of numbers, or of names the directory
knows (people, units, household heads) is probably the column of the sheet that holds such
values. The user sees the guess and corrects it; nothing is imported on a guess alone."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from .ledger_cells import Cell, boolean, code, date, datetime, decimal, integer, text, title_key
from .ledger_layout import (
    HEADER_SCAN_ROWS,
    NUMBERING_TITLES,
    Layout,
    Mapping,
    TableMapping,
    apply_mapping,
    column_ids,
    detect,
    is_footer,
)
from .ledger_read import Table
from .ledger_schema import Column, Sheet, sheets
from .models import Household, OrgUnit, Person

SAMPLE_ROWS = 20
REFERS: dict[str, tuple[type, tuple[str, ...]]] = {
    "unit": (OrgUnit, ("code", "name")),
    "person": (Person, ("code", "name", "phone")),
    "household": (Household, ("code", "head", "id_number")),
}
#: share of a column's sample values that must fit for a guess
FIT = 0.8


@dataclass
class SourceColumn:
    """One column of a worksheet as the mapping page shows it."""

    id: str
    title: str
    samples: list[str]
    key: str = ""  # the column of the sheet it is mapped to ("" not used)
    guessed: bool = False  # mapped by its values, not its title


@dataclass
class TableGuess:
    table: str
    sheet: str  # "" when the worksheet is skipped
    header_row: int
    columns: list[SourceColumn] = field(default_factory=list)
    how: str = ""


def _samples(rows: Sequence[Sequence[Cell]], header_row: int, width: int) -> list[list[Cell]]:
    data = [
        list(row) + [""] * (width - len(row)) for row in rows[header_row:] if not is_footer(row)
    ]
    return [
        [row[i] for row in data if i < len(row) and row[i] != ""][:SAMPLE_ROWS]
        for i in range(width)
    ]


def _known(model: type, values: list[str], fields: Sequence[str]) -> set[str]:
    folded = list({code(v) for v in values} | {text(v) for v in values})
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__in": folded})
    found: set[str] = set()
    for row in model.objects.filter(condition).values_list(*fields)[:500]:
        found.update(str(value) for value in row)
    return found


def fit(column: Column, values: list[Cell]) -> float:
    """The share of `values` that can be this column's values (0 when values cannot tell)."""
    if not values:
        return 0.0
    if column.refers:
        parts: list[str] = []
        for value in values:
            try:
                parsed = column.parse(value)
            except ValidationError:
                continue
            parts.extend(parsed if isinstance(parsed, list) else [str(parsed)])
        if not parts:
            return 0.0
        model, fields = REFERS[column.refers]
        known = _known(model, parts, fields)
        return sum(1 for p in parts if code(p) in known or p in known) / len(parts)
    parser = column.parse
    if parser in (date, datetime, integer, decimal, boolean) or column.values:
        if parser in (integer, decimal) and any(not isinstance(v, str) for v in values):
            return 0.0
        good = 0
        for value in values:
            try:
                parsed = parser(value)
            except ValidationError:
                continue
            good += parsed not in (None, "", [])
        share = good / len(values)
        # plain numbers also parse as dates (Excel serials) and booleans (1/0): weigh less
        return share if parser in (date, datetime) or column.values else share * 0.9
    return 0.0


def _by_values(sheet: Sheet, columns: list[SourceColumn], samples: list[list[Cell]]) -> None:
    taken = {c.key for c in columns if c.key}
    free = [c for c in sheet.columns if c.key not in taken]
    scored = []
    for index, source in enumerate(columns):
        if source.key or not samples[index] or title_key(source.title) in NUMBERING_TITLES:
            continue
        for column in free:
            score = fit(column, samples[index])
            if score >= FIT:
                rank = (
                    2
                    if column.refers or column.values
                    else 1
                    if column.parse in (date, datetime)
                    else 0
                )
                scored.append((rank, score, index, column))
    for _rank, _score, index, column in sorted(scored, key=lambda s: (-s[0], -s[1])):
        if column.key in taken or columns[index].key:
            continue
        columns[index].key = column.key
        columns[index].guessed = True
        taken.add(column.key)


def _first_wide_row(rows: Sequence[Sequence[Cell]]) -> int | None:
    """The 0-based index of the first row with two cells or more: a header, below the title
    and notes that fill one (merged) cell."""
    return next((i for i, row in enumerate(rows) if sum(c != "" for c in row) >= 2), None)


def _sheet_by_values(rows: Sequence[Sequence[Cell]]) -> tuple[Sheet, int] | None:
    """For a worksheet whose name and titles say nothing: the sheet whose required columns its
    values fill best (the header taken as the first row of several cells)."""
    header = _first_wide_row(rows)
    if header is None:
        return None
    width = max(len(r) for r in rows)
    samples = _samples(rows, header + 1, width)
    best: tuple[int, Sheet | None] = (0, None)
    for sheet in sheets():
        required = [c for c in sheet.columns if c.required]
        if not required:
            continue
        filled = sum(1 for c in required if any(fit(c, s) >= FIT for s in samples if s))
        if filled == len(required) and filled > best[0]:
            best = (filled, sheet)
    return (best[1], header + 1) if best[1] is not None else None


def guess_table(table: Table, entry: TableMapping | None = None) -> TableGuess:
    """The mapping page's proposal for one worksheet: the given entry (a saved mapping, or the
    user's choice of sheet), else names and titles, then values."""
    rows = list(itertools.islice(table.rows(), HEADER_SCAN_ROWS + SAMPLE_ROWS))
    head = rows[:HEADER_SCAN_ROWS]
    layout: Layout | None = None
    if entry is not None and entry.sheet:
        layout = apply_mapping(table, entry, head)
    elif entry is None:
        layout = detect(table, head)
    if layout is None and entry is None:
        by_values = _sheet_by_values(head)
        if by_values is not None:
            sheet, header_row = by_values
            layout = apply_mapping(table, TableMapping(sheet.name, header_row, {}), head)
    if layout is None:
        header_row = entry.header_row if entry is not None else (_first_wide_row(head) or 0) + 1
        header = head[header_row - 1] if len(head) >= header_row else []
        width = max((len(r) for r in rows), default=0)
        samples = _samples(rows, header_row, width)
        columns = [
            SourceColumn(cid, text(cell), [text(v) for v in samples[i][:3]])
            for i, (cid, cell) in enumerate(zip(column_ids(header), header, strict=False))
        ]
        return TableGuess(table.name, "", header_row, columns, "")
    return _from_layout(layout, rows, entry is None or not entry.columns)


def _from_layout(layout: Layout, rows: list[list[Cell]], by_values: bool) -> TableGuess:
    width = max(len(layout.titles), max((len(r) for r in rows), default=0))
    samples = _samples(rows, layout.header_row, width)
    ids = column_ids(layout.titles)
    columns = [
        SourceColumn(
            ids[i],
            layout.titles[i],
            [text(v) for v in samples[i][:3]],
            column.key if column is not None else "",
        )
        for i, column in enumerate(layout.positions)
    ]
    if by_values:
        _by_values(layout.sheet, columns, samples)
    return TableGuess(layout.table.name, layout.sheet.name, layout.header_row, columns, layout.how)


def guess_mapping(tables: Sequence[Table], saved: Mapping | None = None) -> list[TableGuess]:
    guesses = []
    for table in tables:
        rows = list(itertools.islice(table.rows(), HEADER_SCAN_ROWS))
        if not any(any(c != "" for c in row) for row in rows):
            continue
        entry = saved.entry_for(table, rows) if saved is not None else None
        guesses.append(guess_table(table, entry))
    return guesses


def mapping_from_guesses(guesses: Sequence[TableGuess]) -> Mapping:
    return Mapping(
        {
            g.table: TableMapping(g.sheet, g.header_row, {c.id: c.key for c in g.columns})
            for g in guesses
        }
    )


__all__ = [
    "SourceColumn",
    "TableGuess",
    "fit",
    "guess_mapping",
    "guess_table",
    "mapping_from_guesses",
]
