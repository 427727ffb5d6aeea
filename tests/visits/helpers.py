"""Visit helpers for the visits tests, built on tests.helpers.build_county()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from directory.models import Household, OrgUnit, Person
from rules.models import Rule
from rules.packs import load_packs
from visits.evaluators import ALL_RULE_IDS
from visits.models import Visit
from visits.services import visit_save

D = dt.date
MARCH_3 = D(2025, 3, 3)


def make_visit(
    people: Person | Sequence[Person],
    unit: OrgUnit,
    kind: str = "household",
    date: dt.date = MARCH_3,
    households: Sequence[Household] = (),
    days: str | Decimal | None = None,
    **fields: object,
) -> Visit:
    people = [people] if isinstance(people, Person) else list(people)
    visit = Visit(date=date, kind=kind, unit=unit, **fields)
    if days is not None:
        visit.days = Decimal(str(days))
    elif kind == "village_stay":
        visit.days = Decimal(1)
    return visit_save(visit=visit, people=people, households=list(households))


def load_visit_rules() -> dict[str, Rule]:
    """The taoyuan, hefei and tianjin packs; the visit rules by id."""
    load_packs(["taoyuan", "hefei", "tianjin"])
    return {rule.rule_id: rule for rule in Rule.objects.filter(rule_id__in=ALL_RULE_IDS)}


def set_params(rule: Rule, **params: object) -> Rule:
    rule.params = {**rule.params, **params}
    rule.save()
    return rule
