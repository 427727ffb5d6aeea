"""Demo appeals: three months of online appeals and items from the 12345 hotline, leaders'
mailboxes and message boards, up to a reference date — assigned as leaders instructed, nearly
all answered on time, a few late, some returned and reassigned, some rated (an "unsatisfied"
one reopened and answered again), the last days' still running and one overdue — and the daily
bulletin of every working day of the last month.

Idempotent: appeals are numbered as the forms number them (directory.numbering) and made only
when the county has none yet; a bulletin already sent is not sent again. Every date stays inside the years the
working-day calendar knows: nothing is received in the last three weeks of the last known year,
so that no reply limit (≤ 5 working days) reaches into an unknown year."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from directory.models import OrgUnit, Person, User
from directory.timeutil import today
from rules.models import Notification
from rules.workdays import UnknownCalendarYear, WorkCalendar

from . import services as s
from .bulletin import bulletin_produce
from .models import Appeal, AppealCategory, AppealSource, AppealStatus, Bulletin

APPEALS = 100
DAYS = 90
BULLETIN_DAYS = 30
#: appeals (by number) left unanswered past their limit on purpose
OVERDUE = (APPEALS - 12,)
#: an appeal older than this many days has been handled (the newer ones are running)
SETTLED_AFTER_DAYS = 10
SEED = 2026
MARGIN = dt.timedelta(days=21)  # before the end of the last known year (see the docstring)
TOWNSHIPS = ("QHX-CGZ", "QHX-SQX")
DEPARTMENTS = {"education": "QHX-JYJ", "construction": "QHX-ZJJ"}
LEADERS = ("QHX-P001", "QHX-P002", "QHX-P003", "QHX-P004")
SOURCES = ["online"] * 7 + ["hotline"] * 6 + ["mailbox"] * 2 + ["message_board"] * 3
TEXTS: dict[str, list[str]] = {
    "utilities": [
        "小区已停水两天，物业无人处理，请协调尽快恢复供水。",
        "村里变压器老化，频繁停电。",
    ],
    "consultation": ["咨询城乡居民医保缴费时间和标准。", "咨询新生儿落户需要哪些材料。"],
    "environment": ["河道有人倾倒建筑垃圾，影响水质。", "夜间工地施工噪音扰民。"],
    "health": ["乡镇卫生院周末无医生值班。", "反映村卫生室药品短缺。"],
    "transport": ["村道路面破损严重，雨天无法通行。", "反映县城至石桥乡班车班次太少。"],
    "construction": ["小区路灯损坏已有两周，夜间出行不便。", "安置房交房时间一再推迟。"],
    "labour": ["在工地务工三个月工资未结清。", "咨询灵活就业人员养老保险缴费。"],
    "education": ["孩子上学校车超载，存在安全隐患。", "反映学校课后服务收费不透明。"],
    "rural": ["土地流转租金未按合同兑付。", "反映农业补贴发放不到位。"],
    "market": ["超市销售过期食品。", "农贸市场缺斤少两。"],
    "other": ["建议在村口增设公交候车亭。", "反映广场舞音量过大影响休息。"],
}
REPLY = "经核实，已安排专人处理，并电话告知反映人处理结果。"
SECOND_REPLY = "再次核实后已完成整改，感谢您的监督。"


def _try(step: Callable[[], Any]) -> bool:
    """Take a step; one refused or reaching an unknown year leaves the appeal as it is."""
    try:
        with transaction.atomic():
            step()
    except (UnknownCalendarYear, ValidationError):
        return False
    return True


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Builder:
    def __init__(self, ref: dt.date, stdout: Any) -> None:
        from ..demo import last_known_day

        self.stdout = stdout
        self.ref = min(ref, last_known_day() - MARGIN)
        self.start = self.ref - dt.timedelta(days=DAYS)
        self.calendar = WorkCalendar()
        self.clerk = User.objects.get(username="xinfang")
        self.staff = {
            user.unit.code: user
            for user in User.objects.filter(
                username__in=("chengguan", "shiqiao", "jiaoyu")
            ).select_related("unit")
        }
        codes = [*TOWNSHIPS, *DEPARTMENTS.values()]
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        self.county = self.clerk.unit
        self.leaders = list(Person.objects.filter(code__in=LEADERS).order_by("code"))
        self.categories = list(AppealCategory.objects.order_by("sort_order"))

    def staff_of(self, unit: OrgUnit) -> Any:
        return self.staff.get(unit.code, self.clerk)

    def appeals(self) -> int:
        if Appeal.all_objects.filter(township__in=[self.units[t] for t in TOWNSHIPS]).exists():
            return 0  # built on an earlier run
        created = 0
        for n in range(1, APPEALS + 1):
            appeal = self._receive(n, random.Random(SEED * 1000 + n))  # noqa: S311
            if appeal is not None:
                created += 1
                self._handle(appeal, n, self._plan(random.Random(SEED * 2000 + n)))  # noqa: S311
        return created

    def _plan(self, rng: random.Random) -> dict[str, Any]:
        """Every draw of one appeal's life, made up front: a rerun takes the same decisions."""
        return {
            "draw": rng.random(),
            "delay": rng.randint(0, 1),
            "own_unit": rng.random() < 0.8,
            "leader": rng.choice(self.leaders),
            "late": rng.random() < 0.15,
            "rated": rng.random() < 0.6,
            "rating": rng.choice(["满意"] * 6 + ["基本满意"] * 3 + ["不满意"]),
            "second": rng.random() < 0.7,
        }

    def _receive(self, n: int, rng: random.Random) -> Appeal | None:
        day = self.start + dt.timedelta(days=(n * DAYS) // APPEALS)
        received_at = _aware(day, rng.randint(7, 21), rng.choice((0, 15, 30, 45)))
        category = rng.choice(self.categories)
        township = self.units[rng.choice(TOWNSHIPS)]
        text = rng.choice(TEXTS.get(category.code, TEXTS["other"]))
        source = rng.choice(SOURCES)
        phone = f"13{rng.randint(0, 999_999_999):09d}"
        leader = rng.choice(self.leaders)
        found: list[Appeal] = []

        def receive() -> None:
            if source == AppealSource.ONLINE:
                appeal, _key = s.appeal_submit_public(
                    category=category,
                    township=township,
                    text=text,
                    contact_phone=phone,
                    received_at=received_at,
                )
            else:
                appeal = s.appeal_intake(
                    acting_user=self.clerk,
                    source=source,
                    category=category,
                    text=text,
                    received_at=received_at,
                    township=township,
                    contact_phone=phone,
                    to_leader=leader if source == AppealSource.MAILBOX else None,
                    external_ref=f"12345-{n:06d}" if source == AppealSource.HOTLINE else "",
                )
            found.append(appeal)

        _try(receive)
        return found[0] if found else None

    def _handle(self, appeal: Appeal, n: int, plan: dict[str, Any]) -> None:
        """The steps the plan gives this appeal: only those not taken yet."""
        draw = plan["draw"]
        settled = (self.ref - appeal.received_on).days > SETTLED_AFTER_DAYS
        unit = self._unit_for(appeal, plan["own_unit"])
        if appeal.status == AppealStatus.RECEIVED:
            assign_on = self._workday_after(appeal.received_on, plan["delay"])
            if draw < 0.06:  # sent to the wrong unit first, which returns it
                wrong = self.units[TOWNSHIPS[0] if unit.code != TOWNSHIPS[0] else TOWNSHIPS[1]]
                back = self._workday_after(assign_on, 1)
                if self._assign(appeal, wrong, assign_on, plan["leader"]) and back <= self.ref:
                    _try(
                        lambda: s.appeal_return(
                            appeal=appeal,
                            reason="经核实不属于本单位职责范围",
                            on=back,
                            acting_user=self.staff_of(wrong),
                        )
                    )
                assign_on = back
            self._assign(appeal, unit, assign_on, plan["leader"])
        if n % 19 == 0 and not appeal.notable:
            _try(
                lambda: s.appeal_mark_notable(
                    appeal=appeal,
                    notable=True,
                    note="涉及多户群众切身利益，建议领导关注",
                    on=appeal.received_on,
                    acting_user=self.clerk,
                )
            )
        appeal.refresh_from_db()
        # answered on its last day or earlier; the newest are still running (due soon)
        if appeal.status == AppealStatus.ASSIGNED and n not in OVERDUE:
            late = plan["late"] and settled  # late in the history, not still open
            self._reply(appeal, appeal.limit_days + (3 if late else -1), REPLY)
        appeal.refresh_from_db()
        if appeal.status == AppealStatus.REPLIED and appeal.round == 1 and plan["rated"]:
            on = self._workday_after(appeal.replied_on, 1)
            if on <= self.ref:
                _try(lambda: s.appeal_feedback(appeal=appeal, rating=plan["rating"], on=on))
        appeal.refresh_from_db()
        if appeal.status == AppealStatus.REOPENED:
            self._reply(appeal, 2, SECOND_REPLY)

    def _unit_for(self, appeal: Appeal, own_unit: bool) -> OrgUnit:
        code = DEPARTMENTS.get(appeal.category.code)
        if code and own_unit:
            return self.units[code]
        return appeal.township or self.units[TOWNSHIPS[0]]

    def _assign(self, appeal: Appeal, unit: OrgUnit, on: dt.date, leader: Person) -> bool:
        if on > self.ref:
            return False
        return _try(
            lambda: s.appeal_assign(
                appeal=appeal,
                unit=unit,
                on=on,
                acting_user=self.clerk,
                instruction=f"请{unit.name}认真核实，按时限答复群众。",
                instructed_by=leader,
            )
        )

    def _reply(self, appeal: Appeal, workdays: int, text: str) -> None:
        start = appeal.assigned_on or appeal.received_on
        if appeal.status == AppealStatus.REOPENED:
            start = appeal.replies.order_by("-round").first().feedback_on or start
        on = self._workday_after(start, max(workdays, 0))
        if on > self.ref or appeal.unit is None:
            return
        _try(
            lambda: s.appeal_reply(
                appeal=appeal, text=text, on=on, acting_user=self.staff_of(appeal.unit)
            )
        )

    def _workday_after(self, day: dt.date, n: int) -> dt.date:
        for _i in range(n):
            day += dt.timedelta(days=1)
            while not self.calendar.is_workday(day):
                day += dt.timedelta(days=1)
        return day

    def bulletins(self) -> int:
        """The bulletin of every working day of the demo's months, sent to the county leaders;
        all but the last five are marked read, as a leader would have read them."""
        sent = 0
        day = max(self.start, self.ref - dt.timedelta(days=BULLETIN_DAYS)) + dt.timedelta(days=1)
        while day <= self.ref:
            done = Bulletin.objects.filter(day=day, sent_at__isnull=False).exists()
            if self.calendar.is_workday(day) and not done:
                _bulletin, notified = bulletin_produce(day=day)
                sent += bool(notified)
            day += dt.timedelta(days=1)
        recent = Bulletin.objects.order_by("-day").values_list("day", flat=True)[4:5]
        if sent and recent:
            urls = [
                reverse("appeal-bulletin-day", args=[b.isoformat()])
                for b in Bulletin.objects.filter(day__lt=recent[0]).values_list("day", flat=True)
            ]
            for note in Notification.objects.filter(
                read_at__isnull=True, title__contains="民情日报"
            ):
                if note.items and note.items[0].get("url") in urls:
                    note.read_at = timezone.now()
                    note.save(update_fields=["read_at"])
        return sent


def build(*, ref: dt.date, stdout: Any) -> None:
    s.ensure_default_categories()
    builder = Builder(ref, stdout)
    created = builder.appeals()
    sent = builder.bulletins()
    overdue = Appeal.objects.overdue(min(ref, today())).count()
    stdout.write(
        f"appeals: +{created} appeals ({overdue} overdue), +{sent} daily bulletins sent "
        f"(reference date {builder.ref})"
    )
