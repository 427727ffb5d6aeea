"""Demo records of the petitions app: a year of petitions, the reception roster and what
happened at receptions, up to a reference date near today, with some matters overdue.

A working county: nearly every matter is accepted, answered and closed on time; the last few
weeks' matters are running (some due this week) and only a couple are overdue, so that the
petition office's today page shows what a real office sees.

Idempotent: petitions are numbered as the registration form numbers them (directory.numbering)
and made only when the county has none yet; slots are looked up by their slot key, appointments
by their duty; a second run adds nothing. Every date stays inside the years the working-day
calendar knows: the reference date is today (or the calendar's last known day); a step whose
due date would fall in an unknown year is simply not taken."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_update_with_history

from directory.models import OrgUnit, Person, User
from directory.timeutil import today
from rules.models import CalendarYear, Clock
from rules.workdays import UnknownCalendarYear, WorkCalendar

from .identity import id_check_character
from .matters import services as sp
from .matters.models import Petition, PetitionStatus
from .roster import services as sr
from .roster.models import (
    Appointment,
    Leave,
    MissedContact,
    OfficeVisit,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    RescheduledMeeting,
    SpecialPeriod,
)
from .roster.slots import propose_rotation

PETITIONS = 100
CHARGED = (3, 10, 17, 24, 31, 38)  # matters a county leader takes charge of (包案)
#: matters (by number) left overdue on purpose: routed but not accepted in time
LATE = (PETITIONS - 6,)
SEED = 2025
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "建华",
    "秀兰",
    "国平",
    "春梅",
    "德胜",
    "玉珍",
    "志红",
    "桂英",
    "永福",
    "小军",
    "金花",
    "长生",
]

# category, summary, content, lead unit code (None: the petitioner's township), subject unit code
MATTERS: list[tuple[str, str, str, str | None, str | None]] = [
    (
        "land",
        "宅基地界址纠纷",
        "反映邻居建房占用其宅基地，村组多次协调未果，请求依法确权。",
        None,
        None,
    ),
    ("land", "征地补偿款未足额发放", "反映道路建设征收承包地，补偿款至今未足额发放。", None, None),
    (
        "construction",
        "小区排水管网堵塞",
        "反映小区雨污管网长期堵塞，雨天污水倒灌。",
        "QHX-ZJJ",
        None,
    ),
    (
        "construction",
        "危房改造补助申请",
        "反映家中住房为C级危房，申请纳入危房改造。",
        "QHX-ZJJ",
        None,
    ),
    ("labour", "讨要拖欠工资", "在县城某工地务工，工程完工后三个月工资仍未结清。", None, None),
    ("rural", "土地流转租金未兑付", "反映合作社流转土地后两年租金未兑付。", None, None),
    ("education", "子女就近入学问题", "反映随迁子女未能在居住地就近入学。", "QHX-JYJ", None),
    ("education", "学校食堂收费问题", "反映某小学食堂收费标准不透明。", "QHX-JYJ", "QHX-JYJ"),
    ("health", "医疗费用报销问题", "反映住院费用报销比例与政策规定不符。", None, None),
    ("environment", "养殖场异味扰民", "反映村旁生猪养殖场异味严重，影响周边群众生活。", None, None),
    ("civil", "低保资格认定", "反映家庭困难，申请低保未获批准，对认定结果有异议。", None, None),
    ("law", "邻里纠纷调处", "反映与邻居因排水问题发生纠纷，调解未果。", None, None),
    (
        "discipline",
        "反映村干部优亲厚友",
        "反映村干部在低保评定中优亲厚友，请求调查。",
        None,
        "village",
    ),
    ("economy", "企业拖欠货款", "反映县内某企业拖欠农产品货款。", None, None),
]
CHANNELS = ["visit"] * 5 + ["letter"] * 2 + ["phone", "online", "online", "hotline"]


def last_known_day() -> dt.date:
    last_year = CalendarYear.objects.aggregate(last=Max("year"))["last"] or today().year
    return dt.date(last_year, 12, 31)


def reference_date() -> dt.date:
    """Today, or the last day the calendar knows if today lies beyond it."""
    return min(today(), last_known_day())


def _try(step: Callable[[], Any]) -> bool:
    """Take a step; a due date in an unknown year or a refused step leaves the matter as it is."""
    try:
        with transaction.atomic():
            step()
    except (UnknownCalendarYear, ValidationError):
        return False
    return True


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 18000))
    first17 = f"439901{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_character(first17)


def _apply_rotation(proposals: list[Any]) -> int:
    """The rotation's proposals put on the empty duties at once, each with its history row.
    `roster_apply` (the page's step) checks every duty again under a lock because someone may
    have filled it meanwhile; the demo is alone and `propose_rotation` already chose eligible,
    free people, so one bulk update does the same for a year of duties."""
    filled = []
    for proposal in proposals:
        if proposal.person is not None and proposal.reception.person_id is None:
            proposal.reception.person = proposal.person
            filled.append(proposal.reception)
    if filled:
        bulk_update_with_history(
            filled, Reception, ["person"], default_change_reason="roster rotation"
        )
    return len(filled)


class Builder:
    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout
        self.rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not secrets)
        self.ref = reference_date()
        self.start = self.ref - dt.timedelta(days=364)
        self.calendar = WorkCalendar()
        self.clerk = User.objects.get(username="xinfang")
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="QHX")}
        self.people = {p.code: p for p in Person.objects.filter(code__startswith="QHX")}
        #: the matters made by this run, by their number in the plan
        self.numbered: dict[int, Petition] = {}

    # --- petitions --------------------------------------------------------------------------

    def petitions(self) -> int:
        if Petition.all_objects.filter(receiving_unit=self.clerk.unit).exists():
            return 0  # built on an earlier run
        created = 0
        for n in range(1, PETITIONS + 1):
            petition = self._petition(self._plan(n))
            if petition is not None:
                self.numbered[n] = petition
                created += 1
        return created

    def _plan(self, n: int) -> dict[str, Any]:  # drawn in order: the same matters every run
        rng = self.rng
        received = self.start + dt.timedelta(
            days=int((n - 1) * 364 / PETITIONS) + rng.randint(0, 2)
        )
        category, summary, content, lead, subject = rng.choice(MATTERS)
        township = rng.choice(["QHX-CGZ", "QHX-SQX"])
        villages = {
            "QHX-CGZ": ["QHX-CGZ-NG", "QHX-CGZ-DJ"],
            "QHX-SQX": ["QHX-SQX-SQ", "QHX-SQX-LW"],
        }
        group = rng.random() < 0.12
        return {
            "received": min(received, self.ref),
            "channel": rng.choice(CHANNELS) if not group else "visit",
            "category": category,
            "summary": summary,
            "content": content,
            "township": township,
            "lead": lead or township,
            "subject": rng.choice(villages[township]) if subject == "village" else subject,
            "people": [
                (
                    rng.choice(SURNAMES) + rng.choice(GIVEN),
                    _id_number(rng),
                    f"13{rng.randint(0, 999_999_999):09d}",
                )
                for _ in range(rng.randint(2, 4) if group else 1)
            ],
            "headcount": rng.randint(6, 15) if group else 1,
            "accept_after": rng.randint(1, 5),
            # mostly well inside the 60 days; one in twenty answered late (in the history)
            "answer_after": rng.choice([12, 18, 25, 30, 35, 40, 45, 50]),
            "late": rng.random() < 0.05,
            "extend": rng.random() < 0.1,
            "review": rng.random() < 0.12,
            "satisfaction": rng.choice(["满意", "满意", "满意", "基本满意", "不满意"]),
            "late_accept": n in LATE,
        }

    def _petition(self, plan: dict[str, Any]) -> Petition | None:
        received = plan["received"]
        subject = self.units.get(plan["subject"]) if plan["subject"] else None
        lead = self.units[plan["lead"]]
        if subject is not None and lead.path.startswith(subject.path):
            lead = (
                self.units[plan["township"]]
                if plan["subject"] != plan["township"]
                else self.units["QHX-XFJ"]
            )
        petition: Petition | None = None

        def register() -> None:
            nonlocal petition
            petition = sp.petition_register(
                acting_user=self.clerk,
                receiving_unit=self.clerk.unit,
                received_on=received,
                today=self.ref,
                channel=plan["channel"],
                summary=plan["summary"],
                content=plan["content"],
                category=plan["category"],
                township=self.units[plan["township"]],
                subject_unit=subject,
                petitioners=[
                    sp.PetitionerData(name, number, phone, self.units[plan["township"]].name)
                    for name, number, phone in plan["people"]
                ],
                headcount=plan["headcount"],
                check_repeats=False,
                # matters of the last two days wait to be routed; the rest are routed on the day
                lead_unit=None if (self.ref - received).days < 2 else lead,
                calendar=self.calendar,
            )

        if not _try(register) or petition is None:
            return None
        self._advance(petition, plan)
        return petition

    def _advance(self, petition: Petition, plan: dict[str, Any]) -> None:
        user, ref = self.clerk, self.ref
        if petition.status != PetitionStatus.ROUTED:
            return
        accepted = petition.received_on + dt.timedelta(days=plan["accept_after"])
        if plan["late_accept"]:
            accepted = petition.received_on + dt.timedelta(days=40)  # left waiting: overdue
        if accepted > ref or not _try(
            lambda: sp.petition_accept(
                petition=petition,
                on=accepted,
                accepted=True,
                acting_user=user,
                calendar=self.calendar,
            )
        ):
            return
        if plan["extend"]:
            _try(
                lambda: sp.petition_extend(
                    petition=petition,
                    days=30,
                    reason="案情复杂，需进一步调查核实",
                    on=accepted + dt.timedelta(days=40),
                    acting_user=user,
                )
            )
        answered = accepted + dt.timedelta(days=66 if plan["late"] else plan["answer_after"])
        if answered > ref:
            if (ref - accepted).days > 45:
                _try(
                    lambda: sp.petition_supervise(
                        petition=petition,
                        mode="time_limited",
                        instructions="请于限期内办结并书面答复信访人",
                        unit=self.units["QHX-XFJ"],
                        on=ref - dt.timedelta(days=5),
                        due_on=ref + dt.timedelta(days=10),
                        acting_user=user,
                        calendar=self.calendar,
                    )
                )
            return
        if not _try(
            lambda: sp.petition_answer(
                petition=petition,
                on=answered,
                answer="经调查核实，已依据相关政策作出处理，详见书面答复意见书。",
                acting_user=user,
                calendar=self.calendar,
            )
        ):
            return
        visit = answered + dt.timedelta(days=7)
        if visit <= ref:
            _try(
                lambda: sp.petition_return_visit(
                    petition=petition,
                    on=visit,
                    satisfaction=plan["satisfaction"],
                    note="电话回访",
                    acting_user=user,
                )
            )
        self._review_or_close(petition, plan, answered)

    def _review_or_close(self, petition: Petition, plan: dict[str, Any], answered: dt.date) -> None:
        user, ref = self.clerk, self.ref
        county = self.units["QHX"]
        if plan["review"] and answered + dt.timedelta(days=20) <= ref:
            asked = answered + dt.timedelta(days=20)
            if _try(
                lambda: sp.petition_request_review(
                    petition=petition,
                    on=asked,
                    unit=county,
                    acting_user=user,
                    calendar=self.calendar,
                )
            ):
                reviewed = asked + dt.timedelta(days=25)
                if reviewed <= ref and _try(
                    lambda: sp.petition_answer_review(
                        petition=petition,
                        on=reviewed,
                        answer="维持原处理意见。",
                        acting_user=user,
                        calendar=self.calendar,
                    )
                ):
                    self._close_after_window(petition, "recheck_ask")
            return
        self._close_after_window(petition, "review_ask")

    def _close_after_window(self, petition: Petition, step: str) -> None:
        """Closed the day after the petitioner's window lapsed (nobody asked again)."""
        clocks = sp.running_clocks(petition, step)
        closed = (clocks[0].due if clocks else self.ref) + dt.timedelta(days=1)
        if clocks and closed <= self.ref:
            _try(
                lambda: sp.petition_close(
                    petition=petition, on=closed, reason="", acting_user=self.clerk
                )
            )

    # --- roster ---------------------------------------------------------------------------------

    def roster(self) -> int:
        end = min(self.ref + dt.timedelta(days=30), last_known_day())
        name = f"{self.ref.year - 1}年国庆特别防护期"
        if not SpecialPeriod.objects.filter(name=name).exists():
            sr.special_period_declare(
                name=name,
                start=dt.date(self.ref.year - 1, 9, 30),
                end=dt.date(self.ref.year - 1, 10, 8),
                reason="国庆期间信访维稳",
                acting_user=None,
            )
        self._leave("QHX-P003", self.ref - dt.timedelta(days=100), 5, "赴省委党校学习")
        self._leave("QHX-P203", self.ref - dt.timedelta(days=60), 3, "病假")
        created = 0
        month = self.start.replace(day=1)
        while month <= end:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            first, last = max(month, self.start), min(following - dt.timedelta(days=1), end)
            created += sr.roster_generate(
                first=first, last=last, acting_user=None, calendar=self.calendar
            )
            self._today_duty(first, last)
            slots = list(
                Reception.objects.filter(
                    date__gte=first, date__lte=last, person__isnull=True
                ).select_related("rule", "unit")
            )
            _apply_rotation(propose_rotation(slots, history_from=first - dt.timedelta(days=90)))
            month = following
        self._outcomes()
        return created

    def _leave(self, code: str, start: dt.date, days: int, reason: str) -> None:
        person = self.people[code]
        if not Leave.objects.filter(person=person, start=start).exists():
            _try(
                lambda: sr.leave_record(
                    person=person,
                    start=start,
                    end=start + dt.timedelta(days=days - 1),
                    reason=reason,
                )
            )

    def _today_duty(self, first: dt.date, last: dt.date) -> None:
        """The demo leader (lingdao, QHX-P004) sits at the centre on the first working day from
        the reference date (today when it is one), with matters booked for that day."""
        slot = (
            Reception.objects.filter(
                date__gte=max(first, self.ref),
                date__lte=last,
                kind=ReceptionKind.BUREAU_SITTING,
                subject__isnull=True,
            )
            .order_by("date")
            .first()
        )
        if slot is not None and slot.person_id is None and slot.date == self.duty_day(slot.date):
            _try(
                lambda: sr.reception_fill(
                    reception=slot, person=self.people["QHX-P004"], acting_user=None
                )
            )

    def duty_day(self, day: dt.date) -> dt.date | None:
        """The first centre duty day on or after the reference date (None before it)."""
        first = (
            Reception.objects.filter(
                date__gte=self.ref, kind=ReceptionKind.BUREAU_SITTING, subject__isnull=True
            )
            .order_by("date")
            .first()
        )
        return first.date if first else None

    def _outcomes(self) -> None:
        """Past duties: most held, a few missed, Wednesdays excused for a superior meeting, some
        substitutions; appointment receptions on about a third of the centre's duty days."""
        past = Reception.objects.filter(
            date__lt=self.ref,
            status=ReceptionStatus.SCHEDULED,
            person__isnull=False,
            substitute_for__isnull=True,
        ).select_related("rule", "person", "unit")
        for reception in past:
            roll = (
                reception.date.toordinal() * 7 + reception.unit_id * 13 + (reception.person_id or 0)
            ) % 100
            if reception.kind == ReceptionKind.OFFICE_DAY and roll < 6:
                sr.reception_set_status(
                    reception=reception,
                    status=ReceptionStatus.EXCUSED,
                    reason="参加上级会议",
                    acting_user=None,
                )
            elif roll < 3:
                sr.reception_set_status(
                    reception=reception, status=ReceptionStatus.ABSENT, acting_user=None
                )
            elif (
                reception.kind == ReceptionKind.BUREAU_SITTING
                and reception.subject_id is None
                and roll < 8
            ):
                self._substitute(reception)
        next_duty = self.duty_day(self.ref)
        for reception in Reception.objects.filter(
            kind=ReceptionKind.BUREAU_SITTING,
            subject__isnull=True,
            person__isnull=False,
            appointment__isnull=True,
        ).select_related("person"):
            if reception.date == next_duty or (
                reception.date < self.ref and reception.date.toordinal() % 3 == 0
            ):
                self._appointment(reception)

    def _substitute(self, reception: Reception) -> None:
        others = [
            p
            for code, p in self.people.items()
            if p.has_post("county_leader") and p.pk != reception.person_id
        ]
        for person in others:
            if _try(
                lambda p=person: sr.reception_substitute(
                    reception=reception,
                    substitute=p,
                    reason="临时有公务",
                    recipient="县信访工作联席会议第一召集人",
                    notified_on=reception.date - dt.timedelta(days=1),
                    acting_user=None,
                )
            ):
                return

    def _appointment(self, reception: Reception) -> None:
        townships, sector = sr.leader_reach(reception.person)
        matters = list(
            Petition.objects.open()
            .filter(
                township_id__in=townships,
                received_on__lt=reception.date,
                appointment_matters__isnull=True,
            )
            .exclude(subject_unit__isnull=False)
            .order_by("-received_on")[: 1 + reception.date.day % 2]
        )
        if not matters:
            return
        created: list[Appointment] = []

        def book() -> None:
            created.append(
                sr.appointment_create(
                    reception=reception,
                    petitions=matters,
                    consent_on=reception.date - dt.timedelta(days=3),
                    consent_note="同意",
                    acting_user=self.clerk,
                )
            )

        if not _try(book):
            return
        appointment = created[0]
        for matter in appointment.matters.all():
            _try(
                lambda m=matter: sr.appointment_invite(
                    matter=m,
                    on=reception.date - dt.timedelta(days=2),
                    note="电话邀约",
                    acting_user=self.clerk,
                )
            )
        township = matters[0].township
        _try(
            lambda: sr.appointment_notify(
                appointment=appointment,
                unit=township,
                on=reception.date - dt.timedelta(days=2),
                text="请派员共同接谈",
                acting_user=self.clerk,
            )
        )
        if reception.date < self.ref:
            results = [
                sr.MatterResult(
                    m,
                    "assigned",
                    "责成承办单位限期书面答复",
                    assigned_unit=m.petition.lead_unit or township,
                    reply_days=10,
                )
                if i == 0
                else sr.MatterResult(m, "on_the_spot", "当场解释政策")
                for i, m in enumerate(appointment.matters.select_related("petition__lead_unit"))
            ]
            recorded = _try(
                lambda: sr.appointment_record(
                    appointment=appointment,
                    on=reception.date,
                    heard="听取信访人诉求，了解事情经过。",
                    results=results,
                    acting_user=self.clerk,
                    calendar=self.calendar,
                )
            )
            replied = reception.date + dt.timedelta(days=8)  # within DA-R4's 10 days
            if recorded and replied <= self.ref:
                for matter in appointment.matters.filter(replied_on__isnull=True):
                    if Clock.objects.for_item(matter).running().exists():
                        _try(lambda m=matter: sr.appointment_matter_replied(matter=m, on=replied))

    # --- case visits and the office ledger ---------------------------------------------------

    def case_visits(self) -> None:
        for code in ("QHX-P001", "QHX-P002", "QHX-P004", "QHX-P005"):
            person = self.people[code]
            for k in range(4):
                day = self.start + dt.timedelta(days=40 + 80 * k + int(code[-1]) * 3)
                if day >= self.ref:
                    continue
                township = OrgUnit.objects.filter(
                    links__person=person, links__kind="linked_township"
                ).first()
                if (
                    township
                    and not Reception.objects.filter(
                        person=person, date=day, kind="case_visit"
                    ).exists()
                ):
                    _try(
                        lambda d=day, t=township, p=person: sr.reception_create(
                            date=d,
                            part="pm",
                            kind=ReceptionKind.CASE_VISIT,
                            unit=t,
                            person=p,
                            acting_user=None,
                            status=ReceptionStatus.HELD,
                            note="带案下访",
                        )
                    )

    def office_ledger(self) -> None:
        if OfficeVisit.objects.filter(unit__code__startswith="QHX").exists():
            return
        rng = random.Random(SEED + 1)  # noqa: S311  (repeatable demo data)
        for k in range(12):
            day = self.ref - dt.timedelta(days=7 * k + 1)
            unit = self.units[rng.choice(["QHX-CGZ", "QHX-SQX"])]
            leader = Person.objects.filter(unit=unit).with_post("township_secretary").first()
            sr.office_visit_record(
                visit=OfficeVisit(
                    unit=unit,
                    date=day,
                    visitor_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    visitor_phone=f"13{rng.randint(0, 999_999_999):09d}",
                    matter="咨询政策、反映诉求",
                    received_by=leader,
                    outcome="当场答复",
                ),
                acting_user=self.clerk,
            )
            contact = MissedContact(
                unit=unit,
                person=leader,
                kind=rng.choice(["call", "message"]),
                missed_on=day,
                caller_phone=f"13{rng.randint(0, 999_999_999):09d}",
            )
            if (
                _try(lambda c=contact: sr.missed_contact_record(contact=c, acting_user=self.clerk))
                and k  # yesterday's is still to be returned
            ):
                returned = day + dt.timedelta(days=1 + (k % 3 == 0) * 3)
                if returned <= self.ref:
                    _try(
                        lambda c=contact, r=returned: sr.missed_contact_return(
                            contact=c, on=r, note="已回复"
                        )
                    )
            if k % 4 == 1:
                meeting = RescheduledMeeting(
                    unit=unit,
                    person=leader,
                    visitor_name=rng.choice(SURNAMES) + "某",
                    matter="反映宅基地审批进度",
                    requested_on=day,
                    new_date=day + dt.timedelta(days=12 if k == 1 else 5),
                )
                if (
                    _try(lambda m=meeting: sr.rescheduled_record(meeting=m, acting_user=self.clerk))
                    and k > 2
                ):
                    _try(
                        lambda m=meeting: sr.rescheduled_done(
                            meeting=m, on=m.new_date, outcome="已约见"
                        )
                    )

    def charges(self) -> None:
        leaders = [self.people[c] for c in ("QHX-P001", "QHX-P002", "QHX-P003", "QHX-P004")]
        candidates = [self.numbered[n] for n in CHARGED if n in self.numbered]
        for index, petition in enumerate(candidates):
            if petition.charge_leader_id:
                continue  # charged on an earlier run
            leader = leaders[index % len(leaders)]
            _try(
                lambda p=petition, lead=leader, i=index: sp.petition_charge(
                    petition=p,
                    leader=lead,
                    is_backlog=i % 2 == 0,
                    on=max(p.received_on, self.start + dt.timedelta(days=30)),
                    acting_user=self.clerk,
                )
            )


def build(*, stdout: Any) -> list[str]:
    if not User.objects.filter(username="xinfang").exists():
        return []
    builder = Builder(stdout)
    petitions = builder.petitions()
    builder.charges()
    slots = builder.roster()
    builder.case_visits()
    builder.office_ledger()
    stdout.write(
        f"petitions: +{petitions} petitions, +{slots} roster slots (reference date {builder.ref})"
    )
    from .appeals.demo import build as build_appeals  # online appeals and bulletins (issue 4)

    build_appeals(ref=builder.ref, stdout=stdout)
    return []
