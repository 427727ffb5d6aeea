"""Ledger import: a county's year of visits (150,000 rows, DESIGN.md "Scale"; × the data's
fraction) imported from one workbook, timed against five minutes, with the peak memory of the
import reported beside it (the workbook is streamed: memory must not grow with the rows); and
an upload that unpacks to 20 MB, refused at once."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmark.runner import Case, Context, memory_mib, register, reset_peak_memory

VISIT_ROWS = 150_000
KINDS = ("入户走访", "入户走访", "入户走访", "调研", "住村", "电话联系")
CASE = "ledger import of a year's visits (150,000 rows)"


def _write_workbook(ctx: Context) -> None:
    """A visits ledger as an office keeps it: a title row, Chinese titles, Excel dates, codes of
    people, villages and households of the benchmark county."""
    from openpyxl import Workbook

    from directory.models import Household, OrgUnit, Person

    county = ctx.data["county"]
    rows = max(1000, int(VISIT_ROWS * ctx.data["spec"].fraction))
    villages = list(OrgUnit.objects.filter(pk__in=county.villages).order_by("pk"))
    people = list(Person.objects.order_by("pk").values_list("code", flat=True)[:3000])
    by_village: dict[int, list[str]] = {}
    for code, village_id in Household.objects.order_by("pk").values_list("code", "village_id"):
        by_village.setdefault(village_id, []).append(code)
    folder = Path(tempfile.mkdtemp(prefix="minqing-bench-ledger-"))
    path = folder / "2025年走访台账.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("2025年走访台账")
    sheet.append(["2025年干部走访台账"])
    sheet.append(["序号", "走访日期", "走访干部", "走访地点", "走访对象", "走访方式", "天数"])
    start = dt.date(county.day.year, 1, 1)
    for n in range(rows):
        village = villages[n % len(villages)]
        kind = KINDS[n % len(KINDS)]
        households = by_village.get(village.pk, [])
        picked = (
            [households[(n + k) % len(households)] for k in range(1 + n % 3)]
            if households and kind != "住村"
            else []
        )
        sheet.append(
            [
                n + 1,
                dt.datetime.combine(start + dt.timedelta(days=n % 365), dt.time(0)),
                people[n % len(people)],
                village.code,
                ";".join(dict.fromkeys(picked)),
                kind,
                "1" if kind == "住村" else ("" if kind == "电话联系" else "0.5"),
            ]
        )
    workbook.save(path)
    ctx.data["visit ledger"] = path
    ctx.data["visit ledger rows"] = rows
    ctx.data.setdefault("cleanup", []).append(folder)


def _import(ctx: Context) -> Any:
    from django.db import transaction

    from directory.ledger import run_import

    reset_peak_memory()
    before, _peak = memory_mib()
    with transaction.atomic():  # rolled back: the benchmark's data stays as built
        result = run_import(ctx.data["visit ledger"], dry_run=False)
        transaction.set_rollback(True)
    _now, peak = memory_mib()
    if not result.ok:
        raise AssertionError(f"the visit ledger did not import: {result.errors[:3]}")
    created = result.counts["visits"].created
    ctx.notes[CASE] = (
        f"{created} visits created from {ctx.data['visit ledger rows']} rows; "
        f"peak memory {peak:.0f} MiB ({peak - before:+.0f} MiB over the {before:.0f} MiB "
        "before the import)"
    )
    for folder in ctx.data.pop("cleanup", []):
        shutil.rmtree(folder, ignore_errors=True)
    return result


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


register(Case(CASE, budget=300.0, setup=_write_workbook, run=_import, repeat=1, group="import",
              rows=lambda ctx: ctx.data["visit ledger rows"]))  # fmt: skip
register(Case("ledger upload that unpacks to 20 MB, refused", budget=2.0, run=_bomb_refused,
              group="import"))  # fmt: skip
