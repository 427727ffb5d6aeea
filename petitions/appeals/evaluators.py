"""Compliance of the appeal rules.

TY-O2 (reply within the category's limit) and HF-H1 are left to the one DEADLINE evaluator of
`rules` (per responsible unit, per year, from the appeals' clocks). HF-O1 (leaders answer their
mailbox, messages and hotline in time) is per leader, so it is evaluated here from the clocks
that name a leader holding one of the rule's posts, per month and per year: required = clocks
due in the period, actual = those done on time; a clock not done by its due date counts as
late. One grouped query.

TY-O1 (the daily bulletin): per county (or district) of the leaders it is written for (the
rule's posts), per month, required = working days of the month up to today, actual = those
days whose bulletin was sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from directory.base import split_codes
from directory.models import OrgUnit
from rules import compliance
from rules.compliance import ComplianceRow, status_for
from rules.models import Clock, ClockState, Rule
from rules.periods import Period, subperiods
from rules.workdays import UnknownCalendarYear, WorkCalendar

from .models import Bulletin

DEADLINE_RULES = ("HF-O1",)
BULLETIN_RULES = ("TY-O1",)


def _months(window: Period) -> list[Period]:
    return [
        m for m in subperiods(window.start.year, "month") if window.start <= m.start <= window.end
    ]


class LeaderDeadlineEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        if not rules:
            return []
        by_pk = {rule.pk: rule for rule in rules}
        groups = (
            Clock.objects.filter(rule_id__in=by_pk, due__gte=window.start, due__lte=window.end)
            .exclude(state=ClockState.CANCELLED)
            .annotate(month=TruncMonth("due"))
            .values(
                "rule_id",
                "unit__code",
                "unit__name",
                "person__code",
                "person__name",
                "person__posts",
                "month",
            )
            .annotate(
                required=Count("pk"),
                actual=Count("pk", filter=Q(state=ClockState.DONE, on_time=True)),
            )
            .order_by()
        )
        # (rule id, subject, name) → {period code → [required, actual]}
        tally: dict[tuple[str, str, str], dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )
        for group in groups:
            rule = by_pk[group["rule_id"]]
            subject, name = self._subject(rule, group)
            if not subject:
                continue
            month = group["month"]
            month = month.date() if isinstance(month, dt.datetime) else month
            for code in (f"{month.year}-{month.month:02d}", window.code):
                counts = tally[(rule.rule_id, subject, name)][code]
                counts[0] += group["required"]
                counts[1] += group["actual"]
        return self._rows(tally, today)

    @staticmethod
    def _subject(rule: Rule, group: dict[str, Any]) -> tuple[str, str]:
        """The leader of a rule naming posts (when they hold one), else the unit."""
        posts = set(rule.subject_post_list)
        if not posts:
            return group["unit__code"] or "", group["unit__name"] or ""
        if posts & set(split_codes(group["person__posts"] or "")):
            return group["person__code"], group["person__name"]
        return "", ""

    @staticmethod
    def _rows(
        tally: dict[tuple[str, str, str], dict[str, list[int]]], today: dt.date
    ) -> list[ComplianceRow]:
        rows = []
        for (rule_id, subject, name), periods in sorted(tally.items()):
            for code, (required, actual) in sorted(periods.items()):
                rows.append(
                    ComplianceRow(
                        rule=rule_id,
                        subject=subject,
                        subject_name=name,
                        period=code,
                        required=required,
                        actual=actual,
                        status=status_for(required, actual, Period.parse(code), today),
                    )
                )
        return rows


class BulletinEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        calendar = WorkCalendar.for_batch()
        sent = set(
            Bulletin.objects.filter(
                day__gte=window.start, day__lte=window.end, sent_at__isnull=False
            ).values_list("day", flat=True)
        )
        rows = []
        for rule in rules:
            counties = list(
                OrgUnit.objects.counties().headed_by(*rule.subject_post_list).order_by("code")
            )
            for month in _months(window):
                if month.start > today:
                    continue
                try:
                    days = self._workdays(month, today, calendar)
                except UnknownCalendarYear:
                    continue
                actual = sum(1 for day in days if day in sent)
                for county in counties:
                    rows.append(
                        ComplianceRow(
                            rule.rule_id,
                            county.code,
                            county.name,
                            month.code,
                            len(days),
                            actual,
                            status_for(len(days), actual, month, today),
                        )
                    )
        return rows

    @staticmethod
    def _workdays(month: Period, today: dt.date, calendar: WorkCalendar) -> list[dt.date]:
        last = min(month.end, today)
        days = []
        day = month.start
        while day <= last:
            if calendar.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days


compliance.register(LeaderDeadlineEvaluator(), rule_ids=DEADLINE_RULES)
compliance.register(BulletinEvaluator(), rule_ids=BULLETIN_RULES)
