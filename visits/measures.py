"""Measuring the visit rules: one measurer per rule kind, driven by the rule's parameters.

A measurer turns a rule row and the visit facts of a set of people into `Progress` records —
required, actual, status, and what is still missing in plain words. The compliance evaluators
(visits.evaluators), "my quotas" and the supervisor's board all use them, so a number on a page
is the number in the year-end table.

Facts are loaded by `Facts` in a handful of grouped queries for the whole set of people (each
at most once, on first use), never per person or per rule:

- people and their links (linked township / village, contact points);
- the org tree below the county (townships, villages, villager groups);
- distinct households visited per (person, village, household categories);
- visits per (person, place, kind, month); visits per (person, kind) with summed days;
- field days per person, counted once per date (a round of five households on one day is one
  day, a three-day research trip three); village stays with their discipline facts;
- household counts per village; villager groups reached; meetings (for no-meeting weeks).

Parameters understood (rules/kinds.py declares them):
- QUOTA `activity`: household (distinct households met in person), grassroots (field visits),
  collective_research, or a visit kind (enterprise, policy_talk, expert_talk, …); `count` or
  `by_post`; `qualifiers`: linked_township (only visits in the linked township), half_day.
- COVERAGE `scope` villages / groups / households / contact_points, `within` linked_township /
  own_township / linked_village, `min_households`, `household_mix`, `min_visits`, `percent`.
  A household counts only in its own village. A person without the scope's link has no row.
  In a household mix, "other" is a household with none of the mix's other categories.
- AMOUNT `measure`: stay_days, research_days, grassroots_days, grassroots_share (a share of
  the year's working days, rules.workdays); `minimum`, `by_post` or `by_rank`.
- LIMIT `attribute` / `second_attribute` (entourage, cars) with `max` / `by_post`: per village
  stay; a recorded breach of lodging, board or banners also breaks the limit.
- ROSTER `slot` no_meeting_week: per city or county (`per`), the first week (Monday to Sunday) starting in each
  of `months`; met when no meeting was convened in it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, Greatest, Least
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.base import split_codes
from directory.models import (
    COUNTY_KINDS,
    TOWNSHIP_KINDS,
    Household,
    HouseholdCategory,
    Link,
    LinkKind,
    OrgUnit,
    Person,
    UnitKind,
)
from rules.compliance import MET, OPEN, SHORT, status_for
from rules.models import Rule, RuleKind
from rules.periods import Period, subperiods
from rules.workdays import UnknownCalendarYear, WorkCalendar, workdays_between

from .models import (
    FIELD_KINDS,
    HALF_DAY,
    IN_PERSON_KINDS,
    Meeting,
    VisitHousehold,
    VisitKind,
    VisitPerson,
)

Number = int | Decimal
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
OTHER = "other"


# --- what a measurer returns ---------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """Households still to be visited in a village: `count` of them, or one per slot of
    `slots` (each slot a set of acceptable categories; `exclude` for "other")."""

    village_id: int
    count: int = 0
    slots: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()


@dataclass
class Progress:
    rule: Rule
    subject: str
    subject_name: str
    period: Period
    required: Number
    actual: Number
    status: str
    #: what is counted, in words: "households", "days", "villages" …
    counts: str = ""
    gaps: list[str] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    person_id: int | None = None

    @property
    def fraction(self) -> float:
        if not self.required:
            return 1.0
        return max(0.0, min(1.0, float(self.actual) / float(self.required)))

    @property
    def percent(self) -> int:
        return int(self.fraction * 100)

    @property
    def shortfall(self) -> Number:
        return max(self.required - self.actual, 0)


# --- people, places and facts ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    pk: int
    code: str
    name: str
    kind: str
    path: str
    parent_id: int | None


@dataclass
class Subject:
    pk: int
    code: str
    name: str
    rank: str
    posts: tuple[str, ...]
    unit_id: int
    unit_path: str
    links: dict[str, list[Place]] = field(default_factory=dict)

    def linked(self, kind: str) -> list[Place]:
        return self.links.get(kind, [])


class Facts:
    """The visit facts of a set of people over a window; each loader runs once, on demand."""

    def __init__(
        self, people: QuerySet[Person], window: Period, today: dt.date, *, everyone: bool = False
    ) -> None:
        self.people = people
        #: `people` is every person: the visit queries need no condition on the person (rows
        #: of people outside `subjects` are never read)
        self.everyone = everyone
        self.window = window
        self.today = today
        self.calendar = WorkCalendar.for_batch()

    # people --------------------------------------------------------------------------------
    @cached_property
    def subjects(self) -> dict[int, Subject]:
        rows = self.people.order_by().values_list(
            "pk", "code", "name", "rank", "posts", "unit_id", "unit__path"
        )
        subjects = {
            pk: Subject(pk, code, name, rank, tuple(split_codes(posts)), unit_id, path)
            for pk, code, name, rank, posts, unit_id, path in rows
        }
        links = (
            Link.objects.filter(self._mine("person_id"))
            .values_list(
                "person_id",
                "kind",
                "unit_id",
                "unit__code",
                "unit__name",
                "unit__kind",
                "unit__path",
                "unit__parent_id",
            )
            .order_by("unit__path")
        )
        for person_id, kind, *unit in links:
            if person_id in subjects:
                subjects[person_id].links.setdefault(kind, []).append(Place(*unit))
        return subjects

    def _mine(self, person_path: str) -> Exists | Q:
        """Rows of the people measured. A correlated EXISTS rather than `IN (subquery)`:
        without table statistics SQLite would look up every person for every visit."""
        if self.everyone:
            return Q()
        return Exists(self.people.order_by().filter(pk=OuterRef(person_path)))

    # places --------------------------------------------------------------------------------
    @cached_property
    def places(self) -> dict[int, Place]:
        kinds = (UnitKind.CITY, *COUNTY_KINDS, *TOWNSHIP_KINDS, *VILLAGE_KINDS, UnitKind.GROUP)
        rows = (
            OrgUnit.objects.filter(kind__in=kinds)
            .order_by("path")
            .values_list("pk", "code", "name", "kind", "path", "parent_id")
        )
        return {row[0]: Place(*row) for row in rows}

    @cached_property
    def children(self) -> dict[int | None, list[Place]]:
        result: dict[int | None, list[Place]] = defaultdict(list)
        for place in self.places.values():
            result[place.parent_id].append(place)
        return result

    def villages_of(self, township_id: int) -> list[Place]:
        return [p for p in self.children.get(township_id, []) if p.kind in VILLAGE_KINDS]

    def groups_of(self, township_id: int) -> list[Place]:
        return [
            g
            for v in self.villages_of(township_id)
            for g in self.children.get(v.pk, [])
            if g.kind == UnitKind.GROUP
        ]

    def township_of(self, unit_path: str) -> Place | None:
        for part in unit_path.strip("/").split("/"):
            place = self.places.get(int(part)) if part else None
            if place is not None and place.kind in TOWNSHIP_KINDS:
                return place
        return None

    def jurisdictions(self, level: str) -> list[Place]:
        """The cities (level "city") or the counties and districts (any other level)."""
        kinds = (UnitKind.CITY,) if level == "city" else COUNTY_KINDS
        return [p for p in self.places.values() if p.kind in kinds]

    @cached_property
    def household_totals(self) -> dict[int, int]:
        rows = Household.objects.values_list("village_id").annotate(n=Count("pk")).order_by()
        return dict(rows)

    # visits --------------------------------------------------------------------------------
    def _in_window(self, queryset: QuerySet, *, people: bool = False) -> QuerySet:
        """Rows of visits in the window, by the rows' own (copied) date and the visit's: both
        sides of the join read only the window's rows by index. `people`: household rows
        joined to the visits' people, whose date is bounded too."""
        start, end = self.window.start, self.window.end
        bounds = {"date__gte": start, "date__lte": end}
        if people:
            bounds |= {
                "visit__participants__date__gte": start,
                "visit__participants__date__lte": end,
            }
        return queryset.live().filter(visit__date__gte=start, visit__date__lte=end, **bounds)

    @cached_property
    def households_by_village(self) -> dict[int, dict[int, dict[str, int]]]:
        """person → village → household categories → distinct households visited in person."""
        rows = (
            self._in_window(VisitHousehold.objects, people=True)
            .filter(self._mine("visit__participants__person_id"), visit__kind__in=IN_PERSON_KINDS)
            .values_list(
                "visit__participants__person_id", "household__village_id", "household__categories"
            )
            .annotate(n=Count("household_id", distinct=True))
            .order_by()
        )
        result: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for person_id, village_id, categories, n in rows:
            result[person_id][village_id][categories] = n
        return result

    def households_in(self, person_id: int, village_id: int) -> int:
        return sum(self.households_by_village.get(person_id, {}).get(village_id, {}).values())

    @cached_property
    def groups_reached(self) -> dict[int, dict[int, int]]:
        """person → villager group → visits that reached it (through a household of the group,
        or a visit filed at the group itself without households)."""
        via_households = (
            self._in_window(VisitHousehold.objects, people=True)
            .filter(
                self._mine("visit__participants__person_id"),
                visit__kind__in=IN_PERSON_KINDS,
                household__group_id__isnull=False,
            )
            .values_list("visit__participants__person_id", "household__group_id")
            .annotate(n=Count("visit_id", distinct=True))
            .order_by()
        )
        at_group = (
            self._in_window(VisitPerson.objects)
            .filter(
                self._mine("person_id"),
                visit__kind__in=IN_PERSON_KINDS,
                visit__unit__kind=UnitKind.GROUP,
            )
            # NOT EXISTS by the visit's id (a LEFT JOIN would read every year's households)
            .exclude(Exists(VisitHousehold.objects.filter(visit_id=OuterRef("visit_id"))))
            .values_list("person_id", "visit__unit_id")
            .annotate(n=Count("visit_id"))
            .order_by()
        )
        result: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for rows in (via_households, at_group):
            for person_id, group_id, n in rows:
                result[person_id][group_id] += n
        return result

    @cached_property
    def visits_by_place(self) -> dict[int, list[tuple[str, str, int, int, int]]]:
        """person → [(place path, kind, month, visits, visits of at least half a day)]."""
        rows = (
            self._in_window(VisitPerson.objects)
            .filter(self._mine("person_id"))
            .values_list(
                "person_id", "visit__unit__path", "visit__kind", ExtractMonth("visit__date")
            )
            .annotate(
                n=Count("visit_id"),
                half=Count("visit_id", filter=Q(visit__days__gte=HALF_DAY)),
            )
            .order_by()
        )
        result: dict[int, list[tuple[str, str, int, int, int]]] = defaultdict(list)
        for person_id, path, kind, month, n, half in rows:
            result[person_id].append((path, kind, month, n, half))
        return result

    @cached_property
    def by_kind(self) -> dict[int, dict[str, tuple[int, Decimal, int]]]:
        """person → kind → (visits, days, collective research visits)."""
        rows = (
            self._in_window(VisitPerson.objects)
            .filter(self._mine("person_id"))
            .values_list("person_id", "visit__kind")
            .annotate(
                n=Count("visit_id"),
                days=Sum("visit__days"),
                collective=Count("visit_id", filter=Q(visit__collective=True)),
            )
            .order_by()
        )
        result: dict[int, dict[str, tuple[int, Decimal, int]]] = defaultdict(dict)
        for person_id, kind, n, days, collective in rows:
            result[person_id][kind] = (n, tidy(days), collective)
        return result

    @cached_property
    def day_counts(self) -> dict[int, tuple[Decimal, Decimal]]:
        """person → (research days, field days), each date counted once: on one date the longest
        visit, or the visits' sum up to one day (a round of stops is one day)."""

        def per_date(kinds: Sequence[str]) -> Any:
            condition = Q(visit__kind__in=kinds)
            zero = Value(Decimal(0), output_field=DecimalField(max_digits=6, decimal_places=1))
            one = Value(Decimal(1), output_field=DecimalField(max_digits=6, decimal_places=1))
            longest = Coalesce(Max("visit__days", filter=condition), zero)
            total = Coalesce(Sum("visit__days", filter=condition), zero)
            return Greatest(longest, Least(total, one))

        inner = (
            self._in_window(VisitPerson.objects)
            .filter(self._mine("person_id"), visit__kind__in=FIELD_KINDS)
            .values(p=F("person_id"), d=F("visit__date"))
            .annotate(research=per_date([VisitKind.RESEARCH]), fielddays=per_date(FIELD_KINDS))
            .values("p", "d", "research", "fielddays")
            .order_by()
        )
        sql, params = inner.query.sql_with_params()
        outer = (
            f"SELECT sub.p, SUM(sub.research), SUM(sub.fielddays) FROM ({sql}) sub GROUP BY sub.p"  # noqa: S608 (compiled by the ORM)
        )
        with connection.cursor() as cursor:
            cursor.execute(outer, params)
            return {p: (tidy(r), tidy(f)) for p, r, f in cursor}

    @cached_property
    def stays(self) -> dict[int, list[dict[str, Any]]]:
        rows = (
            self._in_window(VisitPerson.objects)
            .filter(self._mine("person_id"), visit__kind=VisitKind.VILLAGE_STAY)
            .values(
                "person_id",
                "visit_id",
                "visit__date",
                "visit__unit__name",
                "visit__entourage",
                "visit__cars",
                "visit__lodged_with_household",
                "visit__board_paid",
                "visit__no_banners",
            )
            .order_by("visit__date", "visit_id")
        )
        result: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            result[row["person_id"]].append(row)
        return result

    @cached_property
    def meetings(self) -> list[tuple[dt.date, str, str]]:
        rows = Meeting.objects.in_window(self.window.start, self.window.end)
        return list(rows.values_list("date", "unit__path", "title").order_by("date"))

    def workdays(self, period: Period) -> int:
        return workdays_between(
            period.start - dt.timedelta(days=1), period.end, calendar=self.calendar
        )


