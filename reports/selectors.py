"""The compliance table as the dashboards and the year-end PDF read it.

`compliance_table()` asks the registry in `rules.compliance` for every row (set-based in every
evaluator), keeps the rows of the chosen period whose subject the reader may see, and groups
them by unit (a person's rows count for the person's unit) and by person. Its own queries are a
fixed handful — rules, visible units, visible people — whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from directory.access import Scope
from directory.charts import HeatFigure
from directory.models import OrgUnit, Person
from rules.compliance import EXCUSED, MET, OPEN, SHORT, ComplianceRow, assign, evaluate
from rules.evaluators import DeadlineEvaluator
from rules.models import Rule
from rules.periods import Period

from .drilldown import period_of

STATUSES = (MET, SHORT, OPEN, EXCUSED)


def window_for(year: int, part: str = "") -> Period:
    """The reporting window: a year, a quarter ("Q3") or a month ("07")."""
    if part.startswith("Q"):
        return Period.quarter(year, int(part[1:]))
    if part:
        return Period.month(year, int(part))
    return Period.year(year)


def rows_in_window(rows: Iterable[ComplianceRow], window: Period) -> list[ComplianceRow]:
    """Rows whose period overlaps the window (a yearly row stays in a quarter's view)."""
    kept = []
    for row in rows:
        period = period_of(row.period)
        if period is None or (period.start <= window.end and period.end >= window.start):
            kept.append(row)
    return kept


@dataclass
class Standing:
    """One unit's or one person's rows and how many of them are met."""

    code: str
    name: str
    unit: OrgUnit
    person: Person | None = None
    rows: list[ComplianceRow] = field(default_factory=list)
    rank: int = 0

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def met(self) -> int:
        return self.count(MET)

    @property
    def short(self) -> int:
        return self.count(SHORT)

    @property
    def open(self) -> int:
        return self.count(OPEN)

    @property
    def excused(self) -> int:
        return self.count(EXCUSED)

    @property
    def share(self) -> Decimal | None:
        """Percentage of rows met (an excused row counts as met: it has a recorded reason)."""
        if not self.rows:
            return None
        value = Decimal(100 * (self.met + self.excused)) / Decimal(len(self.rows))
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rank(standings: list[Standing]) -> list[Standing]:
    """Best share first; equal shares share a rank (1, 1, 3 …)."""
    ordered = sorted(standings, key=lambda s: (-(s.share or Decimal(-1)), s.unit.path, s.code))
    previous: Decimal | None = None
    for position, standing in enumerate(ordered, start=1):
        if standing.share != previous:
            standing.rank = position
            previous = standing.share
        else:
            standing.rank = ordered[position - 2].rank
    return ordered


@dataclass
class ComplianceTable:
    window: Period
    today: dt.date
    rules: dict[str, Rule]
    rows: list[ComplianceRow]
    units: dict[str, OrgUnit]
    people: dict[str, Person]
    by_unit: list[Standing]
    by_person: list[Standing]
    #: unit paths the view is narrowed to (a township filter, a one-unit report)
    prefixes: tuple[str, ...] = ()

    def in_view(self, row: ComplianceRow) -> bool:
        """True when the row's subject is one the reader sees, within the narrowed subtree."""
        unit = self.unit_of(row)
        return unit is not None and all(unit.path.startswith(p) for p in self.prefixes)

    def totals(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def unit_of(self, row: ComplianceRow) -> OrgUnit | None:
        if row.subject in self.people:
            return self.people[row.subject].unit
        return self.units.get(row.subject)

    def rows_for_unit(self, unit: OrgUnit) -> list[ComplianceRow]:
        return [row for row in self.rows if row.subject == unit.code]

    def rows_for_person(self, person: Person) -> list[ComplianceRow]:
        return [row for row in self.rows if row.subject == person.code]


def rules_in_force(packs: Sequence[str] = (), kinds: Sequence[str] = ()) -> QuerySet[Rule]:
    rules = Rule.objects.active().in_packs(*packs)
    return rules.of_kind(*kinds) if kinds else rules


def compliance_table(
    *,
    scope: Scope,
    window: Period,
    today: dt.date,
    packs: Sequence[str] = (),
    kinds: Sequence[str] = (),
    township: OrgUnit | None = None,
    within: OrgUnit | None = None,
) -> ComplianceTable:
    """The rows the scope may see, of the rules in force, in the window; `township` and
    `within` narrow to a subtree (a township filter, a one-unit report)."""
    rules = rules_in_force(packs, kinds)
    narrowest = within or township
    if within is not None and township is not None and township.path.startswith(within.path):
        narrowest = township
    rows = rows_in_window(evaluate(window, today=today, rules=rules, within=narrowest), window)
    units = {u.code: u for u in scope.filter(OrgUnit.objects.all(), "")}
    people = {
        p.code: p for p in scope.filter(Person.objects.select_related("unit"), "unit").order_by()
    }
    table = ComplianceTable(
        window=window,
        today=today,
        rules={rule.rule_id: rule for rule in rules},
        rows=[],
        units=units,
        people=people,
        by_unit=[],
        by_person=[],
        prefixes=tuple(u.path for u in (township, within) if u is not None),
    )
    table.rows = [row for row in rows if table.in_view(row)]
    table.by_unit = rank(_standings(table.rows, units, people, per_person=False))
    table.by_person = rank(_standings(table.rows, units, people, per_person=True))
    return table


def _standings(
    rows: list[ComplianceRow],
    units: dict[str, OrgUnit],
    people: dict[str, Person],
    *,
    per_person: bool,
) -> list[Standing]:
    found: dict[str, Standing] = {}
    for row in rows:
        person = people.get(row.subject)
        if per_person:
            if person is None:
                continue
            standing = found.setdefault(
                person.code, Standing(person.code, person.name, person.unit, person)
            )
        else:
            unit = person.unit if person else units[row.subject]
            standing = found.setdefault(unit.code, Standing(unit.code, unit.name, unit))
        standing.rows.append(row)
    return list(found.values())


def townships(scope: Scope) -> QuerySet[OrgUnit]:
    return scope.filter(OrgUnit.objects.townships(), "")


# --- the heat map: units × months ----------------------------------------------------------------


def month_of(period: Period) -> int | None:
    """The month a period of at most a month counts in (its middle day: a week spanning two
    months counts where most of it lies); None for longer periods (a quarter, a year)."""
    if (period.end - period.start).days > 31:
        return None
    return (period.start + (period.end - period.start) / 2).month


def compliance_by_month(table: ComplianceTable) -> dict[tuple[str, int], HeatFigure]:
    """For a table of a whole year: per (unit code, month), the rows of that month's own
    periods that the reader sees — the monthly, weekly and daily rows of the year's table,
    and the DEADLINE rows of the clocks due that month (the deadline evaluator run per month
    up to the current one: two queries a month) — a person's rows counting for the person's
    unit, an excused row as met. Yearly and quarterly rows belong to no month."""
    year = table.window.start.year
    monthly: list[tuple[ComplianceRow, int]] = []
    for row in table.rows:
        period = period_of(row.period)
        if period is None or period.start.year != year:
            continue
        month = month_of(period)
        if month is not None:
            monthly.append((row, month))
    deadline_rules = [
        rule
        for evaluator, batch in assign(table.rules.values())
        if isinstance(evaluator, DeadlineEvaluator)
        for rule in batch
    ]
    last = 12 if table.today.year > year else table.today.month if table.today.year == year else 0
    for month in range(1, last + 1):
        window = Period.month(year, month)
        for row in DeadlineEvaluator().evaluate(deadline_rules, window, today=table.today):
            if table.in_view(row):
                monthly.append((row, month))
    cells: dict[tuple[str, int], list[int]] = {}
    for row, month in monthly:
        unit = table.unit_of(row)
        if unit is None:
            continue
        counts = cells.setdefault((unit.code, month), [0, 0])
        counts[0] += 1
        counts[1] += row.status in (MET, EXCUSED)
    return {key: HeatFigure(rows, met) for key, (rows, met) in cells.items()}
