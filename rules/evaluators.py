"""Kind evaluators that live in `rules` itself: the one DEADLINE evaluator serving every app.

A DEADLINE row is per (rule, subject, period): required = clocks due in the period, actual =
those done on time; a clock not done by its due date counts as late. The subject is the one
the rule names: a rule naming posts is a personal duty (a leader's callback, TY-C1; the paired
cadre's four-musts visit, CP-A3), so its rows are per responsible person holding one of those
posts; a rule naming none is a duty of the handling unit (an appeal's reply, TY-O2), so its rows
are per responsible unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q

from directory.base import split_codes

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
        personal = {rule.pk for rule in rules if rule.subject_post_list}
        clocks = Clock.objects.filter(
            rule_id__in=by_pk, due__gte=window.start, due__lte=window.end
        ).exclude(state=ClockState.CANCELLED)
        counts = {
            "required": Count("pk"),
            "actual": Count("pk", filter=Q(state=ClockState.DONE, on_time=True)),
        }
        # One grouped query for the rules of units, one for the personal rules.
        by_unit = (
            clocks.exclude(rule_id__in=personal)
            .values("rule_id", "unit__code", "unit__name")
            .annotate(**counts)
            .order_by("rule_id", "unit__code")
        )
        by_person = (
            clocks.filter(rule_id__in=personal, person__isnull=False)
            .values("rule_id", "person__code", "person__name", "person__posts")
            .annotate(**counts)
            .order_by("rule_id", "person__code")
        )
        groups = []
        if len(personal) < len(by_pk):
            groups = [(g, g["unit__code"] or "", g["unit__name"] or "") for g in by_unit]
        for group in by_person if personal else []:
            posts = set(by_pk[group["rule_id"]].subject_post_list)
            if posts & set(split_codes(group["person__posts"] or "")):
                groups.append((group, group["person__code"], group["person__name"]))
        rows = []
        for group, subject, name in groups:
            required, actual = group["required"], group["actual"]
            rows.append(
                ComplianceRow(
                    rule=by_pk[group["rule_id"]].rule_id,
                    subject=subject,
                    subject_name=name,
                    period=window.code,
                    required=required,
                    actual=actual,
                    status=status_for(required, actual, window, today),
                )
            )
        return rows


compliance.register(DeadlineEvaluator(), kinds=(RuleKind.DEADLINE,))
