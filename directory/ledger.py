"""Ledger import (台账导入): the framework every app uses to register its own sheets.

A ledger is an .xlsx workbook (one worksheet per record type) or a folder / .zip of CSV files
(one file per record type, named after the sheet). The first row holds column keys or the
Chinese titles of the downloadable template. An app describes each record type once:

    register_sheet(Sheet(name="units", title_zh="机构", label=_("Org units"), order=10,
                         columns=(Column("code", "编码", _("code"), required=True), ...),
                         import_row=import_unit))

`import_row(row, ctx)` receives the parsed values of one row (only the columns the file has)
and returns "created", "updated" or "unchanged"; it raises `RowError(column, message)` or a
Django `ValidationError` (field errors are reported on the column of the same key).

`run_import()` is all or nothing: every sheet in dependency order inside one transaction, each
row in its own savepoint so that one bad row does not hide the next; any error (or a dry run)
rolls everything back. Errors read `sheet:row:column: message`, row being the spreadsheet row
number (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import Scope, scope_for
from .models import Household, OrgUnit, Person, Role

Outcome = Literal["created", "updated", "unchanged"]
CREATED: Outcome = "created"
UPDATED: Outcome = "updated"
UNCHANGED: Outcome = "unchanged"

#: A cell after reading: text (stripped), or a date / datetime / bool kept from Excel.
Cell = str | dt.date | dt.datetime | bool

# An unpacked archive larger than this many times the upload limit is refused (zip bombs).
UNPACKED_FACTOR = 50


class LedgerFileError(Exception):
    """The file as a whole cannot be read (wrong type, corrupt, no known sheet)."""


class RowError(Exception):
    """Raised by a sheet's import_row: `column` is the key of the column at fault."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class LedgerError:
    """One error of an import: the design's `ImportError(sheet, row, column, message)`."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row}:{self.column}: {self.message}"


# --- cell parsers -------------------------------------------------------------------------
# A parser turns a cell into a Python value or raises ValidationError; each handles the empty
# cell ("") itself so that an optional column can say what "empty" means.


def _norm(value: str) -> str:
    """Case-, width- and whitespace-insensitive form used to match names and choice labels."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


def text(value: Cell) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _number_text(value: Cell) -> str:
    if isinstance(value, bool | dt.date):
        return "x"  # never a number
    return text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()


def integer(value: Cell) -> int | None:
    if value == "":
        return None
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    return int(number)


def decimal(value: Cell) -> Decimal | None:
    if value == "":
        return None
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    return number


