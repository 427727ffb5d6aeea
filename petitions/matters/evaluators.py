"""Compliance of the petition ledger's limit rule, read from the petitions.

NAT-GROUP-REPS: group visits with at most `max` representatives. One grouped query per rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count

from directory.models import OrgUnit
from rules import compliance
from rules.compliance import ComplianceRow, status_for
from rules.models import Rule
from rules.periods import Period

from .models import Petition

LIMIT_RULES = ("NAT-GROUP-REPS",)


class GroupRepresentativesEvaluator:
    """NAT-GROUP-REPS: group visits (headcount > 1) with at most `max` representatives, per
    receiving unit whose head the rule names (the office that registers the representatives)."""

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        rows = []
        for rule in rules:
            limit = int(rule.param("max"))
            visits = (
                Petition.objects.filter(
                    headcount__gt=1,
                    received_on__gte=window.start,
                    received_on__lte=window.end,
                    receiving_unit__in=OrgUnit.objects.headed_by(*rule.subject_post_list),
                )
                .annotate(reps=Count("petitioners"))
                .values_list("receiving_unit__code", "receiving_unit__name", "reps")
            )
            tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for code, name, reps in visits:
                tally[(code, name)][0] += 1
                tally[(code, name)][1] += reps <= limit
            for (code, name), (required, actual) in sorted(tally.items()):
                rows.append(
                    ComplianceRow(
                        rule.rule_id,
                        code,
                        name,
                        window.code,
                        required,
                        actual,
                        status_for(required, actual, window, today),
                    )
                )
        return rows


compliance.register(GroupRepresentativesEvaluator(), rule_ids=LIMIT_RULES)
