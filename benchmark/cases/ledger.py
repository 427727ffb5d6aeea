"""Ledger import: a county's year of visits (150,000 rows, DESIGN.md "Scale"; × the data's
fraction) imported from one workbook, timed against five minutes, with the peak memory of the
import reported beside it (the workbook is streamed: memory must not grow with the rows); a
year's online appeals (40,000 rows × the fraction) likewise, against two minutes; and an upload
that unpacks to 20 MB, refused at once.

Beside each import, a bare baseline writes the same rows into a bare table with the same
columns (COPY into a temporary table on PostgreSQL, executemany on SQLite): the ratio says how
far the import is from merely storing its rows (reported, not a goal). The imports run what
runs after the commit too (the callbacks the import leaves for it), then roll back."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmark.runner import Case, Context, memory_mib, register, reset_peak_memory

VISIT_ROWS = 150_000
APPEAL_ROWS = 40_000
KINDS = ("入户走访", "入户走访", "入户走访", "调研", "住村", "电话联系")
CASE = "ledger import of a year's visits (150,000 rows)"
APPEALS_CASE = "ledger import of a year's online appeals (40,000 rows)"
VISIT_TITLES = ("走访日期", "走访干部", "走访地点", "走访对象", "走访方式", "天数")
APPEAL_TITLES = ("编号", "收到时间", "平台", "类别", "承办单位", "办理时限", "回复时间", "诉求内容")
PLATFORMS = ("12345", "留言板", "县长信箱", "12345", "桃源融媒", "网上")
CATEGORIES = ("基准类", "城乡建设", "劳动社保", "基准类")


def _visit_rows(ctx: Context) -> Iterator[list[Any]]:
    """The rows of the visits ledger (without the 序号), the same on every call; what they
    name is read before the first row is asked for (the baseline's COPY holds the connection)."""
    from directory.models import Household, OrgUnit, Person

    county = ctx.data["county"]
    rows = max(1000, int(VISIT_ROWS * ctx.data["spec"].fraction))
    villages = list(OrgUnit.objects.filter(pk__in=county.villages).order_by("pk"))
    people = list(Person.objects.order_by("pk").values_list("code", flat=True)[:3000])
    by_village: dict[int, list[str]] = {}
    for code, village_id in Household.objects.order_by("pk").values_list("code", "village_id"):
        by_village.setdefault(village_id, []).append(code)
    start = dt.date(county.day.year, 1, 1)
    return _visit_rows_of(rows, villages, people, by_village, start)


def _visit_rows_of(
    rows: int,
    villages: list[Any],
    people: list[str],
    by_village: dict[int, list[str]],
    start: dt.date,
) -> Iterator[list[Any]]:
    for n in range(rows):
        village = villages[n % len(villages)]
        kind = KINDS[n % len(KINDS)]
        households = by_village.get(village.pk, [])
        picked = (
            [households[(n + k) % len(households)] for k in range(1 + n % 3)]
            if households and kind != "住村"
            else []
        )
        yield [
            dt.datetime.combine(start + dt.timedelta(days=n % 365), dt.time(0)),
            people[n % len(people)],
            village.code,
            ";".join(dict.fromkeys(picked)),
            kind,
            "1" if kind == "住村" else ("" if kind == "电话联系" else "0.5"),
        ]


def _appeal_rows(ctx: Context) -> Iterator[list[Any]]:
    """A year's appeals as an office exports them: hotline, message-board and mailbox items
    (and one platform of the office's own, one category new to the system), received through
    the year up to the day before today, nine in ten replied within a week, handled by the
    county's townships and villages."""
    from django.utils import timezone

    from directory.models import OrgUnit

    county = ctx.data["county"]
    rows = max(1000, int(APPEAL_ROWS * ctx.data["spec"].fraction))
    units = list(
        OrgUnit.objects.filter(pk__in=[*county.townships, *county.villages])
        .order_by("pk")
        .values_list("code", flat=True)
    )
    last = min(dt.date(county.day.year, 12, 31), timezone.localdate() - dt.timedelta(days=8))
    first = dt.date(last.year, 1, 1)
    return _appeal_rows_of(rows, units, first, (last - first).days + 1)


def _appeal_rows_of(rows: int, units: list[str], first: dt.date, span: int) -> Iterator[list[Any]]:
    for n in range(rows):
        day = first + dt.timedelta(days=n * span // rows)
        received = dt.datetime.combine(day, dt.time(8 + n % 9, n % 60))
        replied = received + dt.timedelta(days=n % 7, hours=2) if n % 10 else ""
        yield [
            f"BENCH-LEDGER-{day.year}-{n:06d}",
            received,
            PLATFORMS[n % len(PLATFORMS)],
            CATEGORIES[n % len(CATEGORIES)],
            units[n % len(units)],
            3 if n % 5 == 0 else "",
            replied,
            "反映村道破损，希望尽快修缮。",
        ]


def _save_workbook(name: str, titles: tuple[str, ...], rows: Iterator[list[Any]]) -> Path:
    """A ledger as an office keeps it: a title row, Chinese titles, a 序号 column, Excel dates."""
    from openpyxl import Workbook

    folder = Path(tempfile.mkdtemp(prefix="minqing-bench-ledger-"))
    path = folder / f"{name}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name)
    sheet.append([name])
    sheet.append(["序号", *titles])
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    workbook.save(path)
    return path


def _write_workbook(ctx: Context) -> None:
    """The visits ledger of the benchmark county: codes of its people, villages, households."""
    county = ctx.data["county"]
    path = _save_workbook(f"{county.day.year}年走访台账", VISIT_TITLES, _visit_rows(ctx))
    ctx.data["visit ledger"] = path
    ctx.data["visit ledger rows"] = max(1000, int(VISIT_ROWS * ctx.data["spec"].fraction))


def _write_appeal_workbook(ctx: Context) -> None:
    county = ctx.data["county"]
    path = _save_workbook(f"{county.day.year}年网民诉求台账", APPEAL_TITLES, _appeal_rows(ctx))
    ctx.data["appeal ledger"] = path
    ctx.data["appeal ledger rows"] = max(1000, int(APPEAL_ROWS * ctx.data["spec"].fraction))


def _run_rolled_back(path: Path) -> Any:
    """The import and what it leaves for after the commit, in a transaction rolled back (the
    benchmark's data stays as built)."""
    from django.db import transaction
    from django.test import TestCase

    from directory.ledger import run_import

    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = run_import(path, dry_run=False)
        transaction.set_rollback(True)
    return result


def _bare_copy(columns: tuple[str, ...], rows: Iterator[list[Any]]) -> int:
    """The baseline: the same rows stored in a bare temporary table with the same columns (COPY
    on PostgreSQL, executemany on SQLite), then dropped with the transaction."""
    from django.db import connection, transaction

    names = [f"c{i}" for i in range(len(columns))]
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_bare ({', '.join(f'{n} text' for n in names)})"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY bench_bare ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([None if v == "" else str(v) for v in row])
                    count += 1
        else:
            batch: list[list[Any]] = []
            marks = ", ".join(["%s"] * len(names))
            for row in rows:
                batch.append([None if v == "" else str(v) for v in row])
                if len(batch) == 5000:
                    cursor.executemany(f"INSERT INTO bench_bare VALUES ({marks})", batch)  # noqa: S608
                    count += len(batch)
                    batch = []
            cursor.executemany(f"INSERT INTO bench_bare VALUES ({marks})", batch)  # noqa: S608
            count += len(batch)
        cursor.execute("DROP TABLE bench_bare")
    return count


def _visits_baseline(ctx: Context) -> int:
    return _bare_copy(VISIT_TITLES, _visit_rows(ctx))


def _appeals_baseline(ctx: Context) -> int:
    return _bare_copy(APPEAL_TITLES, _appeal_rows(ctx))


def _timed_import(ctx: Context, *, case: str, key: str, kind: str) -> Any:
    """Import the workbook at `ctx.data[key]` (rolled back), noting its peak memory."""
    reset_peak_memory()
    before, _peak = memory_mib()
    result = _run_rolled_back(ctx.data[key])
    _now, peak = memory_mib()
    if not result.ok:
        raise AssertionError(f"the {key} did not import: {result.errors[:3]}")
    created = result.counts[kind].created
    ctx.notes[case] = (
        f"{created} {kind} created from {ctx.data[key + ' rows']} rows; "
        f"peak memory {peak:.0f} MiB ({peak - before:+.0f} MiB over the {before:.0f} MiB "
        "before the import)"
    )
    ctx.figures[case] = {"peak_mib": round(peak), "peak_over_mib": round(peak - before)}
    _cleanup(ctx, key)
    return result


def _import(ctx: Context) -> Any:
    return _timed_import(ctx, case=CASE, key="visit ledger", kind="visits")


def _import_appeals(ctx: Context) -> Any:
    return _timed_import(ctx, case=APPEALS_CASE, key="appeal ledger", kind="appeals")


def _cleanup(ctx: Context, key: str) -> None:
    path = ctx.data.pop(key, None)
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)


def _bomb_refused(ctx: Context) -> int:
    """An upload of a few dozen KB that unpacks to 20 MB: refused with a message, at once."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    if "bomb" not in ctx.data:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
        ctx.data["bomb"] = out.getvalue()
    upload = SimpleUploadedFile("ledger.xlsx", ctx.data["bomb"])
    admin = ctx.data["county"].users["admin"]
    response = ctx.client(admin).post("/ledger/", {"file": upload, "map": ""})
    if response.status_code != 200 or b"errorlist" not in response.content:
        raise AssertionError("the 20 MB-unpacked upload was not refused")
    return len(ctx.data["bomb"])


register(Case(CASE, budget=300.0, setup=_write_workbook, run=_import, baseline=_visits_baseline,
              repeat=1, group="import", rows=lambda ctx: ctx.data["visit ledger rows"]))  # fmt: skip
# Two minutes for a county's year of appeals: a quarter of the visits' rows, but each writes an
# appeal, three steps, one or two clocks and a reply with their history (six records, the visit
# three). Measured on the 2-core machine: 5 s for 4,000 rows at a load of 2, 88-91 s for 40,000
# at a load of 3-6 (the row-by-row import took 500 s for 4,000): 120 s leaves room for a busy
# machine and catches a return to per-row queries at once.
register(Case(APPEALS_CASE, budget=120.0, setup=_write_appeal_workbook, run=_import_appeals,
              baseline=_appeals_baseline, repeat=1, group="import",
              rows=lambda ctx: ctx.data["appeal ledger rows"]))  # fmt: skip
register(Case("ledger upload that unpacks to 20 MB, refused", budget=2.0, run=_bomb_refused,
              group="import"))  # fmt: skip
