"""Demo pairings, contact, four-musts events, aid, problems and analyses for the demo county.

Idempotent: everything is built in one transaction, and nothing is added once the demo's
pairings (note DEMO_NOTE) exist. The year of activity ends on the demo's reference date
(today, clamped into the years the working-day calendar knows).

Who is behind: 冯磊 (shiqiao, QHX-P205) has not visited anyone for three months, so his
"my households" lists overdue households and a disaster visit is overdue; 高峰 (chengguan,
QHX-P105) is diligent but one monitored household has waited two months; 曹丽 (QHX-P206)
visits every other period and gives little aid; 罗静 (QHX-P104) has no village pairing;
three county bodies pair with no grassroots unit; 石桥乡 skipped monthly analyses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from directory.base import split_codes
from directory.models import Household, OrgUnit, Person
from rules.models import CalendarYear
from rules.workdays import UnknownCalendarYear, WorkCalendar, add_workdays
from visits.models import Visit, VisitKind
from visits.services import visit_save

from .models import (
    AidKind,
    AnalysisLevel,
    EventKind,
    Festival,
    Pairing,
    PairingKind,
    Problem,
    UnitPairing,
)
from .rhythm import next_period, period_of, rhythms
from .services import (
    aid_correct,
    aid_record,
    analysis_record,
    event_record,
    festival_events_open,
    four_musts_sync,
    pairing_hand_over,
    pairing_save,
    problem_close,
    problem_save,
    unit_pairing_save,
    village_event_record,
)

DEMO_NOTE = "demo"
REF = "DEMO-A-"
# village code → (village cadre, township cadre for its grid, township cadre for monitored,
# township cadre for alleviated)
VILLAGES = {
    "QHX-CGZ-NG": ("QHX-P301", "QHX-P105", "QHX-P105", "QHX-P106"),
    "QHX-CGZ-DJ": ("QHX-P302", "QHX-P106", "QHX-P105", "QHX-P106"),
    "QHX-SQX-SQ": ("QHX-P303", "QHX-P205", "QHX-P205", "QHX-P206"),
    "QHX-SQX-LW": ("QHX-P304", "QHX-P206", "QHX-P205", "QHX-P206"),
}
URBAN_LEADERS = ("QHX-P004", "QHX-P001")
COUNTY_LEADER_VILLAGES = {
    "QHX-P001": "QHX-CGZ-NG",
    "QHX-P002": "QHX-SQX-LW",
    "QHX-P003": "QHX-CGZ-DJ",
    "QHX-P004": "QHX-SQX-SQ",
    "QHX-P005": "QHX-CGZ-NG",
    "QHX-P006": "QHX-SQX-LW",
}
BODIES = {"QHX-JYJ": "QHX-SQX-LW", "QHX-ZJJ": "QHX-SQX-SQ", "QHX-XFJ": "QHX-CGZ-NG"}
# person code → (periods skipped out of every N, months before the reference date not visited)
BEHIND = {"QHX-P205": (0, 3), "QHX-P206": (2, 0), "QHX-P104": (2, 0)}
HEARD = [
    "家中老人腿脚不便，希望帮助申请康复辅具。",
    "今年种植的柑橘销路不错，希望继续提供技术指导。",
    "孩子读高中，询问助学政策。",
    "反映屋后排水沟堵塞，雨天积水。",
    "医保报销比例已问清楚，表示满意。",
    "外出务工的儿子想回乡创业，咨询贷款政策。",
]


def reference_date() -> dt.date:
    """Today, clamped to the last day of the latest year the calendar knows."""
    from directory.timeutil import today

    latest = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    day = today()
    if latest and day.year > latest:
        day = dt.date(latest, 12, 31)
    return day


def _weekday(day: dt.date, end: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return min(day, end)


def _safe_start(day: dt.date, calendar: WorkCalendar) -> dt.date:
    """A day whose 3-working-day clock stays inside the years the calendar knows."""
    for _attempt in range(10):
        try:
            add_workdays(day, 3, calendar)
            return day
        except UnknownCalendarYear:
            day -= dt.timedelta(days=7)
    return day


class _Builder:
    def __init__(self, end: dt.date, stdout: Any) -> None:
        self.end = end
        self.start = dt.date(end.year - 1, end.month, 1)  # a year of activity
        self.stdout = stdout
        self.people = {p.code: p for p in Person.objects.filter(code__startswith="QHX")}
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="QHX")}
        self.calendar = WorkCalendar()
        self.visits = 0
        self.pairings: list[Pairing] = []

    def households(self, village_code: str) -> list[Household]:
        return list(Household.objects.filter(village=self.units[village_code]).order_by("code"))

    # --- pairings -------------------------------------------------------------------------

    def pair(self, person_code: str, household: Household, kind: str) -> Pairing | None:
        person = self.people.get(person_code)
        if person is None or any(
            p.person_id == person.pk and p.household_id == household.pk for p in self.pairings
        ):
            return None  # one pairing per person and household: a household is listed once
        pairing = Pairing(
            person=person, household=household, kind=kind, start=self.start, note=DEMO_NOTE
        )
        pairing_save(pairing=pairing, reason="demo")
        self.pairings.append(pairing)
        return pairing

    def grid(self, person_code: str, households: list[Household], rotate: int) -> None:
        """1+1+n: a centre household (a party member if any) and five radiated households
        including a vulnerable and a petitioner household where the village has them."""
        ordered = households[rotate:] + households[:rotate]

        def has(h: Household, category: str) -> bool:
            return category in split_codes(h.categories)

        centre = next((h for h in ordered if has(h, "party_member")), ordered[0])
        rest = [h for h in ordered if h != centre]
        radiated = [
            h
            for h in (
                next((h for h in rest if has(h, "vulnerable")), None),
                next((h for h in rest if has(h, "petitioner")), None),
            )
            if h
        ]
        radiated += [h for h in rest if h not in radiated][: 5 - len(radiated)]
        self.pair(person_code, centre, PairingKind.CENTRE)
        for household in radiated:
            self.pair(person_code, household, PairingKind.RADIATED)

    def build_pairings(self) -> None:
        urban = 0  # urban hardship households go to the county leaders in turn
        for index, (village, (village_cadre, grid_cadre, monitored, alleviated)) in enumerate(
            VILLAGES.items()
        ):
            households = self.households(village)
            # the households a cadre helps as monitored or alleviated stay out of the cadre's
            # grid: one person pairs with a household once
            helped = {
                code: {
                    h.pk
                    for h in households
                    if (code == monitored and "monitored" in split_codes(h.categories))
                    or (code == alleviated and "alleviated" in split_codes(h.categories))
                }
                for code in (village_cadre, grid_cadre)
            }
            self.grid(
                village_cadre, [h for h in households if h.pk not in helped[village_cadre]], 0
            )
            self.grid(
                grid_cadre, [h for h in households if h.pk not in helped[grid_cadre]], 3 + index
            )
            for household in households:
                categories = split_codes(household.categories)
                if "monitored" in categories:
                    self.pair(monitored, household, PairingKind.MONITORED)
                if "alleviated" in categories:
                    self.pair(alleviated, household, PairingKind.ALLEVIATED)
                if "urban_hardship" in categories:
                    leader = URBAN_LEADERS[urban % len(URBAN_LEADERS)]
                    self.pair(leader, household, PairingKind.URBAN_HARDSHIP)
                    urban += 1
        self._leaders_hardship()

    def _leaders_hardship(self) -> None:
        """Township leaders each help a household in hardship of their linked village (HF-A1b);
        the party secretary of 城关镇 (shuji) among them."""
        for person_code, village, kind in (
            ("QHX-P101", "QHX-CGZ-NG", PairingKind.MONITORED),
            ("QHX-P103", "QHX-CGZ-NG", PairingKind.ALLEVIATED),
            ("QHX-P203", "QHX-SQX-LW", PairingKind.ALLEVIATED),
        ):
            household = next(
                (h for h in self.households(village) if kind in split_codes(h.categories)), None
            )
            if household is not None:
                self.pair(person_code, household, kind)

    def build_unit_pairings(self) -> None:
        pairs = [(self.people.get(p), None, v) for p, v in COUNTY_LEADER_VILLAGES.items()]
        for code in ("QHX-P101", "QHX-P102", "QHX-P103", "QHX-P201", "QHX-P202", "QHX-P203"):
            pairs.append((self.people.get(code), None, self._linked_village(code)))
        pairs += [(None, self.units.get(body), village) for body, village in BODIES.items()]
        for person, body, village in pairs:
            if (person is None and body is None) or village is None:
                continue
            pairing = UnitPairing(
                person=person, body=body, unit=self.units[village], start=self.start
            )
            unit_pairing_save(pairing=pairing, reason="demo")

    def _linked_village(self, code: str) -> str | None:
        from directory.models import Link

        link = (
            Link.objects.filter(person__code=code, kind="linked_village")
            .select_related("unit")
            .first()
        )
        return link.unit.code if link else None

    # --- contact ------------------------------------------------------------------------------

    def visit(self, person: Person, household: Household, day: dt.date, kind: str) -> None:
        self.visits += 1
        visit = Visit(
            date=day,
            kind=kind,
            unit=household.village,
            heard=HEARD[self.visits % len(HEARD)],
            ref=f"{REF}{self.visits:05d}",
        )
        visit_save(visit=visit, people=[person], households=[household], reason="demo")

    def build_contact(self) -> None:
        by_kind = rhythms()
        for pairing in self.pairings:
            rhythm = by_kind[pairing.kind]
            skip_every, quiet_months = BEHIND.get(pairing.person.code, (0, 0))
            quiet_from = self.end - dt.timedelta(days=30 * quiet_months) if quiet_months else None
            period = period_of(pairing.start, rhythm.period)
            index = 0
            while period.start <= self.end:
                index += 1
                day = _weekday(period.start + dt.timedelta(days=4 + pairing.pk % 17), self.end)
                skipped = skip_every and index % skip_every == 0
                quiet = quiet_from is not None and day >= quiet_from
                if self._waits(pairing, day):
                    quiet = True
                if not skipped and not quiet and day >= pairing.start and day < self.end:
                    call = rhythm.calls_count and index % 2 == 0
                    self.visit(
                        pairing.person, pairing.household, day, "call" if call else "household"
                    )
                period = next_period(period, rhythm.period)

    def _waits(self, pairing: Pairing, day: dt.date) -> bool:
        """高峰's first monitored household has waited since two months."""
        first = next(
            (p for p in self.pairings if p.person.code == "QHX-P105" and p.kind == "monitored"),
            None,
        )
        return pairing is first and day >= self.end - dt.timedelta(days=55)

    # --- four musts, aid, problems, analyses ------------------------------------------------------

    def build_events(self) -> None:
        disaster_day = _safe_start(
            _weekday(self.end - dt.timedelta(days=6), self.end), self.calendar
        )
        village_event_record(
            village=self.units["QHX-SQX-LW"],
            kind=EventKind.DISASTER,
            date=disaster_day,
            note="连日暴雨，部分农户房屋受损",
        )
        in_village = [p for p in self.pairings if p.household.village.code == "QHX-SQX-LW"]
        # 冯磊 has not been to one of his households yet: that visit is overdue
        missed = next((p for p in in_village if p.person.code == "QHX-P205"), None)
        for pairing in in_village:
            if pairing is not missed:
                self.visit(pairing.person, pairing.household, disaster_day, VisitKind.HOUSEHOLD)
        illness_day = _safe_start(
            _weekday(self.end - dt.timedelta(days=60), self.end), self.calendar
        )
        target = next(p for p in self.pairings if p.person.code == "QHX-P301")
        event_record(
            household=target.household,
            kind=EventKind.ILLNESS,
            date=illness_day,
            note="户主突发脑梗住院",
        )
        self.visit(
            target.person, target.household, illness_day + dt.timedelta(days=1), VisitKind.HOUSEHOLD
        )
        self._spring_festival()
        people = {p.person_id for p in self.pairings}
        four_musts_sync(person_ids=people, household_ids={p.household_id for p in self.pairings})

    def _spring_festival(self) -> None:
        from .festivals import spring_festival

        day = spring_festival(self.end.year)
        if day is None or not (self.start <= day - dt.timedelta(days=6) <= self.end):
            return
        job_day = day - dt.timedelta(days=6)
        festival_events_open(today=job_day)
        for pairing in self.pairings:
            if pairing.person.code not in BEHIND and pairing.kind in ("monitored", "alleviated"):
                self.visit(
                    pairing.person,
                    pairing.household,
                    job_day + dt.timedelta(days=1),
                    VisitKind.HOUSEHOLD,
                )

    def build_aid(self) -> None:
        year_start = dt.date(self.end.year, 1, 1)
        day = max(year_start, self.start) + dt.timedelta(days=40)
        given: set[str] = set()
        for pairing in self.pairings:
            code = pairing.person.code
            if code in given or pairing.kind == PairingKind.URBAN_HARDSHIP:
                continue
            given.add(code)
            amount = Decimal("150.00") if code in BEHIND else Decimal("320.00")
            if pairing.person.rank == "section_chief":
                amount += Decimal("300.00")
            entry = aid_record(
                person=pairing.person,
                household=pairing.household,
                date=min(day, self.end),
                amount=amount,
                description="慰问金",
            )
            if code == "QHX-P301":
                aid_correct(entry=entry, amount=Decimal("300.00"), reason="多录20元，予以更正")
                aid_record(
                    person=pairing.person,
                    household=pairing.household,
                    date=min(day + dt.timedelta(days=30), self.end),
                    amount=Decimal("200.00"),
                    kind=AidKind.GOODS,
                    description="米、油各一份",
                )

    def build_problems(self) -> None:
        found = _weekday(self.end - dt.timedelta(days=40), self.end)
        latest_due = dt.date(self.end.year, 12, 20)
        specs = [
            ("QHX-SQX-LW", "infrastructure", "solve_now", "村道塌方，影响出行", None, None, ""),
            ("QHX-SQX-LW", "housing", "needs_time", "三户房屋受损需修缮", "QHX-P203", 44, ""),
            ("QHX-SQX-SQ", "health", "needs_time", "村卫生室缺少常用药品", "QHX-P204", 30, ""),
            ("QHX-CGZ-NG", "income", "collective", "柑橘销路不畅，需统筹产销对接", None, None, ""),
            (
                "QHX-CGZ-DJ",
                "social",
                "cannot_now",
                "要求增建社区养老院",
                None,
                None,
                "已纳入明年规划，向群众说明",
            ),
            ("QHX-CGZ-NG", "infrastructure", "solve_now", "路灯损坏", None, None, ""),
        ]
        for index, (village, category, cls, text, responsible, days, explanation) in enumerate(
            specs
        ):
            due = None
            if days:
                due = min(found + dt.timedelta(days=days), latest_due)
            problem = Problem(
                village=self.units[village],
                found_on=found,
                found_by=self.people.get(VILLAGES.get(village, ("",))[0]),
                description=text,
                category=category,
                classification=cls,
                supervision="time_limited" if due else "tracking",
                responsible=self.people.get(responsible) if responsible else None,
                due=due,
                explanation=explanation,
            )
            problem_save(problem=problem, reason="demo")
            if index == 5:
                problem_close(
                    problem=problem, on=found + dt.timedelta(days=2), resolution="已更换灯具"
                )

    def build_analyses(self) -> None:
        month = period_of(self.start, "month")
        index = 0
        while month.end < self.end:
            index += 1
            held = _weekday(month.end - dt.timedelta(days=6), month.end)
            analysis_record(
                unit=self.units["QHX-CGZ"],
                level=AnalysisLevel.TOWNSHIP_MONTH,
                held_on=held,
                summary="逐村梳理网格问题，明确责任人和时限。",
            )
            if index % 3:
                analysis_record(
                    unit=self.units["QHX-SQX"],
                    level=AnalysisLevel.TOWNSHIP_MONTH,
                    held_on=held,
                    summary="汇总研判本月网格问题。",
                )
            month = next_period(month, "month")
        quarter = period_of(self.end, "quarter")
        previous = period_of(quarter.start - dt.timedelta(days=1), "quarter")
        if previous.start >= self.start:
            analysis_record(
                unit=self.units["QHX"],
                level=AnalysisLevel.OFFICE_QUARTER,
                held_on=_weekday(previous.end - dt.timedelta(days=5), previous.end),
                summary="领导小组办公室季度研判。",
            )

    def hand_over(self) -> None:
        """曹丽 hands one alleviated household to 冯磊: the history stays in the ledger."""
        taken = {p.household_id for p in self.pairings if p.person.code == "QHX-P205"}
        pairing = next(
            (
                p
                for p in self.pairings
                if p.person.code == "QHX-P206"
                and p.kind == "alleviated"
                and p.household_id not in taken
            ),
            None,
        )
        on = self.end - dt.timedelta(days=75)
        if pairing is not None and on > pairing.start:
            pairing_hand_over(pairing=pairing, to_person=self.people["QHX-P205"], on=on)


def _festivals(end: dt.date) -> None:
    for day in (dt.date(2025, 10, 29), dt.date(2026, 10, 18)):
        if day.year <= end.year:
            Festival.objects.get_or_create(
                name="重阳节", date=day, defaults={"categories": "vulnerable", "lead_days": 5}
            )


@transaction.atomic
def build(*, stdout: Any) -> list[str]:
    if Pairing.all_objects.filter(note=DEMO_NOTE).exists():
        stdout.write("assistance: demo pairings already present.\n")
        return []
    if not Person.objects.filter(code="QHX-P105").exists():
        return []
    builder = _Builder(reference_date(), stdout)
    builder.build_pairings()
    builder.build_unit_pairings()
    builder.build_contact()
    builder.hand_over()
    builder.build_events()
    builder.build_aid()
    builder.build_problems()
    builder.build_analyses()
    _festivals(builder.end)
    stdout.write(
        f"assistance: {len(builder.pairings)} pairings, {builder.visits} visits and calls.\n"
    )
    return []
