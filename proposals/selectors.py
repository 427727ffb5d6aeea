"""Reads that span models: items with their next deadline, clocks of a page of items, and the
per-session counts of TY-P4."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from directory.models import Person
from rules.models import Clock, ClockState, Rule

from .evaluators import session_counts, session_subjects
from .models import CoHandling, Proposal, ProposalAuthor, Session


def proposal_type() -> ContentType:
    return ContentType.objects.get_for_model(Proposal, for_concrete_model=False)


def with_next_deadline(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate the earliest open clock: its due date (and whether it is provisional), rule id
    and label."""
    open_clocks = Clock.objects.filter(
        content_type=proposal_type(), object_id=OuterRef("pk"), state=ClockState.OPEN
    ).order_by("due", "pk")
    return proposals.annotate(
        next_due=Subquery(open_clocks.values("due")[:1]),
        next_rule=Subquery(open_clocks.values("rule__rule_id")[:1]),
        next_label=Subquery(open_clocks.values("label")[:1]),
        next_provisional=Subquery(open_clocks.values("provisional")[:1]),
    )


def for_list(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a list row shows: session, lead unit, co-handling units, authors, next deadline;
    the items with the nearest deadline first."""
    return (
        with_next_deadline(proposals)
        .select_related("session", "lead_unit")
        .prefetch_related(
            Prefetch("co_handlings", queryset=CoHandling.objects.select_related("unit")),
            Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("person")),
        )
        .order_by(F("next_due").asc(nulls_last=True), "-submitted", "-pk")
    )


def clocks_by_item(proposals: Iterable[Proposal]) -> dict[int, list[Clock]]:
    """Every clock of the given items in one query, by item id, oldest first."""
    ids = [p.pk for p in proposals]
    clocks = (
        Clock.objects.filter(content_type=proposal_type(), object_id__in=ids)
        .select_related("rule")
        .order_by("start", "pk")
    )
    grouped: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        grouped[clock.object_id].append(clock)
    return grouped


@dataclass(frozen=True)
class SessionCount:
    person: Person
    count: int
    short: bool


def quota_rule() -> Rule | None:
    """The active QUOTA rule counting items per session (TY-P4 in the Taoyuan pack)."""
    return (
        Rule.objects.active()
        .filter(kind="QUOTA", period="session")
        .order_by("sort_order", "rule_id")
        .first()
    )


def counts_for_session(session: Session, minimum: int) -> list[SessionCount]:
    """Each deputy / member's items made during the session; those under `minimum` first."""
    counts = session_counts([session])
    subjects = session_subjects([session], counts, ())[session.pk]
    rows = []
    for person in subjects:
        count = counts.get((session.pk, person.pk), 0)
        rows.append(SessionCount(person, count, count < minimum))
    return sorted(rows, key=lambda r: (not r.short, r.count, r.person.code))
