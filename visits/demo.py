"""Demo visits: a year of visits of the demo county's leaders, some of them behind.

Idempotent: every demo visit carries a reference `DEMO-V-<n>`; once they exist nothing is
added. The year ends on the demo's reference date (today, clamped into the years the
working-day calendar knows) so that "my quotas" shows a year in progress.

Who is behind: 孙国强 (lingdao, QHX-P004) misses households of one type in 柳湾村 and a few
months in his township; 郑文华 (QHX-P006) has done little; 黄卫东 (shuji, QHX-P101) has few
village-stay days; 陈志刚 (QHX-P002) took too many people along on a village stay."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from directory.base import split_codes
from directory.models import Household, OrgUnit, Person
from rules.models import CalendarYear

from .models import Meeting, Visit, VisitKind
from .services import meeting_save, visit_save

REF = "DEMO-V-"
REASON = "demo"

# person code → how diligent: share of the work they do (1.0 keeps every rule)
DILIGENCE = {
    "QHX-P001": 1.0,
    "QHX-P002": 0.9,
    "QHX-P003": 1.0,
    "QHX-P004": 0.75,
    "QHX-P005": 0.9,
    "QHX-P006": 0.25,
    "QHX-P101": 0.8,
    "QHX-P102": 1.0,
    "QHX-P103": 1.0,
    "QHX-P104": 0.6,
    "QHX-P201": 1.0,
    "QHX-P202": 0.9,
    "QHX-P203": 1.0,
    "QHX-P204": 0.5,
}
TOPICS = [
    "反映村道破损，雨天出行难，希望年内修缮。",
    "询问医保缴费标准和报销比例。",
    "希望增加农技培训，想种植高效经济作物。",
    "反映灌溉水渠堵塞，已联系村委协调清理。",
    "老人独居，子女外出务工，希望多关心。",
    "对今年产业分红满意，盼扩大合作社规模。",
    "咨询孩子上学的资助政策。",
    "反映路灯损坏，夜间照明不足。",
]


def reference_date() -> dt.date:
    """Today, clamped to the last day of the latest year the calendar knows."""
    from directory.timeutil import today

    latest = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    day = today()
    if latest and day.year > latest:
        day = dt.date(latest, 12, 31)
    return day


class _Plan:
    """Deterministic visits for one person over the year that ends on `end`."""

    def __init__(self, person: Person, end: dt.date, rng: random.Random, ctx: dict[str, Any]):
        self.person = person
        self.end = end
        self.start = end - dt.timedelta(days=364)
        self.rng = rng
        self.ctx = ctx
        self.diligence = DILIGENCE.get(person.code, 0.5)
        self.visits: list[dict[str, Any]] = []

    def day(self, month_offset: int, weekday_pick: int = 0) -> dt.date:
        """A weekday in the month `month_offset` months after the start (never after `end`)."""
        month_index = self.start.month - 1 + month_offset
        year, month = self.start.year + month_index // 12, month_index % 12 + 1
        day = dt.date(year, month, 3 + (weekday_pick * 5 + self.rng.randint(0, 4)) % 24)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return min(max(day, self.start), self.end)

    def add(self, kind: str, unit: OrgUnit, day: dt.date, **fields: Any) -> None:
        self.visits.append({"kind": kind, "unit": unit, "date": day, **fields})

    def keeps(self) -> bool:
        return self.rng.random() < self.diligence


def _villages_of(unit: OrgUnit, ctx: dict[str, Any]) -> list[OrgUnit]:
    return [v for v in ctx["villages"] if v.parent_id == unit.pk]


def _household_round(plan: _Plan, village: OrgUnit, day: dt.date, households: list[Household]):
    plan.add(
        VisitKind.HOUSEHOLD,
        village,
        day,
        households=households,
        days=Decimal("0.5"),
        heard=plan.rng.choice(TOPICS),
    )


def _plan_county_leader(plan: _Plan) -> None:
    ctx, person = plan.ctx, plan.person
    townships = ctx["links"].get((person.pk, "linked_township"), [])
    for township in townships:
        villages = _villages_of(township, ctx)
        for index, village in enumerate(villages):
            households = ctx["households"][village.pk]
            mix = _mix(households, skip_other=person.code == "QHX-P004" and index == 1)
            if plan.keeps() or person.code == "QHX-P004":
                _household_round(plan, village, plan.day(2 + index * 3), mix)
        for month in range(12):
            if plan.keeps():
                village = villages[month % len(villages)]
                plan.add(VisitKind.GRASSROOTS, village, plan.day(month, 1), days=Decimal("0.5"))
        # 孙国强 keeps his extra rounds to his first village: 柳湾村 stays without an "other".
        rounds_in = villages[:1] if person.code == "QHX-P004" else villages
        for n in range(10):
            if plan.keeps():
                village = rounds_in[n % len(rounds_in)]
                extra = plan.rng.sample(ctx["households"][village.pk], 3)
                _household_round(plan, village, plan.day(n + 1, 2), extra)
        for n in range(20):
            if plan.keeps():
                plan.add(
                    VisitKind.ENTERPRISE,
                    township,
                    plan.day(n % 12, 3),
                    enterprise=f"{township.name}第{n + 1}号小微企业",
                    days=Decimal("0.5"),
                )
    _plan_common(plan, county=True)


def _mix(households: list[Household], *, skip_other: bool) -> list[Household]:
    """A party member, a monitored or alleviated household and an other household."""

    def first(test: Any) -> Household | None:
        return next((h for h in households if test(set(split_codes(h.categories)))), None)

    chosen = [
        first(lambda c: "party_member" in c),
        first(lambda c: c & {"monitored", "alleviated"}),
    ]
    if not skip_other:
        chosen.append(first(lambda c: not c & {"party_member", "monitored", "alleviated"}))
    return [h for h in dict.fromkeys(chosen) if h is not None]


def _plan_township(plan: _Plan) -> None:
    ctx, person = plan.ctx, plan.person
    own = ctx["units"][person.unit_id]
    linked = ctx["links"].get((person.pk, "linked_village"), [])
    villages = linked if "township_leader" in person.posts else _villages_of(own, ctx)
    for index, village in enumerate(villages):
        households = ctx["households"][village.pk]
        for n in range(0, len(households), 2):
            if plan.keeps():
                pair = households[n : n + 2]
                _household_round(plan, village, plan.day(index * 2 + n // 2, n), pair)
    _plan_common(plan, county=False)


def _plan_common(plan: _Plan, *, county: bool) -> None:
    ctx, person = plan.ctx, plan.person
    home = ctx["links"].get((person.pk, "linked_township"), []) or [ctx["units"][person.unit_id]]
    village = (_villages_of(home[0], ctx) or [home[0]])[0]
    stays = 3 if plan.diligence >= 0.9 else 1
    for n in range(stays):
        entourage = 6 if person.code == "QHX-P002" and n == 0 else plan.rng.randint(1, 3)
        plan.add(
            VisitKind.VILLAGE_STAY,
            village,
            plan.day(3 + n * 3),
            days=Decimal(2),
            entourage=entourage,
            cars=1,
            lodged_with_household=True,
            board_paid=True,
            no_banners=True,
            heard=plan.rng.choice(TOPICS),
        )
    trips = round(14 * plan.diligence)
    for n in range(trips):
        plan.add(VisitKind.RESEARCH, home[0], plan.day(n % 12, 4), days=Decimal(5))
    if plan.keeps():
        plan.add(VisitKind.POLICY_TALK, home[0], plan.day(5), days=Decimal("0.5"))
    if plan.keeps():
        plan.add(VisitKind.EXPERT_TALK, ctx["county"], plan.day(8), days=Decimal("0.5"))
    for point in ctx["links"].get((person.pk, "contact_point"), []):
        for n in range(2 if plan.keeps() else 1):
            plan.add(VisitKind.CONTACT_POINT, point, plan.day(2 + n * 5), days=Decimal("0.5"))
    if county and "county_secretary" in person.posts:
        plan.add(VisitKind.RESEARCH, home[0], plan.day(6), days=Decimal(1), collective=True)


def _context() -> dict[str, Any]:
    from directory.models import Link

    units = {u.pk: u for u in OrgUnit.objects.filter(code__startswith="QHX")}
    villages = [u for u in units.values() if u.kind in ("village", "community")]
    households: dict[int, list[Household]] = {v.pk: [] for v in villages}
    for household in Household.objects.filter(village__in=villages).order_by("code"):
        households[household.village_id].append(household)
    links: dict[tuple[int, str], list[OrgUnit]] = {}
    for link in Link.objects.filter(person__code__startswith="QHX").select_related("unit"):
        links.setdefault((link.person_id, link.kind), []).append(link.unit)
    county = next(u for u in units.values() if u.kind == "county")
    return {
        "units": units,
        "villages": villages,
        "households": households,
        "links": links,
        "county": county,
    }


def _save(plan: _Plan, counter: list[int]) -> int:
    created = 0
    for spec in sorted(plan.visits, key=lambda s: s["date"]):
        counter[0] += 1
        ref = f"{REF}{counter[0]:05d}"
        households = spec.pop("households", [])
        visit = Visit(ref=ref, **spec)
        visit_save(visit=visit, people=[plan.person], households=households, reason=REASON)
        created += 1
    return created


def _meetings(end: dt.date, county: OrgUnit) -> None:
    from .measures import no_meeting_week

    odd = next(m for m in (end.month - 1, end.month - 2, end.month - 3) if m > 0 and m % 2)
    week = no_meeting_week(end.year, odd)
    specs = [
        (week.start + dt.timedelta(days=1), "全县经济运行调度会", "项目调度时间紧，经县委同意召开"),
        (end - dt.timedelta(days=20), "全县信访工作联席会议", ""),
        (end - dt.timedelta(days=50), "县委常委会（扩大）会议", ""),
    ]
    for day, title, reason in specs:
        if not reason and no_meeting_week(day.year, day.month).contains(day):
            day -= dt.timedelta(days=7)  # only the first meeting is meant to be flagged
        if not Meeting.objects.filter(date=day, title=title).exists():
            meeting_save(meeting=Meeting(date=day, title=title, unit=county, reason=reason))


@transaction.atomic
def build(*, stdout: Any) -> list[str]:
    if Visit.all_objects.filter(ref__startswith=REF).exists():
        stdout.write("visits: demo visits already present.\n")
        return []
    ctx = _context()
    end = reference_date()
    rng = random.Random(2025)  # noqa: S311 (demo data, not security)
    counter = [0]
    created = 0
    people = Person.objects.filter(code__in=DILIGENCE).order_by("code")
    for person in people:
        plan = _Plan(person, end, rng, ctx)
        if person.has_post("county_leader", "county_secretary"):
            _plan_county_leader(plan)
        else:
            _plan_township(plan)
        created += _save(plan, counter)
    _meetings(end, ctx["county"])
    stdout.write(f"visits: {created} demo visits created.\n")
    return []
