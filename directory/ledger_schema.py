"""What a ledger sheet is: its columns, how a row is imported, and the registry of sheets.

An app describes each record type once (see directory/ledger.py for the whole picture):

    register_sheet(Sheet(name="units", title_zh="机构", label=_("Org units"), order=10,
                         columns=(Column("code", "编码", _("code"), required=True), ...),
                         import_row=import_unit, aliases=("组织机构",)))
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .ledger_cells import Cell, fold, norm, text, title_key

if TYPE_CHECKING:
    from .ledger import ImportContext

Outcome = Literal["created", "updated", "unchanged"]
CREATED: Outcome = "created"
UPDATED: Outcome = "updated"
UNCHANGED: Outcome = "unchanged"


class RowError(Exception):
    """Raised by a sheet's import_row: `column` is the key of the column at fault."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    #: the Chinese header of the template (data, not a translation)
    title_zh: str
    #: lazy-translated name used in messages and on the upload page
    label: Any
    required: bool = False
    parse: Callable[[Cell], Any] = text
    #: other headers real ledgers use for this column (`走访日期`, `走访人`)
    aliases: tuple[str, ...] = ()
    #: the kind of record the column names ("unit", "person", "household"), for guessing a
    #: column of a foreign workbook by its values
    refers: str = ""

    @property
    def values(self) -> list[str]:
        """The allowed keys of a choice / choice-list column (empty for free values)."""
        return list(getattr(self.parse, "values", []))

    def titles(self) -> list[str]:
        return [self.key, self.title_zh, *self.aliases]


@dataclass(frozen=True)
class ParsedRow:
    number: int
    values: dict[str, Any]
    #: the worksheet (or CSV file) the row was read from, as the file names it
    table: str = ""


RowImporter = Callable[[dict[str, Any], "ImportContext"], Outcome]
RowOrderer = Callable[[list[ParsedRow]], tuple[list[ParsedRow], list[tuple[ParsedRow, RowError]]]]
#: imports a batch of rows at once: one outcome or RowError per row, in order
BatchImporter = Callable[[list[ParsedRow], "ImportContext"], list["Outcome | RowError"]]


_new_rows = itertools.count()


def ref_or_row(values: dict[str, Any]) -> str:
    """The identity of a row of numbered records (petitions, appeals, items): its reference; a
    row without one is a new record of its own (numbered on import), never a duplicate."""
    return str(values.get("ref") or f"\x00new row {next(_new_rows)}")


@dataclass(frozen=True, eq=False)
class Sheet:
    name: str
    title_zh: str
    label: Any
    columns: tuple[Column, ...]
    #: dependency order: a sheet is imported after every sheet with a smaller order
    order: int
    import_row: RowImporter
    #: column keys that identify a record (duplicates within the sheet are errors);
    #: default: the first column
    identity: tuple[str, ...] = ()
    #: optional: the identity of a row computed from its values (a code, else the name
    #: within the unit); overrides `identity`
    identify: Callable[[dict[str, Any]], str] | None = None
    #: optional: reorder rows (parents first) and reject rows that cannot be ordered
    order_rows: RowOrderer | None = None
    #: example rows of the template workbook (consistent across all registered sheets)
    examples: tuple[Mapping[str, Any], ...] = ()
    #: model field → column key, for fields whose name differs from the column key
    field_columns: Mapping[str, str] = field(default_factory=dict)
    #: other names real workbooks give such a worksheet (`走访记录`, `干部名册`)
    aliases: tuple[str, ...] = ()
    #: optional: import many rows at once (large fact sheets); rows are still validated one by
    #: one and each gets its own outcome or error
    import_batch: BatchImporter | None = None
    batch_size: int = 1000
    #: optional: runs once after all rows of the sheet (e.g. a paper-counted campaign closes)
    finish: Callable[[ImportContext], None] | None = None
    #: optional: whether an account may import this sheet at all — the roles of the page that
    #: records such rows (the rows are then checked one by one as that page checks them)
    may_import: Callable[[Any], bool] | None = None

    @property
    def identity_keys(self) -> tuple[str, ...]:
        return self.identity or (self.columns[0].key,)

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def column_for_field(self, field_name: str) -> str:
        key = self.field_columns.get(field_name, field_name)
        if self.column(key) is not None:
            return key
        return self.columns[0].key

    def names(self) -> list[str]:
        return [self.name, self.title_zh, *self.aliases]

    def title_lookup(self) -> dict[str, Column]:
        """Every accepted header of the sheet (keys, Chinese titles, aliases) → its column."""
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for title in column.titles():
                lookup.setdefault(title_key(title), column)
        return lookup


_registry: dict[str, Sheet] = {}

# `2025年3月走访台账`, `青山乡农户信息表` → `走访`, `农户`: the words around a sheet's name.
_NAME_NOISE = re.compile(
    r"[一二三四五六七八九十〇]+月份?|第.?季度|上半年|下半年|[\d\s\-_.()（）【】\[\]]+|年度|年|月份|月"
)
_NAME_SUFFIXES = (
    "台账",
    "登记表",
    "登记簿",
    "登记",
    "记录表",
    "记录",
    "明细表",
    "明细",
    "统计表",
    "汇总表",
    "情况表",
    "情况",
    "一览表",
    "花名册",
    "名册",
    "名单",
    "信息表",
    "信息",
    "工作",
    "表",
)


def sheet_name_key(name: str) -> str:
    key = _NAME_NOISE.sub("", norm(name))
    changed = True
    while changed:
        changed = False
        for suffix in _NAME_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
    return key


def register_sheet(sheet: Sheet) -> Sheet:
    """Register (or replace, by name) a sheet; its names must not clash with another's."""
    mine = {norm(n) for n in sheet.names()}
    for other in _registry.values():
        if other.name != sheet.name and mine & {norm(n) for n in other.names()}:
            raise ValueError(f"ledger sheet {sheet.name!r} clashes with {other.name!r}")
    _registry[sheet.name] = sheet
    return sheet


def sheets() -> list[Sheet]:
    return sorted(_registry.values(), key=lambda sheet: (sheet.order, sheet.name))


def find_sheet(name: str) -> Sheet | None:
    """The sheet called `name` by key or by Chinese title (case/width/space-insensitive)."""
    wanted = norm(name)
    for sheet in _registry.values():
        if wanted in (norm(sheet.name), norm(sheet.title_zh)):
            return sheet
    return None


def find_sheet_loosely(name: str) -> Sheet | None:
    """The sheet a worksheet name means once years, months and words such as 台账 are set
    aside (`2025年走访台账` → visits), or one of a sheet's aliases; None when unclear."""
    exact = find_sheet(name)
    if exact is not None:
        return exact
    wanted = {norm(fold(name)), sheet_name_key(name)} - {""}
    found = [
        sheet
        for sheet in _registry.values()
        if wanted & ({norm(n) for n in sheet.names()} | {sheet_name_key(n) for n in sheet.names()})
    ]
    return found[0] if len(found) == 1 else None