# --- helpers ---------------------------------------------------------------------------------


def subjects_of(rule: Rule, facts: Facts) -> list[Subject]:
    """The people a rule applies to: the holders of the posts it names (none when it names
    none; a pack names them, see rules.packs)."""
    posts = set(rule.subject_post_list)
    return [s for s in facts.subjects.values() if posts & set(s.posts)]


def required_for(rule: Rule, subject: Subject, base: str) -> Number | None:
    """The threshold for this subject: the largest `by_post` value among their posts, the
    `by_rank` value of their rank, else the rule's `base` parameter."""
    by_post = rule.param("by_post") or {}
    values = [by_post[post] for post in subject.posts if post in by_post]
    if values:
        return max(values)
    by_rank = rule.param("by_rank") or {}
    if subject.rank in by_rank:
        return by_rank[subject.rank]
    return rule.param(base)


def category_label(code: str) -> str:
    return str(dict(HouseholdCategory.choices).get(code, code))


def _periods(rule: Rule, window: Period) -> list[Period]:
    return [
        p
        for p in subperiods(window.start.year, rule.period)
        if p.end >= window.start and p.start <= window.end
    ]


def _progress(
    rule: Rule, subject: Subject, period: Period, required: Number, actual: Number, today: dt.date
) -> Progress:
    return Progress(
        rule=rule,
        subject=subject.code,
        subject_name=subject.name,
        period=period,
        required=required,
        actual=actual,
        status=status_for(required, actual, period, today),
        person_id=subject.pk,
    )


