"""Which duty slots the rules in force ask for, who may fill them, and a fair rotation.

Everything is read from the rule rows: a ROSTER rule's `slot` names the kind of duty, `days`
the days it falls on (every working day, every calendar day, a weekday, …), `part_of_day`
the morning/afternoon/whole day, `per` whether one slot is owed per county, township, unit or
person, and `special_period_days` the days during a declared special protection period. A
QUOTA rule whose activity is a sitting at the bureau (TY-R1) is owed per person per month as
`count` working-day mornings, spread over the month so that leaders do not collide.

Nothing here writes; services.py does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q

from directory.base import codes_regex
from directory.models import OrgUnit, Person, Post, Role, User
from rules.models import Rule, RuleKind
from rules.workdays import WorkCalendar

from .models import (
    DayPart,
    Leave,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    SpecialPeriod,
    parts_overlap,
)

#: a ROSTER rule's `slot` parameter → the kind of reception it books
SLOT_KINDS: dict[str, str] = {
    "reception_centre": ReceptionKind.BUREAU_SITTING,
    "bureau_sitting": ReceptionKind.BUREAU_SITTING,
    "office_day": ReceptionKind.OFFICE_DAY,
    "township_duty": ReceptionKind.TOWNSHIP_DUTY,
    "ab_post": ReceptionKind.AB_POST,
    "hotline": ReceptionKind.HOTLINE,
    "enterprise_day": ReceptionKind.ENTERPRISE_DAY,
}
#: a QUOTA rule's `activity` → the kind of reception booked per person per period
QUOTA_SLOT_KINDS: dict[str, str] = {"bureau_sitting": ReceptionKind.BUREAU_SITTING}
AB_POSTS = ("A", "B")

#: who may sit a duty when its rule names no posts
DEFAULT_POSTS: dict[str, tuple[str, ...]] = {
    ReceptionKind.BUREAU_SITTING: (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER),
    ReceptionKind.TOWNSHIP_DUTY: (
        Post.TOWNSHIP_SECRETARY,
        Post.TOWNSHIP_HEAD,
        Post.TOWNSHIP_LEADER,
    ),
    ReceptionKind.OFFICE_DAY: (Post.UNIT_HEAD, Post.TOWNSHIP_SECRETARY, Post.TOWNSHIP_HEAD),
    ReceptionKind.CASE_VISIT: (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER),
    ReceptionKind.APPOINTMENT: (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER),
    ReceptionKind.HOTLINE: (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER),
    ReceptionKind.ENTERPRISE_DAY: (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER),
}


@dataclass(frozen=True)
class SlotSpec:
    rule: Rule
    date: dt.date
    part: str
    kind: str
    unit: OrgUnit
    post: str = ""
    subject: Person | None = None

    @property
    def key(self) -> str:
        """One physical duty: the same duty owed under two packs' rules is one slot."""
        subject = self.subject.pk if self.subject else ""
        return f"{self.kind}|{self.unit.pk}|{self.date.isoformat()}|{self.post}|{subject}"


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def day_matches(mode: str, day: dt.date, rule: Rule, calendar: WorkCalendar) -> bool:
    if mode == "calendar_day":
        return True
    weekday = rule.param("weekday")
    if mode == "weekday" and weekday is not None and int(weekday) >= 5:
        # A weekend duty (TJ-H1c: every Saturday morning) is owed on that rest day itself,
        # unless it falls in a statutory holiday.
        return day.weekday() == int(weekday) and calendar.day_note(day)[0] != "holiday"
    if not calendar.is_workday(day):
        return False
    if mode == "workday":
        return True
    if mode == "weekday":
        return weekday is not None and day.weekday() == int(weekday)
    if mode == "first_weekday_of_month":
        return weekday is not None and day.weekday() == int(weekday) and day.day <= 7
    return False


def due_days(
    rule: Rule,
    first: dt.date,
    last: dt.date,
    calendar: WorkCalendar,
    special: Sequence[SpecialPeriod] = (),
) -> list[dt.date]:
    """The days of [first, last] on which a ROSTER rule owes a slot."""
    mode = rule.param("days", "workday")
    special_mode = rule.param("special_period_days")
    months = {int(m) for m in rule.param("months", []) or []}
    days = []
    for day in days_between(first, last):
        if months and day.month not in months:
            continue
        in_special = special_mode and any(period.covers(day) for period in special)
        if day_matches(special_mode if in_special else mode, day, rule, calendar):
            days.append(day)
    return days


def county_of(unit: OrgUnit, counties: dict[int, OrgUnit]) -> OrgUnit | None:
    """The county (or district) among `counties` that `unit` lies in."""
    ids = (int(part) for part in unit.path.strip("/").split("/") if part)
    return next((counties[i] for i in ids if i in counties), None)


