"""Ledger import (台账导入): the framework every app uses to register its own sheets.

A ledger is an .xlsx workbook (worksheets named after record types: `units` or `机构`, also
`2025年走访台账`), or a folder / .zip of CSV files named so. An app describes each record type
once (directory/ledger_schema.py): its columns with their Chinese titles and the other titles
real ledgers use, and `import_row(row, ctx)`, which receives the parsed values of one row (only
the columns the file has) and returns "created", "updated" or "unchanged", raising
`RowError(column, message)` or a Django `ValidationError` (field errors land on the column of
the same key). A large fact sheet also gives `import_batch(rows, ctx)`, which validates rows
one by one and writes them in batches.

Where the data is in a workbook (which worksheet, which header row, which column) comes from
the worksheet's name and titles (directory/ledger_layout.py), or from a mapping the user made
in the browser. Rows are streamed: a workbook of 150,000 rows is never held in memory.

`run_import()` is all or nothing: every sheet in dependency order inside one transaction, rows
validated one by one (each in its own savepoint, or a batch in one) so that one bad row does
not hide the next; any error (or a dry run, or a preview) rolls everything back. Errors read
`sheet:row:column: message`, sheet being the worksheet as the file names it and row its
spreadsheet row number. A dry run says per sheet how many rows would be created, updated and
left unchanged, and what would be created implicitly (a new appeal category or platform).

Who imports matters: `acting_user` None is the system (the command without `--user`), which
may write anywhere; an account writes only what its pages let it write, row by row.
"""

from __future__ import annotations

import io
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .access import Scope, scope_for
from .ledger_cells import (  # noqa: F401  (the parsers sheets use)
    Choice,
    CodeList,
    boolean,
    code,
    date,
    datetime,
    decimal,
    fold,
    integer,
    norm,
    shown,
    text,
)
from .ledger_layout import (
    Layout,
    Mapping,
    TableMapping,
    apply_mapping,
    detect,
    head_rows,
    is_footer,
)
from .ledger_read import Cell, LedgerFileError, Table, open_tables
from .ledger_schema import (  # noqa: F401  (what sheets import from here)
    CREATED,
    UNCHANGED,
    UPDATED,
    Column,
    Outcome,
    ParsedRow,
    RowError,
    Sheet,
    find_sheet,
    ref_or_row,
    register_sheet,
    sheets,
)
from .models import TOWNSHIP_KINDS, Household, OrgUnit, Person, Role

#: an import stops collecting errors after this many (a wrong column fails every row)
MAX_ERRORS = 1000
#: how often (rows) the progress callback hears from a running import
PROGRESS_EVERY = 500
#: households remembered by code or name during an import (the rest are looked up again)
HOUSEHOLD_CACHE = 20_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LedgerError:
    """One error of an import: worksheet, row, column key, message (and the column's title as
    the file has it, for the page)."""

    sheet: str
    row: int
    column: str
    message: str
    title: str = ""

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Notice:
    """A warning: the import runs, but the user should know (a column not used, a sheet
    skipped, a worksheet recognised by its titles)."""

    sheet: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}: {self.message}"


@dataclass(frozen=True)
class Implicit:
    """A record the import creates because a row names it (a new appeal category)."""

    sheet: str
    what: str
    name: str

    def __str__(self) -> str:
        return f"{self.sheet}: {self.what} {self.name}"


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The stored values of a record, to tell whether a row changed anything."""
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


# --- import context -----------------------------------------------------------------------------


class _Bounded(OrderedDict):
    """A dict that forgets its oldest entries beyond `limit` (keeps memory flat)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.limit:
            self.popitem(last=False)


