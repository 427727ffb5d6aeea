"""The year-end compliance report as a PDF (WeasyPrint).

The Chinese font ships in reports/fonts/ (WenQuanYi Micro Hei, Apache-2.0, see its LICENSE)
and is loaded with @font-face from a file:// URL, so no system font is needed; WeasyPrint
embeds a subset of it. The same function serves the `compliance_pdf` command, the one-unit
download (in the request) and the queued job (whole jurisdiction)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.access import Scope
from directory.models import OrgUnit, Person
from rules import compliance
from rules.compliance import SHORT, STATUS_LABELS, ComplianceRow
from rules.models import Rule
from rules.periods import Period

from .drilldown import RecordLink, late_clocks, records_for_rules
from .models import Campaign, CampaignState
from .scores import campaigns_scores
from .selectors import ComplianceTable, Standing, compliance_table

# WeasyPrint reports every laid-out page at INFO; a queued 100-page report needs none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
MAX_RECORDS_PER_ROW = 30

Progress = Callable[..., None]


@dataclass
class ReportRow:
    row: ComplianceRow
    rule: Rule | None
    status_label: str
    shortfall: str = ""
    late: list[RecordLink] = field(default_factory=list)


@dataclass
class UnitSection:
    unit: OrgUnit
    anchor: str
    rows: list[ReportRow]
    leaders: list[tuple[Person, list[ReportRow]]]
    standing: Standing | None


def _shortfall(row: ComplianceRow) -> str:
    if row.status != SHORT:
        return ""
    text = _("Required %(required)s, done %(actual)s: short by %(missing)s.") % {
        "required": row.required,
        "actual": row.actual,
        "missing": row.required - row.actual,
    }
    return f"{text} {row.note}".strip()


class _RowBuilder:
    """Builds the report's rows; the records behind the short rows are read in one batch per
    evaluator (`prepare`), never per row or per rule."""

    def __init__(
        self,
        table: ComplianceTable,
        late: dict[tuple[str, str], list[RecordLink]],
        reader: Any,
    ) -> None:
        self.table = table
        self.late = late
        self.reader = reader
        self.missed: dict[tuple[str, str, str], list[RecordLink]] = {}

    def _needs_records(self, row: ComplianceRow) -> bool:
        rule = self.table.rules.get(row.rule)
        return (
            row.status == SHORT
            and rule is not None
            and rule.kind != "DEADLINE"
            and not self.late.get((row.rule, row.subject))
        )

    def prepare(self, rows: list[ComplianceRow]) -> None:
        """The late records behind every short row of `rows` that has no late clock: one
        `records_for_rules` for all the rules (a batch per evaluator)."""
        keys: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            if self._needs_records(row):
                keys.setdefault(row.rule, []).append((row.subject, row.period))
        wanted = [(self.table.rules[rule_id], rule_keys) for rule_id, rule_keys in keys.items()]
        found = records_for_rules(wanted, today=self.table.today, user=self.reader)
        for key, records in found.items():
            self.missed[key] = [r for r in records if r.late]

    def build(self, row: ComplianceRow) -> ReportRow:
        rule = self.table.rules.get(row.rule)
        late = self.late.get((row.rule, row.subject), [])
        if self._needs_records(row):
            late = self.missed.get((row.rule, row.subject, row.period), [])
        return ReportRow(
            row=row,
            rule=rule,
            status_label=str(STATUS_LABELS.get(row.status, row.status)),
            shortfall=_shortfall(row),
            late=late[:MAX_RECORDS_PER_ROW],
        )


def _sections(
    table: ComplianceTable, builder: _RowBuilder, units: list[OrgUnit]
) -> list[UnitSection]:
    standings = {s.code: s for s in table.by_unit}
    people_rows: dict[str, list[ComplianceRow]] = {}
    for row in table.rows:
        if row.subject in table.people:
            people_rows.setdefault(row.subject, []).append(row)
    unit_rows: dict[str, list[ComplianceRow]] = {}
    for row in table.rows:
        unit_rows.setdefault(row.subject, []).append(row)
    people_of: dict[int, list[Person]] = {}
    for person in sorted(table.people.values(), key=lambda p: p.code):
        if person.code in people_rows:
            people_of.setdefault(person.unit_id, []).append(person)
    sections = []
    for unit in units:
        own = [builder.build(row) for row in unit_rows.get(unit.code, [])]
        leaders = [
            (person, [builder.build(row) for row in people_rows[person.code]])
            for person in people_of.get(unit.pk, [])
        ]
        if own or leaders:
            sections.append(
                UnitSection(unit, f"unit-{unit.pk}", own, leaders, standings.get(unit.code))
            )
    return sections


def _evaluations(year: int, table: ComplianceTable, within: OrgUnit | None) -> list[dict[str, Any]]:
    """The year's closed campaigns with their results (of the units and people under `within`
    only): the campaigns read with their targets, the subtree's codes taken from the table."""
    closed = Campaign.objects.filter(year=year, state=CampaignState.CLOSED)
    scores = campaigns_scores(closed)
    codes: set[str] | None = None
    if within is not None:
        codes = {code for code, unit in table.units.items() if unit.path.startswith(within.path)}
        codes |= {
            code
            for code, person in table.people.items()
            if person.unit.path.startswith(within.path)
        }
    found = []
    for campaign in sorted(scores, key=lambda c: c.code):
        rows = scores[campaign]
        if codes is not None:
            rows = [row for row in rows if row.code in codes]
        if rows:
            found.append({"campaign": campaign, "rows": rows})
    return found