def petition_office_units() -> list[OrgUnit]:
    unit_ids = (
        User.objects.filter(roles__regex=codes_regex(Role.PETITION_OFFICE), unit__isnull=False)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return list(OrgUnit.objects.filter(pk__in=list(unit_ids)))


def posts_for(rule: Rule | None, kind: str) -> tuple[str, ...]:
    if rule is not None and rule.subject_post_list:
        return tuple(rule.subject_post_list)
    return DEFAULT_POSTS.get(kind, ())


def subject_people(rule: Rule) -> list[Person]:
    posts = rule.subject_post_list
    return (
        list(Person.objects.with_post(*posts).select_related("unit").order_by("code"))
        if posts
        else []
    )


def _months(first: dt.date, last: dt.date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _slot_units(per: str) -> list[OrgUnit]:
    if per == "township":
        return list(OrgUnit.objects.townships().order_by("path"))
    if per == "unit":
        return petition_office_units()
    if per == "city":
        return list(OrgUnit.objects.cities().order_by("path"))
    return list(OrgUnit.objects.counties().order_by("path"))


def _roster_slots(
    rule: Rule,
    first: dt.date,
    last: dt.date,
    calendar: WorkCalendar,
    special: list[SpecialPeriod],
    units: dict[str, list[OrgUnit]] | None = None,
) -> list[SlotSpec]:
    kind = SLOT_KINDS[rule.param("slot")]
    part = rule.param("part_of_day") or DayPart.DAY
    per = rule.param("per", "county")
    days = due_days(rule, first, last, calendar, special)
    posts = AB_POSTS if kind == ReceptionKind.AB_POST else ("",)
    if per == "person":
        return [
            SlotSpec(rule, day, part, kind, person.unit, "", person)
            for person in subject_people(rule)
            for day in days
        ]
    units = {} if units is None else units  # the units of each level, read once per call
    if per not in units:
        units[per] = _slot_units(per)
    return [
        SlotSpec(rule, day, part, kind, unit, post)
        for unit in units[per]
        for day in days
        for post in posts
    ]


def _quota_slots(
    rule: Rule, first: dt.date, last: dt.date, calendar: WorkCalendar
) -> list[SlotSpec]:
    """TY-R1: `count` working-day mornings per person per month, leaders spread over the month."""
    kind = QUOTA_SLOT_KINDS[rule.param("activity")]
    count = int(rule.param("count") or 1)
    people = subject_people(rule)
    counties = {u.pk: u for u in OrgUnit.objects.counties()}
    slots: list[SlotSpec] = []
    for year, month in _months(first, last):
        month_first = dt.date(year, month, 1)
        month_last = (month_first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        workdays = [d for d in days_between(month_first, month_last) if calendar.is_workday(d)]
        if not workdays:
            continue
        for index, person in enumerate(people):
            county = county_of(person.unit, counties)
            for n in range(count):
                position = (index * len(workdays)) // max(len(people), 1)
                day = workdays[(position + n * 7) % len(workdays)]
                if county is not None and first <= day <= last:
                    slots.append(SlotSpec(rule, day, DayPart.AM, kind, county, "", person))
    return slots


def generated_rules() -> list[Rule]:
    """Active rules the roster generates slots for (ROSTER with a known slot, TY-R1-like QUOTA)."""
    rules = (
        Rule.objects.active()
        .filter(Q(kind=RuleKind.ROSTER) | Q(kind=RuleKind.QUOTA))
        .order_by("pack", "sort_order", "rule_id")
    )
    return [
        rule
        for rule in rules
        if (rule.kind == RuleKind.ROSTER and rule.param("slot") in SLOT_KINDS)
        or (rule.kind == RuleKind.QUOTA and rule.param("activity") in QUOTA_SLOT_KINDS)
    ]


def slots_for(
    rules: Iterable[Rule],
    first: dt.date,
    last: dt.date,
    *,
    calendar: WorkCalendar | None = None,
    special: list[SpecialPeriod] | None = None,
    units: dict[str, list[OrgUnit]] | None = None,
) -> list[SlotSpec]:
    """The slots the rules ask for in [first, last], one per physical duty (by key).
    `special` (the special periods overlapping [first, last]) and `units` (a cache of the
    units with slots, by level) let a caller with many rules read them once."""
    calendar = calendar or WorkCalendar()
    if special is None:
        special = list(SpecialPeriod.objects.filter(start__lte=last, end__gte=first))
    units = {} if units is None else units
    seen: dict[str, SlotSpec] = {}
    for rule in rules:
        if rule.kind == RuleKind.ROSTER:
            specs = _roster_slots(rule, first, last, calendar, special, units)
        else:
            specs = _quota_slots(rule, first, last, calendar)
        for spec in specs:
            seen.setdefault(spec.key, spec)
    return sorted(seen.values(), key=lambda s: (s.date, s.kind, s.unit.path, s.post))


# --- who may sit a slot ----------------------------------------------------------------------------


def eligibility_problem(person: Person, reception: Reception) -> str | None:
    """Why `person` may not sit this duty (wrong post or wrong place), or None."""
    from django.utils.translation import gettext as _

    posts = posts_for(reception.rule, reception.kind)
    if reception.subject_id and reception.subject_id != person.pk:
        # a per-person duty may be taken over only by someone holding the same kind of post
        posts = posts or tuple(reception.subject.post_list)
    if posts and not person.has_post(*posts):
        return _("%(name)s does not hold a post this duty needs.") % {"name": person.name}
    if reception.kind in (ReceptionKind.TOWNSHIP_DUTY, ReceptionKind.AB_POST) and not (
        person.unit.path.startswith(reception.unit.path)
    ):
        return _("%(name)s does not belong to %(unit)s.") % {
            "name": person.name,
            "unit": reception.unit.name,
        }
    return None


@dataclass
class Busy:
    """Who is booked or away when, loaded once for a date range (rotation and checks)."""

    booked: dict[tuple[int, dt.date], list[tuple[int, str]]] = field(default_factory=dict)
    leaves: dict[int, list[Leave]] = field(default_factory=dict)

    @classmethod
    def load(cls, people: Iterable[int], first: dt.date, last: dt.date) -> Busy:
        ids = list(set(people))
        busy = cls(defaultdict(list), defaultdict(list))
        rows = (
            Reception.objects.filter(person_id__in=ids, date__gte=first, date__lte=last)
            .exclude(status__in=(ReceptionStatus.EXCUSED, ReceptionStatus.ABSENT))
            .values_list("pk", "person_id", "date", "part")
        )
        for pk, person_id, day, part in rows:
            busy.booked[(person_id, day)].append((pk, part))
        for leave in Leave.objects.filter(person_id__in=ids, start__lte=last, end__gte=first):
            busy.leaves[leave.person_id].append(leave)
        return busy

    def problem(
        self, person: Person, day: dt.date, part: str, exclude_pk: int | None
    ) -> str | None:
        from django.utils.translation import gettext as _

        for leave in self.leaves.get(person.pk, []):
            if leave.start <= day <= leave.end:
                return _("%(name)s is away on %(day)s: %(reason)s.") % {
                    "name": person.name,
                    "day": day,
                    "reason": leave.reason,
                }
        for pk, booked_part in self.booked.get((person.pk, day), []):
            if pk != exclude_pk and parts_overlap(part, booked_part):
                return _("%(name)s is already on another duty on %(day)s.") % {
                    "name": person.name,
                    "day": day,
                }
        return None

    def book(self, person: Person, day: dt.date, part: str, pk: int) -> None:
        self.booked[(person.pk, day)].append((pk, part))


def candidates(reception: Reception, pool: Sequence[Person]) -> list[Person]:
    return [p for p in pool if eligibility_problem(p, reception) is None]


def candidate_pool(receptions: Sequence[Reception]) -> list[Person]:
    """Everyone holding a post some of these duties need (one query)."""
    posts: set[str] = set()
    for reception in receptions:
        posts.update(posts_for(reception.rule, reception.kind))
    if not posts:
        return []
    return list(Person.objects.with_post(*sorted(posts)).select_related("unit").order_by("code"))


@dataclass(frozen=True)
class Proposal:
    reception: Reception
    person: Person | None
    reason: str = ""


def propose_rotation(receptions: Sequence[Reception], *, history_from: dt.date) -> list[Proposal]:
    """Fill empty duties fairly: each goes to the eligible, free person with the fewest duties
    since `history_from` (then by code), counting the proposals already made."""
    from django.utils.translation import gettext as _

    empty = [r for r in receptions if r.person_id is None]
    if not empty:
        return []
    pool = candidate_pool(empty)
    first, last = min(r.date for r in empty), max(r.date for r in empty)
    busy = Busy.load([p.pk for p in pool], first, last)
    load = dict(
        Reception.objects.filter(person__in=pool, date__gte=history_from, date__lte=last)
        .values_list("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    proposals = []
    for reception in sorted(empty, key=lambda r: (r.date, r.kind, r.unit_id, r.post)):
        choices = [
            p
            for p in candidates(reception, pool)
            if busy.problem(p, reception.date, reception.part, reception.pk) is None
        ]
        if not choices:
            proposals.append(Proposal(reception, None, _("No eligible person is free.")))
            continue
        person = min(choices, key=lambda p: (load.get(p.pk, 0), p.code))
        load[person.pk] = load.get(person.pk, 0) + 1
        busy.book(person, reception.date, reception.part, reception.pk)
        proposals.append(Proposal(reception, person))
    return proposals