def batched(items: Iterable[Any], size: int) -> Iterator[tuple[Any, ...]]:
    """Successive tuples of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def _bracketed(value: str) -> tuple[str, str]:
    """`张三（城关镇）` → ("张三", "城关镇"); a name without a hint → (name, "")."""
    folded = fold(value).strip()
    if folded.endswith(")") and "(" in folded:
        name, _sep, hint = folded[:-1].partition("(")
        return name.strip(), hint.strip()
    return folded, ""


def _is_phone(value: str) -> bool:
    digits = fold(value).replace("-", "").replace(" ", "")
    return len(digits) == 11 and digits.isdigit() and digits.startswith("1")


def _is_id_number(value: str) -> bool:
    number = fold(value).strip().upper()
    return (
        len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")
    )


@dataclass
class ImportContext:
    """What an import_row function needs beside its row: lookups, scope, saving."""

    acting_user: Any
    scope: Scope
    reason: str
    dry_run: bool
    #: codes (identity values) of rows that failed, per sheet, for clearer follow-on errors
    failed: dict[str, set[str]] = field(default_factory=dict)
    #: the worksheet being imported (for implicit creations)
    table: str = ""
    implicit: list[Implicit] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    #: sheet-owned state kept for the whole import (a calendar loaded once, campaigns touched)
    memo: dict[str, Any] = field(default_factory=dict)
    _cache: dict[tuple[type, str], Any] = field(default_factory=dict)
    _households: _Bounded = field(default_factory=lambda: _Bounded(HOUSEHOLD_CACHE))

    @property
    def is_system(self) -> bool:
        """The command without `--user`: no account, every permission."""
        return self.acting_user is None

    def remember_value(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = factory()
        return self.memo[key]

    def note(self, message: str) -> None:
        """Something the import did beside the rows that the user should be told."""
        self.notes.append(Notice(self.table, message))

    def note_implicit(self, what: str, name: str) -> None:
        item = Implicit(self.table, what, name)
        if item not in self.implicit:
            self.implicit.append(item)

    def existing(self, model: type[models.Model], column: str, **lookup: Any) -> Any:
        """The record the row is about, or None; a soft-deleted one is an error, not revived."""
        manager = getattr(model, "all_objects", model._default_manager)
        # no ordering: the models' default ordering joins the unit table
        obj = next(iter(manager.filter(**lookup).order_by()[:1]), None)
        if obj is not None and getattr(obj, "deleted_at", None) is not None:
            raise RowError(column, _("This code belongs to a deleted record; restore it first."))
        return obj

    def _unknown(self, column: str, sheet: str, value: str, unknown: str) -> RowError:
        if value in self.failed.get(sheet, set()):
            return RowError(
                column, _('The row that defines "%(code)s" has errors.') % {"code": value}
            )
        return RowError(column, unknown % {"code": value})

    def find(
        self,
        model: type[models.Model],
        value: str,
        *,
        column: str,
        sheet: str,
        unknown: str,
        field_name: str = "code",
    ) -> Any:
        """A live record referred to by code (maybe created earlier in this import)."""
        key = (model, value)
        if key in self._cache:
            return self._cache[key]
        obj = self.existing(model, column, **{field_name: value})
        if obj is None:
            raise self._unknown(column, sheet, value, unknown)
        self.remember(obj, value)
        return obj

    def remember(self, obj: models.Model, code: str) -> None:
        """Cache a record under its code and its primary key."""
        cache = self._households if isinstance(obj, Household) else self._cache
        if code:
            cache[(type(obj), code)] = obj
        cache[(type(obj), f"#{obj.pk}")] = obj

    def forget(self, model: type[models.Model]) -> None:
        cache = self._households if model is Household else self._cache
        for key in [key for key in cache if key[0] is model]:
            del cache[key]

    def _by_code(self, model: type[models.Model], value: str, column: str) -> Any:
        cache = self._households if model is Household else self._cache
        key = (model, value)
        if key in cache:
            return cache[key]
        obj = self.existing(model, column, code=value) if value else None
        if obj is not None:
            self.remember(obj, value)
        return obj

    def _named(self, model: type[models.Model], field_name: str, value: str, *related: str) -> list:
        """The live records whose `field_name` is `value`, looked up once per import (a ledger
        names the same people and households on thousands of rows)."""
        cache = self._households if model is Household else self._cache
        key = (model, f"{field_name}={value}")
        if key not in cache:
            found = model._default_manager.filter(**{field_name: value}).select_related(*related)
            cache[key] = list(found.order_by("pk"))
        return list(cache[key])

    def _one(self, column: str, candidates: list[Any], describe: Callable[[Any], str]) -> Any:
        if len(candidates) == 1:
            return candidates[0]
        shown_names = "; ".join(describe(c) for c in candidates[:8])
        more = len(candidates) - 8
        if more > 0:
            shown_names += _(" and %(count)d more") % {"count": more}
        raise RowError(
            column,
            _("Several records match: %(candidates)s. Give the code.")
            % {"candidates": shown_names},
        )

    # --- units ---------------------------------------------------------------------------------

    def unit(self, value: str, column: str, *, within: OrgUnit | None = None) -> OrgUnit:
        """A unit by code, else by name (`东街社区`, or with its parent: `城关镇/东街社区`);
        `within` narrows names to a subtree. Unknown or ambiguous: a row error naming the
        candidates."""
        value = code(value)
        found = self._by_code(OrgUnit, value, column)
        if found is not None:
            return found
        cached = self._cache.get((OrgUnit, f"name:{value}:{within.pk if within else ''}"))
        if cached is not None:
            return cached
        parts = [p.strip() for p in value.replace("／", "/").replace(">", "/").split("/") if p]
        name, parents = (parts[-1], parts[:-1]) if parts else (value, [])
        candidates = self._named(OrgUnit, "name", name)
        if parents:
            candidates = [
                u for u in candidates if self._ancestor_names(u)[-len(parents) :] == parents
            ]
        if within is not None and len(candidates) > 1:
            inside = [u for u in candidates if u.path.startswith(within.path)]
            candidates = inside or candidates
        if not candidates:
            raise self._unknown(
                column, "units", value, _('No unit has the code or name "%(code)s".')
            )
        unit = self._one(column, candidates, self._describe_unit)
        self._cache[(OrgUnit, f"name:{value}:{within.pk if within else ''}")] = unit
        self.remember(unit, "")
        return unit

    def _ancestor_names(self, unit: OrgUnit) -> list[str]:
        return [self.unit_by_id(int(pk)).name for pk in unit.path.strip("/").split("/")[:-1]]

    def _describe_unit(self, unit: OrgUnit) -> str:
        parent = self.unit_by_id(unit.parent_id).name if unit.parent_id else ""
        return f"{unit.name}（{parent}，{unit.code}）" if parent else f"{unit.name}（{unit.code}）"

    def unit_by_id(self, pk: int) -> OrgUnit:
        """A unit by primary key (an existing record's unit, for the scope check), cached."""
        key = (OrgUnit, f"#{pk}")  # "#" never starts a code, so keys cannot collide
        if key not in self._cache:
            self.remember(OrgUnit.all_objects.get(pk=pk), "")
        return self._cache[key]

    # --- people --------------------------------------------------------------------------------

    def person(
        self,
        value: str,
        column: str,
        *,
        unit: OrgUnit | None = None,
        near: OrgUnit | None = None,
    ) -> Person:
        """A person by code, by mobile phone, or by name: `张三`, or `张三（城关镇）` naming
        the unit. `unit`: the person's own unit (the name is looked up in its subtree);
        `near`: where the row happened (people of the units above it and of its township
        come first). Unknown or ambiguous: a row error naming the candidates."""
        value = code(value)
        found = self._by_code(Person, value, column)
        if found is not None:
            return found
        cache_key = (Person, f"name:{value}:{unit.pk if unit else ''}:{near.pk if near else ''}")
        if cache_key in self._cache:
            return self._cache[cache_key]
        if _is_phone(value):
            digits = fold(value).replace("-", "").replace(" ", "")
            candidates = self._named(Person, "phone", digits, "unit")
        else:
            name, hint = _bracketed(value)
            candidates = self._named(Person, "name", name, "unit")
            if hint:
                candidates = [p for p in candidates if hint in (p.unit.name, p.unit.code)]
        if unit is not None:
            candidates = [p for p in candidates if p.unit.path.startswith(unit.path)]
        elif near is not None and len(candidates) > 1:
            candidates = self._nearest(candidates, near) or candidates
        if not candidates:
            raise self._unknown(
                column, "people", value, _('No person has the code, phone or name "%(code)s".')
            )
        person = self._one(column, candidates, lambda p: f"{p.name}（{p.unit.name}，{p.code}）")
        self._cache[cache_key] = person
        return person

    def _nearest(self, candidates: list[Person], near: OrgUnit) -> list[Person]:
        """People of a unit above the place, else of the place's township."""
        above = [p for p in candidates if near.path.startswith(p.unit.path)]
        if above:
            return above
        chain = [self.unit_by_id(int(pk)) for pk in near.path.strip("/").split("/") if pk]
        township = next((u for u in chain if u.kind in TOWNSHIP_KINDS), None)
        if township is None:
            return []
        return [p for p in candidates if p.unit.path.startswith(township.path)]

    # --- households ----------------------------------------------------------------------------

    def household(self, value: str, column: str, *, place: OrgUnit | None = None) -> Household:
        """A household by code, by the head's ID number, or by the head's name within `place`
        (a village, its group, or a township): `郑三`, or `郑三（荷塘村）`."""
        value = code(value)
        found = self._by_code(Household, value, column)
        if found is not None:
            return found
        cache_key = (Household, f"name:{value}:{place.pk if place else ''}")
        if cache_key in self._households:
            return self._households[cache_key]
        if _is_id_number(value):
            candidates = self._named(Household, "id_number", value.upper(), "village")
        else:
            name, hint = _bracketed(value)
            candidates = self._named(Household, "head", name, "village")
            if hint:
                candidates = [h for h in candidates if hint in (h.village.name, h.village.code)]
        if place is not None:
            area = place.parent if place.kind == "group" and place.parent_id else place
            area_path = self.unit_by_id(area.pk).path if area is not None else ""
            candidates = [
                h for h in candidates if self.unit_by_id(h.village_id).path.startswith(area_path)
            ]
        if not candidates:
            raise self._unknown(
                column,
                "households",
                value,
                _('No household has the code, ID number or head "%(code)s".'),
            )
        household = self._one(
            column,
            candidates,
            lambda h: f"{h.head}（{self.unit_by_id(h.village_id).name}，{h.code}）",
        )
        self._households[cache_key] = household
        return household

    def prefetch_households(self, values: Iterable[str]) -> None:
        """Load the households a batch names by code in one query (cached)."""
        codes = {code(v) for v in values} - {""}
        wanted = [c for c in codes if (Household, c) not in self._households]
        for chunk in batched(wanted, 2000):
            for household in Household.all_objects.filter(code__in=chunk):
                if household.deleted_at is None:
                    self.remember(household, household.code)

    def prefetch_people(self, values: Iterable[str]) -> None:
        codes = {code(v) for v in values} - {""}
        wanted = [c for c in codes if (Person, c) not in self._cache]
        for chunk in batched(wanted, 2000):
            for person in Person.objects.filter(code__in=chunk):
                self.remember(person, person.code)

    def new_code(self, model: type[models.Model], prefix: str) -> str:
        """The next free code `PREFIX-N` for a record a ledger gives without a code."""
        counters = self.memo.setdefault("new codes", {})
        key = (model, prefix)
        if key not in counters:
            manager = getattr(model, "all_objects", model._default_manager)
            taken = manager.filter(code__startswith=f"{prefix}-").values_list("code", flat=True)
            tails = [c[len(prefix) + 1 :] for c in taken]
            counters[key] = max((int(t) for t in tails if t.isdigit()), default=0)
        counters[key] += 1
        return f"{prefix}-{counters[key]}"

    # --- scope and saving ----------------------------------------------------------------------

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


# --- records found by reference (petitions, appeals) ------------------------------------------


def find_by_reference(
    model: type[models.Model],
    ref: str,
    ctx: ImportContext,
    *,
    visible: Callable[[Any], Any],
    may_create: bool,
    unavailable: RowError,
) -> Any:
    """The record of this reference, if the importing account may see it (`visible(user)`:
    the Q its pages use, None for nothing), or None when there is none and the account may
    create one. A record it may not see and a missing one it may not create raise the same
    `unavailable` error, so that neither an import nor its dry run tells whether it exists."""
    manager = getattr(model, "all_objects", model._default_manager)
    found = manager.filter(ref=ref).first()
    user = ctx.acting_user
    if found is not None and user is not None:
        condition = visible(user)
        if condition is None or not manager.filter(condition, pk=found.pk).exists():
            raise unavailable
    if found is None and not may_create:
        raise unavailable
    if found is not None and getattr(found, "deleted_at", None) is not None:
        raise RowError("ref", _("This code belongs to a deleted record; restore it first."))
    return found


def check_step(
    user: Any, allowed: Callable[[Any, Any], bool], record: Any, error: RowError
) -> None:
    """A step a row records needs the permission of the step's form (the system may all)."""
    if user is not None and not allowed(user, record):
        raise error


# --- results ------------------------------------------------------------------------------------


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return _("created %(created)d, updated %(updated)d, unchanged %(unchanged)d") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class TableReport:
    """How one worksheet was read: as which sheet, from which header row, which columns."""

    table: str
    sheet: str
    how: str
    header_row: int
    #: (title as in the file, column key or "" when not used)
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: int = 0


@dataclass
class PreviewRow:
    """One row of the preview: the values as they will be stored, and what is wrong."""

    table: str
    number: int
    values: dict[str, str]
    outcome: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[LedgerError] = field(default_factory=list)
    #: names of worksheets / CSV files that match no registered sheet
    skipped: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    implicit: list[Implicit] = field(default_factory=list)
    tables: list[TableReport] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)
    #: the check stopped after MAX_ERRORS errors
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = {sheet: asdict(c) for sheet, c in self.counts.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportResult:
        return cls(
            filename=data.get("filename", ""),
            dry_run=bool(data.get("dry_run")),
            counts={s: SheetCounts(**c) for s, c in (data.get("counts") or {}).items()},
            errors=[LedgerError(**e) for e in data.get("errors") or []],
            skipped=list(data.get("skipped") or []),
            notices=[Notice(**n) for n in data.get("notices") or []],
            implicit=[Implicit(**i) for i in data.get("implicit") or []],
            tables=[
                TableReport(**{**t, "columns": [tuple(c) for c in t.get("columns", [])]})
                for t in data.get("tables") or []
            ],
            preview=[PreviewRow(**p) for p in data.get("preview") or []],
            truncated=bool(data.get("truncated")),
        )


# --- running an import ----------------------------------------------------------------------------


def _identity(sheet: Sheet, row: ParsedRow) -> str:
    if sheet.identify is not None:
        return sheet.identify(row.values)
    return ";".join(str(row.values.get(key, "")) for key in sheet.identity_keys)


def _validation_errors(layout: Layout, number: int, exc: ValidationError) -> list[tuple[str, str]]:
    sheet = layout.sheet
    if hasattr(exc, "error_dict"):
        return [
            (sheet.column_for_field(name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(sheet.columns[0].key, m) for m in exc.messages]


class _Run:
    """One import: the layouts of the tables, the context, the result and the progress."""

    def __init__(
        self,
        layouts: list[Layout],
        ctx: ImportContext,
        result: ImportResult,
        progress: Progress | None,
        preview_rows: int,
    ) -> None:
        self.layouts = layouts
        self.ctx = ctx
        self.result = result
        self.progress = progress
        self.preview_rows = preview_rows
        self.done = 0
        self.total = sum(max((lay.table.size_hint or 0) - lay.header_row, 0) for lay in layouts)

    def tick(self, finished: bool = False) -> None:
        if self.progress is None:
            return
        if finished:
            self.progress(self.done, self.done)
        elif self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, max(self.total, self.done))

    def error(self, layout: Layout, row: int, column: str, message: str) -> None:
        if len(self.result.errors) >= MAX_ERRORS:
            self.result.truncated = True
            return
        self.result.errors.append(
            LedgerError(layout.table.name, row, column, message, layout.title_of(column))
        )

    @property
    def stopped(self) -> bool:
        return self.result.truncated

    def run(self) -> None:
        by_sheet: dict[str, list[Layout]] = {}
        for layout in self.layouts:
            by_sheet.setdefault(layout.sheet.name, []).append(layout)
        for layouts in by_sheet.values():
            sheet = layouts[0].sheet
            counts = self.result.counts.setdefault(sheet.name, SheetCounts())
            seen: dict[int, tuple[str, int]] = {}
            for layout in layouts:
                if self.stopped:
                    break
                self.ctx.table = layout.table.name
                _TableRun(self, layout, counts, seen).run()
            if sheet.finish is not None and not self.stopped and not self.preview_rows:
                self.finish(layouts[-1])
        self.tick(finished=True)
        # Rows of a batch fail after the cell checks of later rows: list errors in file order.
        order = {layout.table.name: index for index, layout in enumerate(self.layouts)}
        self.result.errors.sort(key=lambda error: (order.get(error.sheet, -1), error.row))

    def finish(self, layout: Layout) -> None:
        try:
            with transaction.atomic():
                layout.sheet.finish(self.ctx)  # type: ignore[misc]
        except RowError as exc:
            self.error(layout, 0, exc.column, exc.message)
        except ValidationError as exc:
            for column, message in _validation_errors(layout, 0, exc):
                self.error(layout, 0, column, message)


class _TableRun:
    """Parses and imports the rows of one worksheet, streaming."""

    def __init__(
        self, run: _Run, layout: Layout, counts: SheetCounts, seen: dict[int, tuple[str, int]]
    ) -> None:
        self.owner = run
        self.layout = layout
        self.sheet = layout.sheet
        self.ctx = run.ctx
        self.counts = counts
        self.seen = seen
        self.failed = self.ctx.failed.setdefault(self.sheet.name, set())
        self.report = TableReport(
            table=layout.table.name,
            sheet=self.sheet.name,
            how=layout.how,
            header_row=layout.header_row,
            columns=[
                (title, column.key if column else "")
                for title, column in zip(layout.titles, layout.positions, strict=False)
            ],
        )
        run.result.tables.append(self.report)
        self.previews: dict[int, PreviewRow] = {}
        self.parsers = {column.key: column.parse for column in self.sheet.columns}

    # --- errors and outcomes ------------------------------------------------------------------

    def fail(self, row: ParsedRow, errors: Iterable[tuple[str, str]]) -> None:
        for column, message in errors:
            self.owner.error(self.layout, row.number, column, message)
            if row.number in self.previews:
                self.previews[row.number].errors.setdefault(column, []).append(message)
        self.failed.add(_identity(self.sheet, row))

    def succeed(self, row: ParsedRow, outcome: Outcome) -> None:
        self.counts.add(outcome)
        self.report.rows += 1
        if row.number in self.previews:
            self.previews[row.number].outcome = outcome

    # --- reading -------------------------------------------------------------------------------

    def data_rows(self) -> Iterator[ParsedRow]:
        """Parsed rows below the header that pass their cell checks (the others are failed
        here); empty rows, rows holding only unused columns (a 序号 on a blank line) and
        sign-off rows are skipped."""
        layout = self.layout
        used = [i for i, column in enumerate(layout.positions) if column is not None]
        limit = self.owner.preview_rows
        taken = 0
        rows = itertools.islice(layout.table.rows(), layout.header_row, None)
        for number, cells in enumerate(rows, start=layout.header_row + 1):
            if self.owner.stopped or (limit and taken >= limit):
                return
            if all(cells[i] == "" for i in used if i < len(cells)) or is_footer(cells):
                continue
            taken += 1
            self.owner.done += 1
            self.owner.tick()
            row, errors = self.parse(number, cells)
            if limit:
                self.previews[number] = PreviewRow(
                    table=layout.table.name,
                    number=number,
                    values={
                        key: shown(value, self.parsers[key]) for key, value in row.values.items()
                    },
                )
                self.owner.result.preview.append(self.previews[number])
            if errors:
                self.fail(row, errors)
                continue
            if self.is_duplicate(row):
                continue
            yield row

    def parse(self, number: int, cells: list[Cell]) -> tuple[ParsedRow, list[tuple[str, str]]]:
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for column, cell in itertools.zip_longest(
            self.layout.positions, cells[: len(self.layout.positions)], fillvalue=""
        ):
            if not isinstance(column, Column):
                continue
            if column.required and cell == "":
                errors.append((column.key, _("This value is required.")))
                continue
            try:
                values[column.key] = column.parse(cell)
            except ValidationError as exc:
                errors.extend((column.key, m) for m in exc.messages)
        return ParsedRow(number=number, values=values, table=self.layout.table.name), errors

    def is_duplicate(self, row: ParsedRow) -> bool:
        # A hash per row (not the row) keeps memory flat on 150,000 rows.
        digest = hash(_identity(self.sheet, row))
        if digest not in self.seen:
            self.seen[digest] = (self.layout.table.name, row.number)
            return False
        table, first = self.seen[digest]
        if table == self.layout.table.name:
            message = _("Duplicate of row %(row)d.") % {"row": first}
        else:
            message = _("Duplicate of row %(row)d of %(sheet)s.") % {"row": first, "sheet": table}
        self.fail(row, [(self.sheet.identity_keys[0], message)])
        return True

    # --- importing -----------------------------------------------------------------------------

    def run(self) -> None:
        if self.layout.missing or self.layout.duplicates:
            return  # the header is wrong: its errors say so, the rows are not read
        user = self.ctx.acting_user
        if user is not None and self.sheet.may_import and not self.sheet.may_import(user):
            self.owner.error(
                self.layout,
                self.layout.header_row,
                self.sheet.columns[0].key,
                _(
                    "Your account may not import %(sheet)s: the page that records them is not open to it."
                )
                % {"sheet": self.sheet.label},
            )
            return
        rows = self.data_rows()
        if self.sheet.order_rows is not None:
            ordered, rejected = self.sheet.order_rows(list(rows))
            for row, error in rejected:
                self.fail(row, [(error.column, error.message)])
            for row in ordered:
                self.import_one(row)
        elif self.sheet.import_batch is not None:
            for batch in batched(rows, self.sheet.batch_size):
                self.import_many(list(batch))
        else:
            for row in rows:
                self.import_one(row)

    def import_one(self, row: ParsedRow) -> None:
        try:
            with transaction.atomic():
                outcome = self.sheet.import_row(dict(row.values), self.ctx)
        except RowError as exc:
            self.fail(row, [(exc.column, exc.message)])
        except ValidationError as exc:
            self.fail(row, _validation_errors(self.layout, row.number, exc))
        except IntegrityError as exc:
            message = _("The database refused this row: %(error)s") % {"error": exc}
            self.fail(row, [(self.sheet.columns[0].key, message)])
        else:
            self.succeed(row, outcome)

    def import_many(self, batch: list[ParsedRow]) -> None:
        """A batch in one savepoint; should the database refuse it as a whole, its rows are
        taken again one by one to find the row at fault."""
        try:
            with transaction.atomic():
                outcomes = self.sheet.import_batch(batch, self.ctx)  # type: ignore[misc]
        except (ValidationError, DatabaseError):
            for row in batch:
                self.import_one(row)
            return
        for row, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, RowError):
                self.fail(row, [(outcome.column, outcome.message)])
            elif isinstance(outcome, ValidationError):
                self.fail(row, _validation_errors(self.layout, row.number, outcome))
            else:
                self.succeed(row, outcome)


def _plan(tables: list[Table], mapping: Mapping | None, result: ImportResult) -> list[Layout]:
    """The layout of every table that holds a sheet, in dependency order; the others are
    listed as skipped. Header problems become errors on the header row."""
    layouts: list[Layout] = []
    for table in tables:
        rows = head_rows(table)
        if not any(any(cell != "" for cell in row) for row in rows):
            continue  # an empty worksheet (a template sheet left empty)
        entry = mapping.entry_for(table, rows) if mapping is not None else None
        if entry is not None and not entry.sheet:
            result.skipped.append(table.name)
            continue
        layout = apply_mapping(table, entry, rows) if entry is not None else detect(table, rows)
        if layout is None and entry is None:
            named = find_sheet(table.name)
            if named is not None:  # named like a sheet, but no title matches: say what is missing
                layout = apply_mapping(table, TableMapping(named.name), rows)
        if layout is None:
            result.skipped.append(table.name)
            continue
        layouts.append(layout)
        _report_layout(layout, result)
    # A worksheet named exactly like a sheet (`pairings`) is that sheet; others that only look
    # like it (the readable `结对台账` an export puts beside it) are left out.
    named = {lay.sheet.name for lay in layouts if lay.how in ("name", "mapping")}
    for layout in [lay for lay in layouts if lay.how not in ("name", "mapping")]:
        if layout.sheet.name in named:
            layouts.remove(layout)
            result.skipped.append(layout.table.name)
            result.notices = [n for n in result.notices if n.sheet != layout.table.name]
            result.errors = [e for e in result.errors if e.sheet != layout.table.name]
    layouts.sort(key=lambda lay: (lay.sheet.order, lay.sheet.name))
    return layouts


def _report_layout(layout: Layout, result: ImportResult) -> None:
    name = layout.table.name
    if layout.how in ("loose-name", "content"):
        result.notices.append(
            Notice(
                name,
                _("Read as the sheet %(sheet)s (%(title)s).")
                % {"sheet": layout.sheet.name, "title": layout.sheet.title_zh},
            )
        )
    for title in layout.unused:
        result.notices.append(Notice(name, _('Column "%(title)s" is not used.') % {"title": title}))
    for column in layout.missing:
        result.errors.append(
            LedgerError(
                name,
                layout.header_row,
                column.key,
                _("Missing required column (%(title)s).") % {"title": column.title_zh},
                column.title_zh,
            )
        )
    for column in layout.duplicates:
        result.errors.append(
            LedgerError(name, layout.header_row, column.key, _("Duplicate column."), "")
        )


def source_name(source: str | Path | IO[bytes]) -> str:
    return Path(str(getattr(source, "name", None) or source)).name


def importer_scope(acting_user: Any) -> Scope:
    # Administrators set up the whole tree (a new county root included), like the command.
    if acting_user is None or acting_user.has_role(Role.ADMIN):
        return Scope(everything=True)
    return scope_for(acting_user)


def run_import(
    source: str | Path | IO[bytes],
    *,
    dry_run: bool,
    acting_user: Any = None,
    filename: str | None = None,
    mapping: Mapping | None = None,
    progress: Progress | None = None,
    preview_rows: int = 0,
) -> ImportResult:
    """Import a ledger, all or nothing. `acting_user` None (the command) may write anywhere;
    otherwise every row passes the checks the user's pages apply. `mapping` says where the
    data is (default: found from names and titles); `preview_rows` > 0 imports only the first
    rows of each worksheet and keeps them in `result.preview` (nothing is saved). Raises
    LedgerFileError when the file as a whole cannot be read."""
    name = filename or source_name(source)
    result = ImportResult(filename=name, dry_run=dry_run or bool(preview_rows))
    with open_tables(source, name) as tables:
        layouts = _plan(tables, mapping, result)
        if not layouts and not result.errors:
            raise LedgerFileError(
                _("No known sheet found; expected sheets named: %(names)s.")
                % {"names": ", ".join(f"{s.name} ({s.title_zh})" for s in sheets())}
            )
        ctx = ImportContext(
            acting_user=acting_user,
            scope=importer_scope(acting_user),
            reason=f"ledger import {name}",
            dry_run=result.dry_run,
        )
        ctx.memo["sheets"] = {layout.sheet.name for layout in layouts}
        with transaction.atomic():
            _Run(layouts, ctx, result, progress, preview_rows).run()
            result.implicit = ctx.implicit
            result.notices.extend(ctx.notes)
            if result.errors or result.dry_run:
                transaction.set_rollback(True)
    if result.truncated:
        result.notices.append(
            Notice(
                name,
                _("The check stopped after %(count)d errors; correct these and check again.")
                % {"count": MAX_ERRORS},
            )
        )
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


__all__ = [
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "Choice",
    "CodeList",
    "Column",
    "ImportContext",
    "ImportResult",
    "LedgerError",
    "LedgerFileError",
    "Mapping",
    "Notice",
    "Outcome",
    "ParsedRow",
    "RowError",
    "Sheet",
    "TableMapping",
    "boolean",
    "date",
    "datetime",
    "decimal",
    "find_sheet",
    "integer",
    "register_sheet",
    "run_import",
    "sheets",
    "snapshot",
    "template_workbook",
    "text",
]
