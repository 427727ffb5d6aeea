"""The SUBMISSION evaluator of the written reports: TY-Y1 (annual implementation report),
HF-V5a and HF-V5b (research reports).

One row per (rule, subject, year): required = the rule's `min_count` (default 1), actual = the
reports handed in by the due date (`due` MM-DD, else the end of the year), capped at required
so that a single-report rule reads 1 or 0 as DESIGN.md says. A report handed in after the due
date does not count; the row's note says so.

Subjects are the people holding one of the rule's posts; an annual report of a unit's principal
(township party secretary, unit head) is the report of the unit's party committee (TY-Y1:
"every unit's party committee reports"), so for those posts the unit is the subject.
Two queries whatever the number of rules, people or reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from directory.models import OrgUnit, Person, Post
from rules import compliance
from rules.compliance import ComplianceRow, status_for
from rules.models import Rule
from rules.periods import Period

from .drilldown import RecordLink
from .models import Submission, SubmissionKind

RULE_IDS = ("TY-Y1", "HF-V5a", "HF-V5b")
# Posts whose annual report is their unit's report (the unit is the subject).
UNIT_SUBJECT_POSTS: dict[str, frozenset[str]] = {
    SubmissionKind.ANNUAL_REPORT: frozenset({Post.TOWNSHIP_SECRETARY, Post.UNIT_HEAD}),
}


def due_date(rule: Rule, year: int) -> dt.date:
    due = rule.param("due")
    if not due:
        return dt.date(year, 12, 31)
    month, day = (int(part) for part in due.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return dt.date(year, 2, 28)


def subject_posts(rule: Rule) -> tuple[frozenset[str], frozenset[str]]:
    """(posts whose holders are subjects, posts whose units are subjects) of a rule."""
    posts = frozenset(rule.subject_post_list)
    unit_posts = posts & UNIT_SUBJECT_POSTS.get(rule.param("document"), frozenset())
    return posts - unit_posts, unit_posts


class SubmissionEvaluator:
    def evaluate(
        self,
        rules: Sequence[Rule],
        window: Period,
        *,
        today: dt.date,
        only: set[str] | None = None,
    ) -> Iterable[ComplianceRow]:
        """The rows of `rules` over `window`; with `only` (codes of people and units), the
        rows of those subjects alone, read without the rest of the county (a today panel)."""
        if not rules:
            return []
        years = range(window.start.year, window.end.year + 1)
        people = self._people(rules, only)
        reports = self._reports(rules, years, only)
        rows: list[ComplianceRow] = []
        for rule in rules:
            for year in years:
                rows.extend(self._rows(rule, year, people, reports, today))
        return rows

    @staticmethod
    def _people(rules: Sequence[Rule], only: set[str] | None = None) -> list[Person]:
        posts = {post for rule in rules for post in rule.subject_post_list}
        if not posts:
            return []
        people = Person.objects.with_post(*posts)
        if only is not None:
            # the units by their own (indexed) codes first: a join on the unit's code made
            # the database test every person's posts before the codes
            units = OrgUnit.all_objects.filter(code__in=only).values("pk")
            people = people.filter(Q(code__in=only) | Q(unit__in=units))
        return list(
            people.select_related("unit").filter(unit__deleted_at__isnull=True).order_by("code")
        )

    @staticmethod
    def _reports(rules: Sequence[Rule], years: range, only: set[str] | None = None) -> list[dict]:
        documents = {rule.param("document") for rule in rules}
        reports = Submission.objects.filter(year__in=list(years), kind__in=documents)
        if only is not None:
            reports = reports.filter(Q(person__code__in=only) | Q(unit__code__in=only))
        return list(
            reports.values("kind", "year", "person__code", "unit__code", "submitted_on").order_by()
        )

    def _rows(
        self,
        rule: Rule,
        year: int,
        people: list[Person],
        reports: list[dict],
        today: dt.date,
    ) -> list[ComplianceRow]:
        document, due = rule.param("document"), due_date(rule, year)
        on_time: Counter[str] = Counter()
        late: Counter[str] = Counter()
        for report in reports:
            if report["kind"] != document or report["year"] != year:
                continue
            subject = report["person__code"] or f"unit:{report['unit__code']}"
            (on_time if report["submitted_on"] <= due else late)[subject] += 1
        required = rule.param("min_count") or 1
        status_period = Period(dt.date(year, 1, 1), due, str(year))
        person_posts, unit_posts = subject_posts(rule)
        subjects: dict[str, tuple[str, str]] = {}
        for person in people:
            if person.has_post(*person_posts):
                subjects[person.code] = (person.code, person.name)
            if person.has_post(*unit_posts):
                subjects[f"unit:{person.unit.code}"] = (person.unit.code, person.unit.name)
        rows = []
        for key, (code, name) in sorted(subjects.items(), key=lambda item: item[1][0]):
            actual = min(on_time[key], required)
            note = ""
            if late[key] and actual < required:
                note = _("%(n)d handed in after the due date %(due)s") % {
                    "n": late[key],
                    "due": due.isoformat(),
                }
            rows.append(
                ComplianceRow(
                    rule=rule.rule_id,
                    subject=code,
                    subject_name=name,
                    period=str(year),
                    required=required,
                    actual=actual,
                    status=status_for(required, actual, status_period, today),
                    note=note,
                )
            )
        return rows

    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The reports behind a row: the subject's reports of the rule's document that year
        (those `user` may see)."""
        return self.records_many(rule, [(subject, period)], user=user).get((subject, period), [])

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        """`records` for many rows in one query."""
        return self.records_many_rules([(rule, keys)], user=user).get(rule.rule_id, {})

    def records_many_rules(
        self, wanted: Sequence[tuple[Rule, Sequence[tuple[str, str]]]], *, user: Any
    ) -> dict[str, dict[tuple[str, str], list[RecordLink]]]:
        """`records_many` of many rules by rule id, in the same one query (the reports of
        every rule's document; each rule keeps its own)."""
        asked = []
        for rule, keys in wanted:
            years: dict[str, int] = {}
            for _subject, period in keys:
                try:
                    years[period] = int(period[:4])
                except ValueError:
                    continue
            rows = {(s, p) for s, p in keys if p in years}
            if rows:
                asked.append((rule, years, rows))
        if not asked:
            return {}
        subjects = {s for _rule, _years, rows in asked for s, _p in rows}
        reports = list(
            Submission.objects.visible_to(user)
            .filter(
                kind__in={rule.param("document") for rule, _years, _rows in asked},
                year__in={year for _rule, years, _rows in asked for year in years.values()},
            )
            .filter(Q(person__code__in=subjects) | Q(person__isnull=True, unit__code__in=subjects))
            .select_related("person", "unit")
            .order_by("submitted_on", "pk")
        )
        found: dict[str, dict[tuple[str, str], list[RecordLink]]] = {}
        for rule, years, rows in asked:
            result: dict[tuple[str, str], list[RecordLink]] = {}
            document = rule.param("document")
            for report in reports:
                if report.kind != document:
                    continue
                subject = report.person.code if report.person_id else report.unit.code
                due = due_date(rule, report.year)
                for period, year in years.items():
                    if year == report.year and (subject, period) in rows:
                        result.setdefault((subject, period), []).append(
                            RecordLink(
                                label=report.title or str(report),
                                url=reverse("reports-submission-detail", args=[report.pk]),
                                date=report.submitted_on,
                                late=report.submitted_on > due,
                                note=report.subject_name,
                            )
                        )
            found[rule.rule_id] = result
        return found


compliance.register(SubmissionEvaluator(), rule_ids=RULE_IDS)