def _in_any(path: str, places: Iterable[Place]) -> bool:
    return any(path.startswith(place.path) for place in places)


def _days(value: Number) -> str:
    return f"{Decimal(value).normalize():f}"


def tidy(value: Any) -> Decimal:
    """Days as the same Decimal on every database: 6 rather than 6.0, 74.5 as such."""
    number = Decimal(str(value or 0))
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.quantize(Decimal("0.1"))


# --- household mixes ---------------------------------------------------------------------------


def mix_slots(mix: Sequence[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Each slot as (categories that fill it, categories that keep a household out of it):
    "a|b" is filled by either; "other" by a household with none of the mix's other categories."""
    named = {c for item in mix for c in item.split("|") if c != OTHER}
    slots = []
    for item in mix:
        alternatives = frozenset(item.split("|"))
        if alternatives == {OTHER}:
            slots.append((frozenset(), frozenset(named)))
        else:
            slots.append((alternatives, frozenset()))
    return slots


def _fits(categories: frozenset[str], slot: tuple[frozenset[str], frozenset[str]]) -> bool:
    wanted, excluded = slot
    if wanted:
        return bool(categories & wanted)
    return not categories & excluded


def missing_slots(
    slots: Sequence[tuple[frozenset[str], frozenset[str]]], visited: dict[str, int]
) -> list[int]:
    """Indexes of the slots left empty by the best assignment of distinct visited households
    (households grouped by their categories, with counts) to slots."""
    households: list[frozenset[str]] = []
    for categories, n in visited.items():
        households.extend([frozenset(split_codes(categories))] * min(n, len(slots)))
    best: list[int] = list(range(len(slots)))

    def assign(index: int, used: frozenset[int], empty: list[int]) -> None:
        nonlocal best
        if len(empty) >= len(best):
            return
        if index == len(slots):
            best = list(empty)
            return
        for h, categories in enumerate(households):
            if h not in used and _fits(categories, slots[index]):
                assign(index + 1, used | {h}, empty)
        assign(index + 1, used, [*empty, index])

    assign(0, frozenset(), [])
    return best


def slot_label(slot: tuple[frozenset[str], frozenset[str]]) -> str:
    wanted, _excluded = slot
    if not wanted:
        return _("another household")
    return _(" or ").join(category_label(c) for c in sorted(wanted))


# --- QUOTA -------------------------------------------------------------------------------------


def _quota_actual(rule: Rule, subject: Subject, facts: Facts, period: Period) -> int | None:
    activity = rule.param("activity")
    qualifiers = set(rule.param("qualifiers") or [])
    if activity == "household":
        return sum(
            sum(by_cats.values())
            for by_cats in facts.households_by_village.get(subject.pk, {}).values()
        )
    if activity == "collective_research":
        return facts.by_kind.get(subject.pk, {}).get(VisitKind.RESEARCH, (0, 0, 0))[2]
    kinds = FIELD_KINDS if activity == "grassroots" else (activity,)
    if activity not in VisitKind.values and activity != "grassroots":
        return None
    townships = subject.linked(LinkKind.LINKED_TOWNSHIP)
    if "linked_township" in qualifiers and not townships:
        return None  # the rule does not apply to a leader without a linked township
    months = set(range(period.start.month, period.end.month + 1))
    total = 0
    for path, kind, month, n, half in facts.visits_by_place.get(subject.pk, []):
        if kind not in kinds or month not in months:
            continue
        if "linked_township" in qualifiers and not _in_any(path, townships):
            continue
        total += half if "half_day" in qualifiers else n
    return total


def measure_quota(rule: Rule, facts: Facts, subjects: Sequence[Subject]) -> list[Progress]:
    rows = []
    for subject in subjects:
        required = required_for(rule, subject, "count")
        if required is None:
            continue
        for period in _periods(rule, facts.window):
            actual = _quota_actual(rule, subject, facts, period)
            if actual is None:
                break
            progress = _progress(rule, subject, period, required, actual, facts.today)
            _quota_gaps(rule, subject, facts, progress)
            rows.append(progress)
    return rows


QUOTA_COUNTS: dict[str, Callable[[], str]] = {
    "household": lambda: _("households"),
    "grassroots": lambda: _("half days in the linked township"),
    "enterprise": lambda: _("enterprise visits"),
    "policy_talk": lambda: _("policy interactions"),
    "expert_talk": lambda: _("talks"),
    "collective_research": lambda: _("collective research"),
}


def _quota_gaps(rule: Rule, subject: Subject, facts: Facts, progress: Progress) -> None:
    activity = rule.param("activity")
    progress.counts = QUOTA_COUNTS.get(activity, lambda: _("visits"))()
    short = int(progress.shortfall)
    if not short:
        return
    if activity == "household":
        progress.gaps.append(
            ngettext("%(n)d more household to visit.", "%(n)d more households to visit.", short)
            % {"n": short}
        )
        villages = _linked_villages(subject, facts)
        if villages:
            progress.needs.append(Need(village_id=villages[0].pk, count=short))
            progress.needs.extend(Need(village_id=v.pk, count=short) for v in villages[1:])
    elif activity == "grassroots":
        names = "、".join(p.name for p in subject.linked(LinkKind.LINKED_TOWNSHIP))
        progress.gaps.append(
            _("No half day in %(township)s yet in this period.") % {"township": names}
        )
    else:
        progress.gaps.append(
            ngettext("%(n)d more to do.", "%(n)d more to do.", short) % {"n": short}
        )


def _linked_villages(subject: Subject, facts: Facts) -> list[Place]:
    """Villages a leader is expected to visit: linked villages, then the villages of linked
    townships, then the villages of their own township."""
    villages = list(subject.linked(LinkKind.LINKED_VILLAGE))
    for township in subject.linked(LinkKind.LINKED_TOWNSHIP):
        villages.extend(facts.villages_of(township.pk))
    if not villages:
        own = facts.township_of(subject.unit_path)
        if own is not None:
            villages = facts.villages_of(own.pk)
    return list({v.pk: v for v in villages}.values())


# --- COVERAGE ----------------------------------------------------------------------------------


def _scope_area(rule: Rule, subject: Subject, facts: Facts) -> list[Place] | None:
    """The townships or villages the scope lies within; None when the subject has no such
    link (the rule does not apply to them: no row rather than a failing one)."""
    within = rule.param("within")
    if within == "linked_township":
        places = subject.linked(LinkKind.LINKED_TOWNSHIP)
    elif within == "linked_village":
        places = subject.linked(LinkKind.LINKED_VILLAGE)
    elif within == "own_township":
        own = facts.township_of(subject.unit_path)
        places = [own] if own else []
    else:
        places = []
    return places or None


def measure_coverage(rule: Rule, facts: Facts, subjects: Sequence[Subject]) -> list[Progress]:
    scope = rule.param("scope")
    measurer = {
        "villages": _cover_villages,
        "groups": _cover_groups,
        "households": _cover_households,
        "contact_points": _cover_contact_points,
    }.get(scope)
    if measurer is None:
        return []
    rows = []
    for subject in subjects:
        for period in _periods(rule, facts.window):
            progress = measurer(rule, subject, facts, period)
            if progress is not None:
                rows.append(progress)
    return rows


def _cover_villages(rule: Rule, subject: Subject, facts: Facts, period: Period) -> Progress | None:
    area = _scope_area(rule, subject, facts)
    if area is None:
        return None
    villages = [v for township in area for v in facts.villages_of(township.pk)]
    minimum = rule.param("min_households") or 1
    slots = mix_slots(rule.param("household_mix") or [])
    visited = facts.households_by_village.get(subject.pk, {})
    gaps: list[str] = []
    needs: list[Need] = []
    met = 0
    for village in villages:
        by_cats = visited.get(village.pk, {})
        count = sum(by_cats.values())
        empty = missing_slots(slots, by_cats) if slots else []
        if count >= minimum and not empty:
            met += 1
            continue
        gaps.append(_village_gap(village, count, minimum, [slots[i] for i in empty]))
        needs.append(
            Need(
                village_id=village.pk,
                count=max(minimum - count, len(empty)),
                slots=tuple(slots[i] for i in empty),
            )
        )
    progress = _progress(rule, subject, period, len(villages), met, facts.today)
    progress.counts, progress.gaps, progress.needs = _("villages"), gaps, needs
    return progress


def _village_gap(village: Place, count: int, minimum: int, empty: list[Any]) -> str:
    values = {
        "village": village.name,
        "count": count,
        "n": minimum,
        "types": "、".join(slot_label(s) for s in empty),
    }
    if count == 0 and empty:
        text = _("%(village)s: not visited yet (%(n)d households needed); missing: %(types)s.")
    elif count == 0:
        text = _("%(village)s: not visited yet (%(n)d households needed).")
    elif empty:
        text = _("%(village)s: %(count)d of %(n)d households visited; missing: %(types)s.")
    else:
        text = _("%(village)s: %(count)d of %(n)d households visited.")
    return text % values


def _cover_groups(rule: Rule, subject: Subject, facts: Facts, period: Period) -> Progress | None:
    area = _scope_area(rule, subject, facts)
    if area is None:
        return None
    groups = [g for township in area for g in facts.groups_of(township.pk)]
    minimum = rule.param("min_visits") or 1
    reached = facts.groups_reached.get(subject.pk, {})
    missing = [g for g in groups if reached.get(g.pk, 0) < minimum]
    progress = _progress(
        rule, subject, period, len(groups), len(groups) - len(missing), facts.today
    )
    progress.counts = _("villager groups")
    if missing:
        progress.gaps.append(
            _("Villager groups not yet visited: %(names)s.")
            % {"names": "、".join(g.name for g in missing)}
        )
        for village_id in dict.fromkeys(g.parent_id for g in missing if g.parent_id):
            progress.needs.append(Need(village_id=village_id, count=1))
    return progress


def _cover_households(
    rule: Rule, subject: Subject, facts: Facts, period: Period
) -> Progress | None:
    area = _scope_area(rule, subject, facts)
    if area is None:
        return None
    villages = [p for p in area if p.kind in VILLAGE_KINDS] or [
        v for township in area for v in facts.villages_of(township.pk)
    ]
    percent = Decimal(str(rule.param("percent") or 100))
    total = sum(facts.household_totals.get(v.pk, 0) for v in villages)
    required = math.ceil(Decimal(total) * percent / 100)
    actual = sum(facts.households_in(subject.pk, v.pk) for v in villages)
    progress = _progress(rule, subject, period, required, actual, facts.today)
    progress.counts = _("households")
    for village in villages:
        here_total = facts.household_totals.get(village.pk, 0)
        here = facts.households_in(subject.pk, village.pk)
        here_required = math.ceil(Decimal(here_total) * percent / 100)
        if here < here_required:
            progress.gaps.append(
                _(
                    "%(village)s: %(count)d of %(total)d households visited, %(more)d more "
                    "to reach %(percent)s%%."
                )
                % {
                    "village": village.name,
                    "count": here,
                    "total": here_total,
                    "more": here_required - here,
                    "percent": _days(percent),
                }
            )
            progress.needs.append(Need(village_id=village.pk, count=here_required - here))
    return progress


def _cover_contact_points(
    rule: Rule, subject: Subject, facts: Facts, period: Period
) -> Progress | None:
    points = subject.linked(LinkKind.CONTACT_POINT)
    if not points:
        return None
    minimum = rule.param("min_visits") or 1
    activities = set(rule.param("activities") or IN_PERSON_KINDS)
    months = set(range(period.start.month, period.end.month + 1))
    gaps = []
    met = 0
    for point in points:
        n = sum(
            count
            for path, kind, month, count, _half in facts.visits_by_place.get(subject.pk, [])
            if kind in activities and month in months and path.startswith(point.path)
        )
        if n >= minimum:
            met += 1
        else:
            gaps.append(
                _("%(point)s: visited %(n)d of %(min)d times.")
                % {"point": point.name, "n": n, "min": minimum}
            )
    progress = _progress(rule, subject, period, len(points), met, facts.today)
    progress.counts, progress.gaps = _("contact points"), gaps
    return progress


# --- AMOUNT ------------------------------------------------------------------------------------


def _amount_actual(measure: str, subject: Subject, facts: Facts) -> Decimal | None:
    if measure == "stay_days":
        return facts.by_kind.get(subject.pk, {}).get(VisitKind.VILLAGE_STAY, (0, Decimal(0), 0))[1]
    research, field_days = facts.day_counts.get(subject.pk, (Decimal(0), Decimal(0)))
    if measure == "research_days":
        return research
    if measure in ("grassroots_days", "grassroots_share"):
        return field_days
    return None


def _round_up_half(value: Decimal) -> Decimal:
    return (value * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def measure_amount(rule: Rule, facts: Facts, subjects: Sequence[Subject]) -> list[Progress]:
    measure = rule.param("measure")
    rows = []
    for period in _periods(rule, facts.window):
        workdays = None
        if measure == "grassroots_share":
            try:
                workdays = facts.workdays(period)
            except UnknownCalendarYear:
                return []  # no share of an unknown year's working days; the calendar page says so
        for subject in subjects:
            minimum = required_for(rule, subject, "minimum")
            actual = _amount_actual(measure, subject, facts)
            if minimum is None or actual is None:
                continue
            required = Decimal(str(minimum))
            if workdays is not None:
                required = _round_up_half(required * workdays)
            required = tidy(required)
            progress = _progress(rule, subject, period, required, actual, facts.today)
            progress.counts = _("days")
            if progress.shortfall:
                progress.gaps.append(
                    _("%(days)s days short.") % {"days": _days(progress.shortfall)}
                )
                if workdays is not None:
                    progress.gaps.append(
                        _(
                            "%(workdays)d working days this year; the rule asks for %(share)s of them."
                        )
                        % {"workdays": workdays, "share": _days(Decimal(str(minimum)))}
                    )
            rows.append(progress)
    return rows


# --- LIMIT -------------------------------------------------------------------------------------


def _limit_for(rule: Rule, subject: Subject, by_post_name: str, max_name: str) -> int | None:
    by_post = rule.param(by_post_name) or {}
    values = [by_post[post] for post in subject.posts if post in by_post]
    return max(values) if values else rule.param(max_name)


def measure_limit(rule: Rule, facts: Facts, subjects: Sequence[Subject]) -> list[Progress]:
    """Per person per year: village stays within the limits, of all stays (a person without a
    stay has no row). A breach cannot be undone, so a breached year is short at once."""
    limits = [
        (rule.param("attribute"), "by_post", "max"),
        (rule.param("second_attribute"), "second_by_post", "second_max"),
    ]
    rows = []
    period = Period.year(facts.window.start.year)
    for subject in subjects:
        stays = facts.stays.get(subject.pk, [])
        if not stays:
            continue
        gaps = []
        within = 0
        for stay in stays:
            problems = []
            for attribute, by_post, max_name in limits:
                if not attribute:
                    continue
                limit = _limit_for(rule, subject, by_post, max_name)
                value = stay.get(f"visit__{attribute}")
                if limit is not None and value is not None and value > limit:
                    problems.append(
                        _("%(attribute)s %(value)d (limit %(limit)d)")
                        % {"attribute": _limit_label(attribute), "value": value, "limit": limit}
                    )
            problems.extend(_stay_breaches(stay))
            if problems:
                gaps.append(
                    _("Stay of %(date)s at %(place)s: %(problems)s.")
                    % {
                        "date": stay["visit__date"].isoformat(),
                        "place": stay["visit__unit__name"],
                        "problems": "；".join(problems),
                    }
                )
            else:
                within += 1
        progress = _progress(rule, subject, period, len(stays), within, facts.today)
        if within < len(stays):
            progress.status = SHORT
        progress.counts, progress.gaps = _("village stays within the limits"), gaps
        rows.append(progress)
    return rows


def _limit_label(attribute: str) -> str:
    return {"entourage": _("people travelling along"), "cars": _("cars")}.get(attribute, attribute)


def _stay_breaches(stay: dict[str, Any]) -> list[str]:
    labels = {
        "visit__lodged_with_household": _("not lodged in an ordinary home"),
        "visit__board_paid": _("board and lodging not paid"),
        "visit__no_banners": _("welcome banners put up"),
    }
    return [label for key, label in labels.items() if stay.get(key) is False]


# --- ROSTER ------------------------------------------------------------------------------------


def no_meeting_week(year: int, month: int) -> Period:
    """The first Monday-to-Sunday week that starts in the month."""
    first = dt.date(year, month, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return Period.week(*monday.isocalendar()[:2])


def no_meeting_weeks(rule: Rule | None, year: int) -> list[Period]:
    if rule is None or rule.param("slot") != "no_meeting_week":
        return []
    return [no_meeting_week(year, int(month)) for month in rule.param("months") or []]


def measure_roster(rule: Rule, facts: Facts, subjects: Sequence[Subject]) -> list[Progress]:
    """HF-V6: per city (or county, as the rule's `per` says) and no-meeting week, met when no
    meeting of its units fell in it; a week not yet over without a meeting is open, a meeting
    booked in it makes it short."""
    weeks = [
        w for w in no_meeting_weeks(rule, facts.window.start.year) if facts.window.contains(w.start)
    ]
    rows = []
    for county in facts.jurisdictions(rule.param("per") or "county"):
        # A county in a city keeps its own weeks: its meetings are not the city's.
        inner = [
            p.path
            for p in facts.jurisdictions("county")
            if p.path != county.path and p.path.startswith(county.path)
        ]
        for week in weeks:
            booked = [
                (day, title)
                for day, path, title in facts.meetings
                if week.contains(day)
                and path.startswith(county.path)
                and not any(path.startswith(prefix) for prefix in inner)
            ]
            actual = 0 if booked or not week.has_ended(facts.today) else 1
            status = SHORT if booked else (MET if actual else OPEN)
            gaps = [
                _("Meeting on %(date)s: %(title)s.") % {"date": day.isoformat(), "title": title}
                for day, title in booked
            ]
            rows.append(
                Progress(
                    rule=rule,
                    subject=county.code,
                    subject_name=county.name,
                    period=week,
                    required=1,
                    actual=actual,
                    status=status,
                    counts=_("no-meeting weeks kept"),
                    gaps=gaps,
                )
            )
    return rows


# --- dispatch ----------------------------------------------------------------------------------

MEASURERS: dict[str, Callable[[Rule, Facts, Sequence[Subject]], list[Progress]]] = {
    RuleKind.QUOTA: measure_quota,
    RuleKind.COVERAGE: measure_coverage,
    RuleKind.AMOUNT: measure_amount,
    RuleKind.LIMIT: measure_limit,
    RuleKind.ROSTER: measure_roster,
}


def measure(rules: Iterable[Rule], facts: Facts) -> list[Progress]:
    rows: list[Progress] = []
    for rule in rules:
        measurer = MEASURERS.get(rule.kind)
        if measurer is not None:
            rows.extend(measurer(rule, facts, subjects_of(rule, facts)))
    return rows
