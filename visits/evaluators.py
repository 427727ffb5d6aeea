"""The compliance evaluators of the visit rules (registered in VisitsConfig.ready()).

One evaluator per rule kind (QUOTA, COVERAGE, AMOUNT, LIMIT, ROSTER); what each measures is
read from the rule row's parameters (visits.measures). The kinds share one `Facts` per call, so
the whole table for every person costs a handful of grouped queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from directory.models import OrgUnit, Person
from rules import compliance
from rules.compliance import ComplianceRow
from rules.models import Rule, RuleKind
from rules.periods import Period

from .measures import Facts, Progress, measure

#: The visit rules of RULES.md, by kind. HF-V5a/b (research reports) are SUBMISSION rules of
#: the reports app.
RULE_IDS: dict[str, tuple[str, ...]] = {
    RuleKind.QUOTA: ("TY-V1", "HF-V1b", "HF-V2b", "HF-V5c", "HF-V8", "HF-V9a", "HF-V9b"),
    RuleKind.COVERAGE: ("TY-V2", "TY-V3a", "TY-V3b", "TY-V4", "HF-V7"),
    RuleKind.AMOUNT: ("HF-V1a", "HF-V2a", "HF-V4", "TJ-V1"),
    RuleKind.LIMIT: ("HF-V3",),
    RuleKind.ROSTER: ("HF-V6",),
}
ALL_RULE_IDS: tuple[str, ...] = tuple(rid for ids in RULE_IDS.values() for rid in ids)


def to_row(progress: Progress) -> ComplianceRow:
    return ComplianceRow(
        rule=progress.rule.rule_id,
        subject=progress.subject,
        subject_name=progress.subject_name,
        period=progress.period.code,
        required=progress.required,
        actual=progress.actual,
        status=progress.status,
        note=" ".join(progress.gaps),
    )


class VisitRulesEvaluator:
    """Evaluates the visit rules of one kind over every person (the kind is in the rule row;
    one class serves the five kinds because the facts it loads are the same)."""

    def evaluate(
        self,
        rules: Sequence[Rule],
        window: Period,
        *,
        today: dt.date,
        within: OrgUnit | None = None,
    ) -> Iterable[ComplianceRow]:
        """`within`: only the people of this unit's subtree are measured (a township's report
        costs the township's visits)."""
        if not rules:
            return []
        if within is None:
            facts = Facts(Person.objects.all(), window, today, everyone=True)
        else:
            facts = Facts(Person.objects.filter(unit__path__startswith=within.path), window, today)
        return [to_row(progress) for progress in measure(rules, facts)]


# One registration for every visit rule, so that the kinds share one `Facts` per table (each
# registration is handed its rules in one call).
compliance.register(VisitRulesEvaluator(), rule_ids=ALL_RULE_IDS)
