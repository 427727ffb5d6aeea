"""Reads for the "my quotas" page and the supervisor's board: the visit rules measured for one
person (with what is missing and households to visit next) or for everyone in a scope, in a
constant number of queries (visits.measures loads each fact once for the whole set)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from directory.base import split_codes
from directory.models import Household, Person
from rules.compliance import MET, OPEN, SHORT
from rules.models import Rule, RuleKind
from rules.periods import Period
from rules.workdays import UnknownCalendarYear, WorkCalendar, workdays_between

from .evaluators import ALL_RULE_IDS
from .measures import Facts, Need, Progress, _fits, measure, slot_label, subjects_of
from .models import IN_PERSON_KINDS, VisitHousehold


def person_rules() -> list[Rule]:
    """The active visit rules measured per person (the no-meeting week is per county)."""
    return list(
        Rule.objects.active()
        .filter(rule_id__in=ALL_RULE_IDS)
        .exclude(kind=RuleKind.ROSTER)
        .order_by("pack", "sort_order", "rule_id")
    )


def year_view(rows: Sequence[Progress], today: dt.date) -> Progress:
    """A monthly rule seen over the year so far: months kept of months due (a running month
    counts once it is kept), with the missed months named."""
    first = rows[0]
    year = Period.year(first.period.start.year)
    ended = [p for p in rows if p.period.has_ended(today)]
    running = [p for p in rows if p.period.contains(today)]
    due = ended + [p for p in running if p.status == MET]
    kept = [p for p in due if p.status == MET]
    missed = [p for p in ended if p.status != MET]
    view = Progress(
        rule=first.rule,
        subject=first.subject,
        subject_name=first.subject_name,
        period=year,
        required=len(due),
        actual=len(kept),
        status=MET if not missed and year.has_ended(today) else (SHORT if missed else OPEN),
        counts=_("months kept"),
        person_id=first.person_id,
    )
    if missed:
        view.gaps.append(
            _("Missed months: %(months)s.") % {"months": "、".join(p.period.code for p in missed)}
        )
    for p in running:
        if p.status != MET:
            view.gaps.extend(p.gaps)
    return view


def fold_months(rows: Sequence[Progress], today: dt.date) -> list[Progress]:
    """One progress per (person, rule): monthly rules folded into their year view."""
    grouped: dict[tuple[int | None, str], list[Progress]] = defaultdict(list)
    for row in rows:
        grouped[(row.person_id, row.rule.rule_id)].append(row)
    folded = []
    for group in grouped.values():
        folded.append(year_view(group, today) if len(group) > 1 else group[0])
    return folded


@dataclass
class TimeLeft:
    ended: bool
    days: int = 0
    workdays: int | None = None


def time_left(period: Period, today: dt.date, calendar: WorkCalendar) -> TimeLeft:
    if period.has_ended(today):
        return TimeLeft(ended=True)
    start = max(today, period.start)
    try:
        workdays = workdays_between(start - dt.timedelta(days=1), period.end, calendar)
    except UnknownCalendarYear:
        workdays = None
    return TimeLeft(ended=False, days=(period.end - start).days + 1, workdays=workdays)


@dataclass
class Suggestion:
    household: dict
    reasons: list[str] = field(default_factory=list)


def suggest_households(
    person: Person, rows: Sequence[Progress], facts: Facts, limit: int = 12
) -> list[Suggestion]:
    """Households not yet visited this period that would close the gaps: first one for each
    missing household type in a village, then households toward counts still short."""
    needs = [(row, need) for row in rows for need in row.needs]
    if not needs:
        return []
    village_ids = list(dict.fromkeys(need.village_id for _row, need in needs))
    visited = (
        VisitHousehold.objects.live()
        .filter(
            visit__participants__person=person,
            visit__kind__in=IN_PERSON_KINDS,
            visit__date__gte=facts.window.start,
            visit__date__lte=facts.window.end,
        )
        .values("household_id")
    )
    candidates = list(
        Household.objects.filter(village_id__in=village_ids)
        .exclude(pk__in=visited)
        .order_by("village_id", "code")
        .values("pk", "code", "head", "village_id", "village__name", "categories")[:3000]
    )
    by_village: dict[int, list[dict]] = defaultdict(list)
    for household in candidates:
        household["category_set"] = frozenset(split_codes(household["categories"]))
        by_village[household["village_id"]].append(household)
    chosen: dict[int, Suggestion] = {}
    for row, need in sorted(needs, key=lambda item: not item[1].slots):
        _choose(row, need, by_village.get(need.village_id, []), chosen, limit)
        if len(chosen) >= limit:
            break
    return list(chosen.values())


def _choose(
    row: Progress, need: Need, households: list[dict], chosen: dict[int, Suggestion], limit: int
) -> None:
    rule_id = row.rule.rule_id
    for slot in need.slots:
        pick = next(
            (h for h in households if h["pk"] not in chosen and _fits(h["category_set"], slot)),
            None,
        )
        if pick is not None:
            chosen[pick["pk"]] = Suggestion(pick, [f"{rule_id}: {slot_label(slot)}"])
    wanted = min(need.count - len(need.slots), 3) if need.slots else min(need.count, 3)
    for household in households:
        if wanted <= 0 or len(chosen) >= limit:
            return
        if household["pk"] in chosen:
            if rule_id not in " ".join(chosen[household["pk"]].reasons):
                chosen[household["pk"]].reasons.append(rule_id)
            continue
        chosen[household["pk"]] = Suggestion(household, [rule_id])
        wanted -= 1


@dataclass
class PersonQuotas:
    person: Person
    year: int
    rows: list[tuple[Progress, TimeLeft]]
    suggestions: list[Suggestion]


def quotas_for_person(
    person: Person, year: int, today: dt.date, *, suggest: bool = True
) -> PersonQuotas:
    rules = person_rules()
    facts = Facts(Person.objects.filter(pk=person.pk), Period.year(year), today)
    applicable = [r for r in rules if subjects_of(r, facts)]
    rows = fold_months(measure(applicable, facts), today)
    return PersonQuotas(
        person=person,
        year=year,
        rows=[(row, time_left(row.period, today, facts.calendar)) for row in rows],
        suggestions=suggest_households(person, rows, facts) if suggest else [],
    )


@dataclass
class BoardLine:
    person_id: int
    code: str
    name: str
    cells: dict[str, Progress]
    score: float
    behind: int


def board(
    people: QuerySet[Person], year: int, today: dt.date
) -> tuple[list[Rule], list[BoardLine]]:
    """Every person of `people` who is subject to a visit rule, with their progress on each;
    `score` is the mean share done (0–1) and `behind` the number of rules not met."""
    rules = person_rules()
    posts = {post for rule in rules for post in rule.subject_post_list}
    subjects = people.with_post(*posts) if posts else people.none()
    facts = Facts(subjects, Period.year(year), today)
    cells: dict[int, dict[str, Progress]] = defaultdict(dict)
    for row in fold_months(measure(rules, facts), today):
        cells[row.person_id][row.rule.rule_id] = row
    lines = []
    for subject in facts.subjects.values():
        mine = cells.get(subject.pk, {})
        if not mine:
            continue
        score = sum(p.fraction for p in mine.values()) / len(mine)
        behind = sum(1 for p in mine.values() if p.status != MET)
        lines.append(BoardLine(subject.pk, subject.code, subject.name, mine, score, behind))
    return rules, lines
