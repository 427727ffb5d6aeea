"""The compliance protocol: how each app reports, for its rules, required / actual / status.

An app registers an evaluator for rule kinds or rule ids (in its AppConfig.ready()):

    compliance.register(MyEvaluator(), rule_ids=("TY-R1", "TY-R2"))
    compliance.register(DeadlineEvaluator(), kinds=("DEADLINE",))

`evaluate(...)` hands each evaluator, once, every active rule it claims (a rule id claim wins
over a kind claim, so a rule is evaluated once) and collects `ComplianceRow`s — the table of
DESIGN.md: rule, subject, subject_name, period, required, actual, status. Evaluators work on
whole sets (one query per rule or per kind), never per person per rule."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Rule
from .periods import Period
from .workdays import batch_calendar

MET = "met"
SHORT = "short"
EXCUSED = "excused"
OPEN = "open"
STATUS_LABELS = {MET: _("met"), SHORT: _("short"), EXCUSED: _("excused"), OPEN: _("open")}
COLUMNS = ("rule", "subject", "subject_name", "period", "required", "actual", "status")

Number = int | Decimal


@dataclass(frozen=True)
class ComplianceRow:
    rule: str
    subject: str
    subject_name: str
    period: str
    required: Number
    actual: Number
    status: str
    note: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("note")
        return data


def status_for(
    required: Number, actual: Number, period: Period, today: dt.date, *, excused: bool = False
) -> str:
    """met when actual reaches required; otherwise excused (a recorded reason), open while
    the period runs, short once it has ended."""
    if actual >= required:
        return MET
    if excused:
        return EXCUSED
    return OPEN if not period.has_ended(today) else SHORT


@dataclass(frozen=True)
class RecordLink:
    """One record behind a compliance figure (a visit, a reception, a late answer …)."""

    label: str
    url: str = ""
    date: dt.date | None = None
    late: bool = False
    note: str = ""


class Evaluator(Protocol):
    """An evaluator answers for its rules. It MAY also have
    `records(rule, subject, period) -> Sequence[RecordLink]`: the records behind one row, which
    the dashboards show as the drill-down (see reports/drilldown.py)."""

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        """Rows for `rules` over the periods that fall in `window` (usually a year)."""
        ...


@dataclass
class _Registration:
    evaluator: Evaluator
    kinds: frozenset[str]
    rule_ids: frozenset[str]


_registry: list[_Registration] = []


def register(
    evaluator: Evaluator, *, kinds: Iterable[str] = (), rule_ids: Iterable[str] = ()
) -> None:
    _registry.append(_Registration(evaluator, frozenset(kinds), frozenset(rule_ids)))


def registered() -> list[_Registration]:
    return list(_registry)


def assign(rules: Iterable[Rule]) -> list[tuple[Evaluator, list[Rule]]]:
    """Pair each rule with the one evaluator that claims it (by id first, then by kind)."""
    by_id = {rid: reg for reg in _registry for rid in reg.rule_ids}
    by_kind = {kind: reg for reg in _registry if not reg.rule_ids for kind in reg.kinds}
    batches: dict[int, tuple[Evaluator, list[Rule]]] = {}
    for rule in rules:
        reg = by_id.get(rule.rule_id) or by_kind.get(rule.kind)
        if reg is None:
            continue
        batches.setdefault(id(reg), (reg.evaluator, []))[1].append(rule)
    return list(batches.values())


def narrows(evaluator: Evaluator) -> bool:
    """Whether `evaluator.evaluate` takes `within` (see `evaluate`)."""
    return "within" in inspect.signature(evaluator.evaluate).parameters


def evaluate(
    window: Period,
    *,
    today: dt.date,
    packs: Sequence[str] = (),
    rules: models.QuerySet[Rule] | None = None,
    within: Any = None,
) -> list[ComplianceRow]:
    """Every row of the rules in force. `within` (an org unit) says that only the rows of
    subjects in its subtree are wanted: an evaluator whose `evaluate` takes `within` may leave
    the others out (so that a township's report costs the township); the caller still keeps
    only the rows it wants, so an evaluator that ignores it stays correct."""
    if rules is None:
        rules = Rule.objects.active().in_packs(*packs)
    rows: list[ComplianceRow] = []
    with batch_calendar():  # the evaluators share one working-day calendar
        for evaluator, batch in assign(rules):
            if within is not None and narrows(evaluator):
                found = evaluator.evaluate(batch, window, today=today, within=within)  # type: ignore[call-arg]
            else:
                found = evaluator.evaluate(batch, window, today=today)
            rows.extend(found)
    order = {rule.rule_id: (rule.pack, rule.sort_order) for rule in rules}
    rows.sort(key=lambda r: (order.get(r.rule, ("", 0)), r.rule, r.period, r.subject))
    return rows
