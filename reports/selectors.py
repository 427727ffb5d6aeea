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
from directory.models import OrgUnit, Person
from rules.compliance import EXCUSED, MET, OPEN, SHORT, ComplianceRow, evaluate
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
    prefix = [u.path for u in (township, within) if u is not None]

    def keep(row: ComplianceRow) -> bool:
        unit = people[row.subject].unit if row.subject in people else units.get(row.subject)
        return unit is not None and all(unit.path.startswith(p) for p in prefix)

    rows = [row for row in rows if keep(row)]
    return ComplianceTable(
        window=window,
        today=today,
        rules={rule.rule_id: rule for rule in rules},
        rows=rows,
        units=units,
        people=people,
        by_unit=rank(_standings(rows, units, people, per_person=False)),
        by_person=rank(_standings(rows, units, people, per_person=True)),
    )


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
