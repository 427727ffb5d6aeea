"""How often a paired household is owed contact, read from the rule rows.

A COVERAGE rule with `min_visits` measures contact with one kind of paired household: its
`pairing_kind` (scope `paired_households`) or its scope (`urban_hardship`, `centre_household`,
`radiated_households`). Its period says how often; its `activities` say whether a call counts
(CP-A2a lists `call`; the others mean a visit in person). When no loaded rule covers a kind,
"my households" still shows a rhythm: the one the source documents give (DEFAULT_PERIODS).

Owed periods: a pairing owes a period when it is in force on the period's last day — a
pairing that starts mid-period owes that period (contact counted from its start on), one
handed over mid-period is owed by the next cadre, not by both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rules.models import Rule, RuleKind
from rules.periods import Period

from .models import Pairing, PairingKind

SCOPE_KINDS = {
    "urban_hardship": PairingKind.URBAN_HARDSHIP,
    "centre_household": PairingKind.CENTRE,
    "radiated_households": PairingKind.RADIATED,
}
DEFAULT_PERIODS = {
    PairingKind.MONITORED: "month",
    PairingKind.ALLEVIATED: "quarter",
    PairingKind.URBAN_HARDSHIP: "quarter",
    PairingKind.CENTRE: "month",
    PairingKind.RADIATED: "quarter",
}
DEFAULT_CALLS_COUNT = {PairingKind.CENTRE}
PERIOD_ORDER = {"month": 0, "quarter": 1, "half_year": 2, "year": 3}


@dataclass(frozen=True)
class Rhythm:
    period: str
    calls_count: bool
    min_visits: int = 1
    rule_id: str = ""


def pairing_kind_of(rule: Rule) -> str | None:
    """The pairing kind a contact rule measures, or None for any other rule."""
    if rule.kind != RuleKind.COVERAGE or not rule.param("min_visits"):
        return None
    scope = rule.param("scope")
    if scope == "paired_households":
        return rule.param("pairing_kind") or None
    return SCOPE_KINDS.get(scope)


def calls_count(rule: Rule) -> bool:
    return "call" in (rule.param("activities") or [])


def contact_rules(rules: Iterable[Rule] | None = None) -> list[Rule]:
    """The active contact rules (one query when `rules` is not given)."""
    if rules is None:
        rules = Rule.objects.active().of_kind(RuleKind.COVERAGE)
    return [rule for rule in rules if pairing_kind_of(rule)]


def rhythms(rules: Iterable[Rule] | None = None) -> dict[str, Rhythm]:
    """Pairing kind → the strictest rhythm of the loaded rules (or the documents' default)."""
    result = {
        kind: Rhythm(period, kind in DEFAULT_CALLS_COUNT)
        for kind, period in DEFAULT_PERIODS.items()
    }
    chosen: dict[str, Rhythm] = {}
    for rule in contact_rules(rules):
        kind = pairing_kind_of(rule) or ""
        rhythm = Rhythm(rule.period, calls_count(rule), int(rule.param("min_visits")), rule.rule_id)
        current = chosen.get(kind)
        if current is None or PERIOD_ORDER.get(rhythm.period, 9) < PERIOD_ORDER.get(
            current.period, 9
        ):
            chosen[kind] = rhythm
    result.update(chosen)
    return result


def period_of(day: dt.date, kind: str) -> Period:
    if kind == "month":
        return Period.month(day.year, day.month)
    if kind == "quarter":
        return Period.quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "half_year":
        return Period.half(day.year, 1 if day.month <= 6 else 2)
    return Period.year(day.year)


def next_period(period: Period, kind: str) -> Period:
    return period_of(period.end + dt.timedelta(days=1), kind)


def owes(pairing: Pairing, period: Period) -> bool:
    """In force on the period's last day (see the module docstring)."""
    return pairing.start <= period.end and (pairing.end is None or pairing.end >= period.end)


def counted_from(pairing: Pairing, period: Period) -> dt.date:
    """Contact counts for a period from its start, or from the pairing's start if later."""
    return max(pairing.start, period.start)


def next_due(pairing: Pairing, last_contact: dt.date | None, rhythm: Rhythm) -> dt.date:
    """The end of the period the next contact is owed in: the one after the period of the
    last contact since the pairing started, or the pairing's first period without one."""
    if last_contact is not None and last_contact >= pairing.start:
        return next_period(period_of(last_contact, rhythm.period), rhythm.period).end
    return period_of(pairing.start, rhythm.period).end