def report_context(
    *,
    year: int,
    unit: OrgUnit | None,
    signer: str,
    today: dt.date,
    reader: Any,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report's content. The figures cover the jurisdiction (or the unit); the records
    listed behind them — late deadlines, missed duties — are those `reader` may see, so that a
    report never names a petition to the unit or person it is about."""
    window = Period.year(year)
    within = unit if unit is not None and unit.parent_id else None
    table = compliance_table(
        scope=Scope(everything=True), window=window, today=today, within=within
    )
    if progress:
        progress(30, _("Compliance table computed."))
    # the table read every unit (by path): the report's are those under `unit`
    units = [u for u in table.units.values() if unit is None or u.path.startswith(unit.path)]
    late = late_clocks(
        table.rules.values(),
        window,
        today,
        user=reader,
        within=within,
        limit=MAX_RECORDS_PER_ROW,
    )
    builder = _RowBuilder(table, late, reader)
    builder.prepare(table.rows)
    sections = _sections(table, builder, units)
    evaluated = {
        rule.rule_id
        for _evaluator, batch in compliance.assign(table.rules.values())
        for rule in batch
    }
    roots = [u for u in units if u.parent_id is None]
    return {
        "year": year,
        "window": window,
        "today": today,
        "unit": within,
        "jurisdiction": unit or (roots[0] if len(roots) == 1 else None),
        "signer": signer,
        "font_url": FONT_PATH.as_uri(),
        "totals": table.totals(),
        "summary": table.by_unit,
        "rules": list(table.rules.values()),
        "evaluated": evaluated,
        "sections": sections,
        "units": units,
        "evaluations": _evaluations(year, table, within),
        "status_labels": {key: str(label) for key, label in STATUS_LABELS.items()},
    }


def render_report(
    *,
    year: int,
    unit: OrgUnit | None = None,
    signer: str = "",
    today: dt.date | None = None,
    language: str | None = None,
    progress: Progress | None = None,
    reader: Any,
) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the year-end report of the jurisdiction or one unit, with
    the records `reader` may see (directory.access.console_reader() for a command)."""
    from weasyprint import HTML

    today = today or timezone.localdate()
    with translation.override(language or settings.LANGUAGE_CODE):
        context = report_context(
            year=year, unit=unit, signer=signer, today=today, reader=reader, progress=progress
        )
        html = render_to_string("reports/pdf/compliance.html", context)
    if progress:
        progress(40, _("Laying out the pages."))
    document = HTML(string=html, base_url=str(FONT_PATH.parent)).render()
    if progress:
        progress(85, _("Writing the PDF (%(pages)d pages).") % {"pages": len(document.pages)})
    return document.write_pdf(), len(document.pages)
