"""Compliance of suggestions, proposals and the public lists.

TY-P1, TY-P2 and TY-P3 are DEADLINE rules backed by clocks, evaluated per responsible unit by
rules.evaluators. This module claims the rules that need this app's facts:

- TY-P4 (QUOTA, per session): each deputy / member's items made during a session, per session
  that opens in the year; subjects are the people holding the body's post (a party congress
  has no post in the directory, so there the subjects are the session's authors).
- TJ-P1 (between sessions, same limits): per lead unit, the answer clocks of items made
  between sessions that fall due in the year, done on time of all of them.
- TY-L1 (the three public lists): per responsible unit, published items whose target date
  falls in the year, completed by the target date of all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q

from directory.models import Person
from rules import compliance
from rules.compliance import ComplianceRow, status_for
from rules.models import Clock, ClockState, Rule
from rules.periods import Period

from .models import BODY_POSTS, Proposal, ProposalAuthor, PublicListItem, Session
from .services import STEP_ANSWER


def session_period(session: Session) -> Period:
    return Period(session.opens, session.closes, session.code)


def session_counts(sessions: Sequence[Session]) -> dict[tuple[int, int], int]:
    """(session id, person id) → items that person (co-)authored during the session."""
    rows = (
        ProposalAuthor.objects.filter(
            proposal__session__in=[s.pk for s in sessions],
            proposal__in_session=True,
            proposal__deleted_at__isnull=True,
        )
        .values("proposal__session_id", "person_id")
        .annotate(n=Count("proposal_id", distinct=True))
        .order_by()
    )
    return {(row["proposal__session_id"], row["person_id"]): row["n"] for row in rows}


def session_subjects(
    sessions: Sequence[Session], counts: dict[tuple[int, int], int], posts: Sequence[str]
) -> dict[int, list[Person]]:
    """Session id → the people who owe items in it (one query for every session)."""
    wanted = {BODY_POSTS[s.body] for s in sessions if s.body in BODY_POSTS}
    wanted &= set(posts) if posts else wanted
    people = Person.objects.select_related("unit")
    holders = list(people.with_post(*wanted).order_by("code")) if wanted else []
    authors: dict[int, Person] = {}
    if any(s.body not in BODY_POSTS for s in sessions):
        author_ids = {person_id for _session, person_id in counts}
        authors = {p.pk: p for p in people.filter(pk__in=author_ids)}
    subjects: dict[int, list[Person]] = {}
    for session in sessions:
        post = BODY_POSTS.get(session.body)
        if post is None:
            ids = sorted(pid for sid, pid in counts if sid == session.pk)
            subjects[session.pk] = sorted((authors[i] for i in ids), key=lambda p: p.code)
        elif post in wanted:
            subjects[session.pk] = [p for p in holders if p.has_post(post)]
        else:
            subjects[session.pk] = []
    return subjects


class SessionQuotaEvaluator:
    """TY-P4: rows per (deputy or member, session)."""

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        sessions = list(
            Session.objects.filter(opens__gte=window.start, opens__lte=window.end).order_by(
                "opens", "code"
            )
        )
        if not sessions or not rules:
            return []
        counts = session_counts(sessions)
        rows = []
        for rule in rules:
            required = int(rule.param("count", 0))
            subjects = session_subjects(sessions, counts, rule.subject_post_list)
            for session in sessions:
                period = session_period(session)
                for person in subjects[session.pk]:
                    actual = counts.get((session.pk, person.pk), 0)
                    rows.append(
                        ComplianceRow(
                            rule=rule.rule_id,
                            subject=person.code,
                            subject_name=person.name,
                            period=session.code,
                            required=required,
                            actual=actual,
                            status=status_for(required, actual, period, today),
                        )
                    )
        return rows


class BetweenSessionsEvaluator:
    """TJ-P1: answers to items made between sessions, per lead unit."""

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        if not rules:
            return []
        between = Proposal.objects.filter(in_session=False).values("pk")
        groups = list(
            Clock.objects.filter(
                content_type=ContentType.objects.get_for_model(Proposal),
                object_id__in=between,
                step=STEP_ANSWER,
                due__gte=window.start,
                due__lte=window.end,
            )
            .exclude(state=ClockState.CANCELLED)
            .values("unit__code", "unit__name")
            .annotate(
                required=Count("pk"),
                actual=Count("pk", filter=Q(state=ClockState.DONE, on_time=True)),
            )
            .order_by("unit__code")
        )
        return [
            ComplianceRow(
                rule=rule.rule_id,
                subject=group["unit__code"] or "",
                subject_name=group["unit__name"] or "",
                period=window.code,
                required=group["required"],
                actual=group["actual"],
                status=status_for(group["required"], group["actual"], window, today),
            )
            for rule in rules
            for group in groups
        ]


class PublicListEvaluator:
    """TY-L1: list items due in the year, completed by their target date, per unit."""

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        if not rules:
            return []
        groups = list(
            PublicListItem.objects.published()
            .filter(target_date__gte=window.start, target_date__lte=window.end)
            .values("responsible_unit__code", "responsible_unit__name")
            .annotate(
                required=Count("pk"),
                actual=Count("pk", filter=Q(completed_on__lte=F("target_date"))),
            )
            .order_by("responsible_unit__code")
        )
        return [
            ComplianceRow(
                rule=rule.rule_id,
                subject=group["responsible_unit__code"],
                subject_name=group["responsible_unit__name"],
                period=window.code,
                required=group["required"],
                actual=group["actual"],
                status=status_for(group["required"], group["actual"], window, today),
            )
            for rule in rules
            for group in groups
        ]


compliance.register(SessionQuotaEvaluator(), rule_ids=("TY-P4",))
compliance.register(BetweenSessionsEvaluator(), rule_ids=("TJ-P1",))
compliance.register(PublicListEvaluator(), rule_ids=("TY-L1",))