# ISO dates; also 2025/3/5 and 2025年3月5日, which Chinese Excel writes when saving CSV.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?")
_TIME = re.compile(r"^(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


def _split_datetime(value: str) -> tuple[dt.date, dt.time | None] | None:
    match = _DATE.match(value)
    if not match:
        return None
    time_match = _TIME.match(value[match.end() :])
    if not time_match:
        return None
    try:
        day = dt.date(*(int(part) for part in match.groups()))
        hour, minute, second = time_match.groups()
        clock = dt.time(int(hour), int(minute), int(second or 0)) if hour is not None else None
    except ValueError:
        return None
    return day, clock


def date(value: Cell) -> dt.date | None:
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parts = _split_datetime(text(value))
    if parts is None or (parts[1] is not None and parts[1] != dt.time(0)):
        raise ValidationError(_("Enter a date as YYYY-MM-DD."))
    return parts[0]


def datetime(value: Cell) -> dt.datetime | None:
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        parts = _split_datetime(text(value))
        if parts is None:
            raise ValidationError(_("Enter a date and time as YYYY-MM-DD HH:MM."))
        moment = dt.datetime.combine(parts[0], parts[1] or dt.time(0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


_YES = {"yes", "y", "true", "1", "是", "对", "√"}
_NO = {"no", "n", "false", "0", "否", "×"}


def boolean(value: Cell) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "":
        return None
    word = _norm(text(value))
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError(_("Enter yes or no."))


ChoicesArg = Iterable[tuple[str, Any]] | type[models.Choices]


class Choice:
    """One value of a fixed list: the key (`township`) or one of its aliases (`乡镇`)."""

    def __init__(self, choices: ChoicesArg, aliases: Mapping[str, str] | None = None) -> None:
        pairs = choices.choices if isinstance(choices, type) else list(choices)
        self.values: list[str] = [str(key) for key, _label in pairs]
        self._lookup = {_norm(key): key for key in self.values}
        for alias, key in (aliases or {}).items():
            if key not in self.values:
                raise ValueError(f"alias {alias!r} points to unknown value {key!r}")
            self._lookup.setdefault(_norm(alias), key)

    def match(self, value: str) -> str | None:
        return self._lookup.get(_norm(value))

    def __call__(self, value: Cell) -> str:
        word = text(value)
        if word == "":
            return ""
        key = self.match(word)
        if key is None:
            raise ValidationError(
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": word, "choices": ", ".join(self.values)}
            )
        return key


class CodeList:
    """A `;`-separated list (also `；` `,` `，` `、`): codes of records, or values of a Choice."""

    _SEPARATORS = re.compile(r"[;；,，、]")

    def __init__(self, choices: ChoicesArg | None = None, aliases: Mapping[str, str] | None = None):
        self.choice = Choice(choices, aliases) if choices is not None else None
        self.values: list[str] = self.choice.values if self.choice else []

    def __call__(self, value: Cell) -> list[str]:
        items: list[str] = []
        for item in self._SEPARATORS.split(text(value)):
            item = item.strip()
            if item and item not in items:
                items.append(item)
        if self.choice is None:
            return items
        unknown = [item for item in items if self.choice.match(item) is None]
        if unknown:
            raise ValidationError(
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": ";".join(unknown), "choices": ", ".join(self.values)}
            )
        keys = [self.choice.match(item) or "" for item in items]
        return list(dict.fromkeys(keys))


# --- sheets and their registry --------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    #: the Chinese header of the template (data, not a translation)
    title_zh: str
    #: lazy-translated name used in messages and on the upload page
    label: Any
    required: bool = False
    parse: Callable[[Cell], Any] = text

    @property
    def values(self) -> list[str]:
        """The allowed keys of a choice / choice-list column (empty for free values)."""
        return list(getattr(self.parse, "values", []))


@dataclass(frozen=True)
class ParsedRow:
    number: int
    values: dict[str, Any]


RowImporter = Callable[[dict[str, Any], "ImportContext"], Outcome]
RowOrderer = Callable[[list[ParsedRow]], tuple[list[ParsedRow], list[tuple[ParsedRow, RowError]]]]


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
    #: optional: reorder rows (parents first) and reject rows that cannot be ordered
    order_rows: RowOrderer | None = None
    #: example rows of the template workbook (consistent across all registered sheets)
    examples: tuple[Mapping[str, Any], ...] = ()
    #: model field → column key, for fields whose name differs from the column key
    field_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def identity_keys(self) -> tuple[str, ...]:
        return self.identity or (self.columns[0].key,)

    def column_for_field(self, field_name: str) -> str:
        key = self.field_columns.get(field_name, field_name)
        if any(column.key == key for column in self.columns):
            return key
        return self.columns[0].key


_registry: dict[str, Sheet] = {}


def register_sheet(sheet: Sheet) -> Sheet:
    """Register (or replace, by name) a sheet; its name and Chinese title must be unique."""
    for other in _registry.values():
        if other.name != sheet.name and {_norm(other.name), _norm(other.title_zh)} & {
            _norm(sheet.name),
            _norm(sheet.title_zh),
        }:
            raise ValueError(f"ledger sheet {sheet.name!r} clashes with {other.name!r}")
    _registry[sheet.name] = sheet
    return sheet


def sheets() -> list[Sheet]:
    return sorted(_registry.values(), key=lambda sheet: (sheet.order, sheet.name))


def find_sheet(name: str) -> Sheet | None:
    """The sheet called `name` by key or by Chinese title (case/width/space-insensitive)."""
    wanted = _norm(name)
    for sheet in _registry.values():
        if wanted in (_norm(sheet.name), _norm(sheet.title_zh)):
            return sheet
    return None


# --- reading files ----------------------------------------------------------------------------


@dataclass
class RawTable:
    name: str  # the worksheet or file name as found
    rows: list[list[Cell]]


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool | dt.date):  # datetime is a date too
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: 12.0 is "12"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; else GB18030 (Chinese Excel saves CSV in GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise LedgerFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from exc


def _csv_table(name: str, data: bytes) -> RawTable:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        rows = [[_cell(value) for value in row] for row in reader]
    except csv.Error as exc:
        raise LedgerFileError(_("%(name)s is not a readable CSV file.") % {"name": name}) from exc
    return RawTable(name=name, rows=rows)


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    limit = settings.LEDGER_UPLOAD_MAX_BYTES * UNPACKED_FACTOR
    if sum(info.file_size for info in archive.infolist()) > limit:
        raise LedgerFileError(_("The archive unpacks to more data than allowed."))


def _read_workbook(stream: IO[bytes]) -> list[RawTable]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LedgerFileError(_("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
    try:
        return [
            RawTable(
                name=worksheet.title,
                rows=[[_cell(v) for v in row] for row in worksheet.iter_rows(values_only=True)],
            )
            for worksheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_csv_zip(archive: zipfile.ZipFile) -> list[RawTable]:
    tables = []
    for info in archive.infolist():
        name = Path(_member_name(info)).name
        if info.is_dir() or name.startswith(".") or "__MACOSX" in info.filename:
            continue
        if name.lower().endswith(".csv"):
            tables.append(_csv_table(name[:-4], archive.read(info)))
    return tables


def _read_zip(stream: IO[bytes]) -> list[RawTable]:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise LedgerFileError(_("The file is not a valid .xlsx or .zip file.")) from exc
    with archive:
        _check_unpacked_size(archive)
        if "xl/workbook.xml" in archive.namelist():
            stream.seek(0)
            return _read_workbook(stream)
        return _read_csv_zip(archive)


def _read_folder(folder: Path) -> list[RawTable]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    return [_csv_table(path.stem, path.read_bytes()) for path in files]


def _unsupported() -> LedgerFileError:
    return LedgerFileError(
        _(
            "Unsupported file: give an .xlsx workbook, a .zip of CSV files, a .csv file "
            "or a folder of CSV files."
        )
    )


def _read_stream(stream: IO[bytes], name: str) -> list[RawTable]:
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(b"PK"):
        return _read_zip(stream)
    if name.lower().endswith(".csv"):
        return [_csv_table(Path(name).stem, stream.read())]
    raise _unsupported()


def read_tables(source: str | Path | IO[bytes], name: str) -> list[RawTable]:
    """Every table of a workbook, a folder of CSV files, a .zip of them, or one CSV file."""
    if not isinstance(source, str | Path):
        source.seek(0)
        return _read_stream(source, name)
    path = Path(source)
    if path.is_dir():
        return _read_folder(path)
    if not path.is_file():
        raise LedgerFileError(_("No such file or folder: %(path)s") % {"path": path})
    with path.open("rb") as stream:
        return _read_stream(stream, path.name)


def source_name(source: str | Path | IO[bytes]) -> str:
    return Path(str(getattr(source, "name", None) or source)).name


# --- import context -----------------------------------------------------------------------------


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The stored values of a record, to tell whether a row changed anything."""
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@dataclass
class ImportContext:
    """What an import_row function needs beside its row: lookups, scope, saving."""

    acting_user: Any
    scope: Scope
    reason: str
    dry_run: bool
    #: codes (identity values) of rows that failed, per sheet, for clearer follow-on errors
    failed: dict[str, set[str]] = field(default_factory=dict)
    _cache: dict[tuple[type, str], Any] = field(default_factory=dict)

    def existing(self, model: type[models.Model], column: str, **lookup: Any) -> Any:
        """The record the row is about, or None; a soft-deleted one is an error, not revived."""
        manager = getattr(model, "all_objects", model._default_manager)
        # no ordering: the models' default ordering joins the unit table
        obj = next(iter(manager.filter(**lookup).order_by()[:1]), None)
        if obj is not None and getattr(obj, "deleted_at", None) is not None:
            raise RowError(column, _("This code belongs to a deleted record; restore it first."))
        return obj

    def find(
        self,
        model: type[models.Model],
        code: str,
        *,
        column: str,
        sheet: str,
        unknown: str,
        field_name: str = "code",
    ) -> Any:
        """A live record referred to by code (maybe created earlier in this import)."""
        key = (model, code)
        if key in self._cache:
            return self._cache[key]
        obj = self.existing(model, column, **{field_name: code})
        if obj is None:
            if code in self.failed.get(sheet, set()):
                raise RowError(
                    column, _('The row that defines "%(code)s" has errors.') % {"code": code}
                )
            raise RowError(column, unknown % {"code": code})
        self.remember(obj, code)
        return obj

    def remember(self, obj: models.Model, code: str) -> None:
        """Cache a record under its code and its primary key."""
        if code:
            self._cache[(type(obj), code)] = obj
        self._cache[(type(obj), f"#{obj.pk}")] = obj

    def forget(self, model: type[models.Model]) -> None:
        for key in [key for key in self._cache if key[0] is model]:
            del self._cache[key]

    def unit(self, code: str, column: str) -> OrgUnit:
        return self.find(
            OrgUnit,
            code,
            column=column,
            sheet="units",
            unknown=_('No unit has the code "%(code)s".'),
        )

    def unit_by_id(self, pk: int) -> OrgUnit:
        """A unit by primary key (an existing record's unit, for the scope check), cached."""
        key = (OrgUnit, f"#{pk}")  # "#" never starts a code, so keys cannot collide
        if key not in self._cache:
            self.remember(OrgUnit.all_objects.get(pk=pk), "")
        return self._cache[key]

    def person(self, code: str, column: str) -> Person:
        return self.find(
            Person,
            code,
            column=column,
            sheet="people",
            unknown=_('No person has the code "%(code)s".'),
        )

    def household(self, code: str, column: str) -> Household:
        return self.find(
            Household,
            code,
            column=column,
            sheet="households",
            unknown=_('No household has the code "%(code)s".'),
        )

    def check_scope(self, unit: OrgUnit | None, column: str) -> None:
        """Unit staff write only inside their own unit; the command and jurisdiction roles anywhere."""
        if not self.scope.covers(unit):
            raise RowError(column, _("Outside your unit."))

    def save(
        self, obj: models.Model, before: dict[str, Any] | None, saver: Callable[[], Any]
    ) -> Outcome:
        """Save through `saver` (a service call) only when something changed: an unchanged row
        writes no history."""
        if before is not None and snapshot(obj) == before:
            return UNCHANGED
        if self.acting_user is not None:
            obj._history_user = self.acting_user  # type: ignore[attr-defined]
        saver()
        return CREATED if before is None else UPDATED


# --- running an import ----------------------------------------------------------------------------


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return _("created %(created)d, updated %(updated)d, unchanged %(unchanged)d") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[LedgerError] = field(default_factory=list)
    #: names of worksheets / CSV files that match no registered sheet
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run


def _match_tables(tables: list[RawTable]) -> tuple[list[tuple[Sheet, RawTable]], list[str]]:
    matched: dict[str, tuple[Sheet, RawTable]] = {}
    skipped: list[str] = []
    for table in tables:
        sheet = find_sheet(table.name)
        if sheet is None:
            skipped.append(table.name)
        elif sheet.name in matched:
            raise LedgerFileError(
                _("The sheet %(sheet)s appears twice (%(first)s, %(second)s).")
                % {"sheet": sheet.name, "first": matched[sheet.name][1].name, "second": table.name}
            )
        else:
            matched[sheet.name] = (sheet, table)
    if not matched:
        raise LedgerFileError(
            _("No known sheet found; expected sheets named: %(names)s.")
            % {"names": ", ".join(s.name for s in sheets())}
        )
    ordered = sorted(matched.values(), key=lambda pair: (pair[0].order, pair[0].name))
    return ordered, skipped


def _header(sheet: Sheet, header: Sequence[Cell]) -> tuple[list[Column | None], list[LedgerError]]:
    by_name: dict[str, Column] = {}
    for column in sheet.columns:
        by_name[_norm(column.key)] = column
        by_name[_norm(column.title_zh)] = column
    positions: list[Column | None] = []
    errors: list[LedgerError] = []
    for cell in header:
        title = text(cell)
        column = by_name.get(_norm(title)) if title else None
        if title and column is None:
            errors.append(LedgerError(sheet.name, 1, title, _("Unknown column.")))
        elif column is not None and column in positions:
            errors.append(LedgerError(sheet.name, 1, column.key, _("Duplicate column.")))
            column = None
        positions.append(column)
    for column in sheet.columns:
        if column.required and column not in positions:
            errors.append(LedgerError(sheet.name, 1, column.key, _("Missing required column.")))
    return positions, errors


def _parse_row(
    sheet: Sheet, number: int, positions: list[Column | None], cells: Sequence[Cell]
) -> tuple[ParsedRow, list[LedgerError]]:
    values: dict[str, Any] = {}
    errors: list[LedgerError] = []
    for column, cell in itertools.zip_longest(positions, cells[: len(positions)], fillvalue=""):
        if not isinstance(column, Column):
            continue
        if column.required and cell == "":
            errors.append(LedgerError(sheet.name, number, column.key, _("This value is required.")))
            continue
        try:
            values[column.key] = column.parse(cell)
        except ValidationError as exc:
            errors.extend(LedgerError(sheet.name, number, column.key, m) for m in exc.messages)
    return ParsedRow(number=number, values=values), errors


def _identity(sheet: Sheet, row: ParsedRow) -> str:
    return ";".join(str(row.values.get(key, "")) for key in sheet.identity_keys)


def _validation_errors(sheet: Sheet, number: int, exc: ValidationError) -> list[LedgerError]:
    if hasattr(exc, "error_dict"):
        return [
            LedgerError(sheet.name, number, sheet.column_for_field(name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [LedgerError(sheet.name, number, sheet.columns[0].key, m) for m in exc.messages]


class _SheetRun:
    """Parses, orders and imports the rows of one sheet, collecting its errors."""

    def __init__(self, sheet: Sheet, table: RawTable, ctx: ImportContext) -> None:
        self.sheet = sheet
        self.table = table
        self.ctx = ctx
        self.errors: list[LedgerError] = []
        self.counts = SheetCounts()
        self.failed = ctx.failed.setdefault(sheet.name, set())

    def fail(self, row: ParsedRow, errors: Iterable[LedgerError]) -> None:
        self.errors.extend(errors)
        self.failed.add(_identity(self.sheet, row))

    def rows(self) -> list[ParsedRow]:
        if not self.table.rows:
            return []  # a template sheet left empty: nothing to import
        positions, header_errors = _header(self.sheet, self.table.rows[0])
        if header_errors:
            self.errors.extend(header_errors)
            return []
        good: list[ParsedRow] = []
        first_row_of: dict[str, int] = {}
        for number, cells in enumerate(self.table.rows[1:], start=2):
            if all(cell == "" for cell in cells):
                continue
            row, errors = _parse_row(self.sheet, number, positions, cells)
            if errors:
                self.fail(row, errors)
                continue
            identity = _identity(self.sheet, row)
            if identity in first_row_of:
                message = _("Duplicate of row %(row)d.") % {"row": first_row_of[identity]}
                key = self.sheet.identity_keys[0]
                self.errors.append(LedgerError(self.sheet.name, number, key, message))
                continue
            first_row_of[identity] = number
            good.append(row)
        return good

    def run(self) -> None:
        rows = self.rows()
        if self.sheet.order_rows is not None:
            rows, rejected = self.sheet.order_rows(rows)
            for row, error in rejected:
                self.fail(
                    row, [LedgerError(self.sheet.name, row.number, error.column, error.message)]
                )
        for row in rows:
            self.import_one(row)
        self.errors.sort(key=lambda error: error.row)

    def import_one(self, row: ParsedRow) -> None:
        name, number = self.sheet.name, row.number
        try:
            with transaction.atomic():
                outcome = self.sheet.import_row(dict(row.values), self.ctx)
        except RowError as exc:
            self.fail(row, [LedgerError(name, number, exc.column, exc.message)])
        except ValidationError as exc:
            self.fail(row, _validation_errors(self.sheet, number, exc))
        except IntegrityError as exc:
            message = _("The database refused this row: %(error)s") % {"error": exc}
            self.fail(row, [LedgerError(name, number, self.sheet.columns[0].key, message)])
        else:
            self.counts.add(outcome)


def run_import(
    source: str | Path | IO[bytes],
    *,
    dry_run: bool,
    acting_user: Any = None,
    filename: str | None = None,
) -> ImportResult:
    """Import a ledger, all or nothing. `acting_user` None (the command) may write anywhere;
    otherwise rows outside the user's scope are errors. Raises LedgerFileError when the file
    as a whole cannot be read."""
    name = filename or source_name(source)
    tables = read_tables(source, name)
    matched, skipped = _match_tables(tables)
    # Administrators set up the whole tree (a new county root included), like the command.
    unrestricted = acting_user is None or acting_user.has_role(Role.ADMIN)
    scope = Scope(everything=True) if unrestricted else scope_for(acting_user)
    ctx = ImportContext(
        acting_user=acting_user, scope=scope, reason=f"ledger import {name}", dry_run=dry_run
    )
    result = ImportResult(filename=name, dry_run=dry_run, skipped=skipped)
    with transaction.atomic():
        for sheet, table in matched:
            sheet_run = _SheetRun(sheet, table, ctx)
            sheet_run.run()
            result.counts[sheet.name] = sheet_run.counts
            result.errors.extend(sheet_run.errors)
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result


# --- the template workbook ----------------------------------------------------------------------


def template_workbook() -> bytes:
    """One worksheet per registered sheet: Chinese headers (the key and the allowed values in a
    cell comment) and example rows that import cleanly together."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets():
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append([column.title_zh for column in sheet.columns])
        for example in sheet.examples:
            worksheet.append([example.get(column.key) for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            cell = worksheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            note = column.key + (" *" if column.required else "")
            if column.values:
                note += "\n" + " | ".join(column.values)
            cell.comment = Comment(note, "minqing")
            worksheet.column_dimensions[cell.column_letter].width = 18
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
