"""The year-end PDF of one township (`compliance_pdf --unit`), end to end (context included),
beside WeasyPrint rendering a plain HTML table of the same page count with the same font (goal:
throughput ratio ≥ 0.85); its peak memory against 70 MiB + 5 MiB a page is checked in the run
and noted; the queries of its context (≤ 50, whatever the number of rows) are a case of their
own.

A whole county's PDF is printed per township (one `compliance_pdf --unit CODE` each; the
jurisdiction report is that many sections), so the township is the unit of the figure."""

from __future__ import annotations

import html
from typing import Any

from benchmark.runner import Case, Context, memory_mib, register, reset_peak_memory

CASE = "year-end PDF of one township ÷ plain WeasyPrint table"
CONTEXT = "queries of the year-end PDF's context (one township)"
MAX_CONTEXT_QUERIES = 50
MEMORY_BASE_MIB = 70.0
MEMORY_PER_PAGE_MIB = 5.0


def _township(ctx: Context) -> Any:
    from directory.models import OrgUnit

    return OrgUnit.objects.get(pk=ctx.data["county"].townships[0])


def _plain_html(rows: int) -> str:
    from reports.pdf import FONT_PATH

    cells = "".join(
        f"<tr><td>{n}</td><td>{html.escape('第' + str(n) + '行 干部走访 已完成')}</td>"
        f"<td>{n * 7 % 100}</td><td>达标</td></tr>"
        for n in range(rows)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@font-face {{ font-family: 'MQ Sans'; src: url('{FONT_PATH.as_uri()}'); }}"
        "@page { size: A4; margin: 20mm 16mm 18mm 16mm; }"
        "html { font-family: 'MQ Sans'; font-size: 10pt; line-height: 1.45; }"
        "table { width: 100%; border-collapse: collapse; }"
        "td { border: 0.6pt solid #555; padding: 2pt 4pt; }"
        f"</style></head><body><table>{cells}</table></body></html>"
    )


def _plain_pages(rows: int) -> int:
    from weasyprint import HTML

    return len(HTML(string=_plain_html(rows)).render().pages)


def _context_queries(ctx: Context) -> int:
    """The queries of the PDF's context (a case of its own: a miss here does not hide the
    PDF's ratio)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directory.access import console_reader
    from reports.pdf import report_context

    day = ctx.data["county"].day
    with CaptureQueriesContext(connection) as queries:
        report_context(
            year=day.year, unit=_township(ctx), signer="", today=day, reader=console_reader()
        )
    ctx.data["pdf context queries"] = len(queries)
    ctx.notes[CONTEXT] = f"{len(queries)} queries (≤ {MAX_CONTEXT_QUERIES})"
    if len(queries) > MAX_CONTEXT_QUERIES:
        raise AssertionError(f"the PDF context took {len(queries)} queries")
    return len(queries)


def _setup(ctx: Context) -> None:
    """The plain table's rows for the same page count (rows a page measured on a short
    table)."""
    sample = 400
    ctx.data["plain rows a page"] = sample / max(1, _plain_pages(sample))


def _pdf(ctx: Context) -> int:
    from directory.access import console_reader
    from reports.pdf import render_report

    day = ctx.data["county"].day
    reset_peak_memory()
    before, _peak = memory_mib()
    pdf, pages = render_report(
        year=day.year, unit=_township(ctx), today=day, reader=console_reader()
    )
    _now, peak = memory_mib()
    grown = peak - before
    allowed = MEMORY_BASE_MIB + MEMORY_PER_PAGE_MIB * pages
    ctx.data["pdf pages"] = pages
    ctx.notes[CASE] = (
        f"{pages} pages, {len(pdf) // 1024} KiB; peak memory +{grown:.0f} MiB "
        f"(≤ {allowed:.0f} MiB = {MEMORY_BASE_MIB:g} + {MEMORY_PER_PAGE_MIB:g} × {pages} pages)"
    )
    ctx.figures[CASE] = {"pages": pages, "memory_mib": round(grown, 1), "memory_goal_mib": allowed}
    if grown > allowed:
        raise AssertionError(f"the PDF took {grown:.0f} MiB, over {allowed:.0f} MiB")
    return pages


def _plain(ctx: Context) -> int:
    from weasyprint import HTML

    rows = round(ctx.data["plain rows a page"] * ctx.data.get("pdf pages", 1))
    document = HTML(string=_plain_html(rows)).render()
    document.write_pdf()
    ctx.figures.setdefault(CASE, {})["plain_pages"] = len(document.pages)
    return len(document.pages)


register(Case(CASE, run=_pdf, baseline=_plain, min_ratio=0.85, setup=_setup, repeat=1,
              group="reports", rows=lambda ctx: ctx.data.get("pdf pages", 0)))  # fmt: skip
register(Case(CONTEXT, run=_context_queries, repeat=1, group="reports"))  # fmt: skip
