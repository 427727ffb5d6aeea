"""Kind evaluators that live in `rules` itself: the one DEADLINE evaluator serving every app.

A DEADLINE row is per (rule, responsible unit, period): required = clocks due in the period,
actual = those done on time; a clock not done by its due date counts as late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q

from . import compliance
from .compliance import ComplianceRow, status_for
from .models import Clock, ClockState, Rule, RuleKind
from .periods import Period


class DeadlineEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        if not rules:
            return []
        by_pk = {rule.pk: rule for rule in rules}
        # One grouped query for every DEADLINE rule: clocks due in the window, per rule and unit.
        groups = (
            Clock.objects.filter(rule_id__in=by_pk, due__gte=window.start, due__lte=window.end)
            .exclude(state=ClockState.CANCELLED)
            .values("rule_id", "unit__code", "unit__name")
            .annotate(
                required=Count("pk"),
                actual=Count("pk", filter=Q(state=ClockState.DONE, on_time=True)),
            )
            .order_by("rule_id", "unit__code")
        )
        rows = []
        for group in groups:
            required, actual = group["required"], group["actual"]
            status = status_for(required, actual, window, today)
            rows.append(
                ComplianceRow(
                    rule=by_pk[group["rule_id"]].rule_id,
                    subject=group["unit__code"] or "",
                    subject_name=group["unit__name"] or "",
                    period=window.code,
                    required=required,
                    actual=actual,
                    status=status,
                )
            )
        return rows


compliance.register(DeadlineEvaluator(), kinds=(RuleKind.DEADLINE,))
