"""Demo suggestions, proposals and public lists for 清河县 (called by `manage.py demo`).

Idempotent: sessions and list items are looked up by code and made only when missing; a
session's items (numbered as the registration form numbers them, directory.numbering) are made
only when the session has none.
Dates are placed relative to today so that the demo shows items at every stage — registered,
contact due, being handled, awaiting feedback, unsatisfied with a second handling running,
closed, complex, overdue, made between sessions — and every due date stays inside the years
the working-day calendar knows (a start is moved earlier when its deadline would leave them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from directory.demo import DEMO_PASSWORD, demo_password_hash
from directory.models import OrgUnit, Person, Role, User
from directory.services import account_create
from directory.timeutil import today as local_today
from rules.models import CalendarYear
from rules.workdays import add_months

from .models import LiaisonOffice, Proposal, PublicListItem, Session
from .services import (
    co_handling_opinion,
    list_item_progress,
    list_item_save,
    proposal_answer,
    proposal_assign,
    proposal_feedback,
    proposal_mark_complex,
    proposal_record_contact,
    proposal_register,
    session_save,
)

OFFICES = [("QHX-RDLLS", "congress"), ("QHX-ZXTAW", "cppcc")]

# username, unit code (None: a deputy's or member's own account), roles, person code
ACCOUNTS: list[tuple[str, str | None, tuple[str, ...], str]] = [
    ("renda", "QHX-RDLLS", (Role.UNIT_STAFF,), "QHX-P421"),
    ("zhengxie", "QHX-ZXTAW", (Role.UNIT_STAFF,), "QHX-P431"),
    ("daibiao", None, (), "QHX-P301"),
    ("weiyuan", None, (), "QHX-P451"),
]


@dataclass
class Step:
    """One demo item: what it is and, as days after its session closed (or as fitted dates),
    each step it has reached."""

    key: str  # the demo's own name of the item (its number comes from the county's series)
    title: str
    authors: list[str]
    unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    assigned: dt.date | int | None = None
    contacted: int | None = None  # days after assignment
    opinion: int | None = None  # days after assignment (first co-handling unit)
    complex: str = ""
    answered: int | None = None  # days after assignment
    feedback: tuple[int | dt.date, str, str] | None = (
        None  # (days after answer | date, attitude, result)
    )
    second_answered: int | None = None  # days after the feedback
    second_feedback: tuple[int, str, str] | None = None
    submitted: int = -1  # days after the session closed (negative: during the session)
    text: str = ""
    category: str = ""


def last_known_day() -> dt.date:
    year = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    return dt.date(year or local_today().year, 12, 31)


def fit(day: dt.date, months: int, last: dt.date) -> dt.date:
    """`day`, or earlier when a deadline `months` later would leave the known calendar."""
    latest = add_months(last, -months) - dt.timedelta(days=10)
    return min(day, latest)


def _session(code: str, name: str, body: str, opens: dt.date) -> Session:
    session = Session.all_objects.filter(code=code).first()
    if session is None:
        session = Session(code=code, name=name, body=body, opens=opens)
        session.closes = opens + dt.timedelta(days=3)
        session_save(session=session, reason="demo")
    return session


def _build_item(step: Step, session: Session, people: dict[str, Person], units: dict[str, OrgUnit]) -> None:  # fmt: skip
    kind = "proposal" if session.body == "cppcc" else "suggestion"
    submitted = session.closes + dt.timedelta(days=step.submitted)
    proposal = proposal_register(
        session=session,
        kind=kind,
        submitted=submitted,
        in_session=submitted <= session.closes,
        title=step.title,
        text=step.text or step.title,
        category=step.category,
        authors=[people[code] for code in step.authors],
        reason="demo",
    )
    if step.unit is None or step.assigned is None:
        return
    assigned = (
        step.assigned
        if isinstance(step.assigned, dt.date)
        else session.closes + dt.timedelta(days=step.assigned)
    )
    proposal_assign(
        proposal=proposal,
        lead_unit=units[step.unit],
        co_units=[units[code] for code in step.co_units],
        assigned_on=assigned,
        reason="demo",
    )
    after = lambda days: assigned + dt.timedelta(days=days)  # noqa: E731
    if step.complex:
        proposal_mark_complex(proposal=proposal, explanation=step.complex)
    if step.contacted is not None:
        proposal_record_contact(
            proposal=proposal,
            contacted_on=after(step.contacted),
            method="visit",
            note="上门走访代表，听取具体意见",
        )
    if step.opinion is not None:
        entry = proposal.co_handlings.first()
        co_handling_opinion(
            co_handling=entry,
            opinion="同意主办单位意见，我局配合做好相关工作。",
            given_on=after(step.opinion),
        )
    if step.answered is None:
        return
    answered = after(step.answered)
    proposal_answer(
        proposal=proposal,
        answered_on=answered,
        result="planned",
        text="经研究，已将该事项列入年度工作计划，分步实施。",
    )
    if step.feedback is None:
        return
    when, attitude, result = step.feedback
    given = when if isinstance(when, dt.date) else answered + dt.timedelta(days=when)
    proposal_feedback(
        proposal=proposal, given_on=given, attitude=attitude, result=result, by_author=False
    )
    if step.second_answered is None:
        return
    second = given + dt.timedelta(days=step.second_answered)
    proposal_answer(
        proposal=proposal, answered_on=second, result="solved", text="已协调资金完成整改。"
    )
    if step.second_feedback is not None:
        days, attitude, result = step.second_feedback
        proposal_feedback(
            proposal=proposal,
            given_on=second + dt.timedelta(days=days),
            attitude=attitude,
            result=result,
            by_author=False,
        )


def _items(today: dt.date, last: dt.date, prefix: str, cppcc: bool) -> list[Step]:
    if cppcc:
        return [
            Step(f"{prefix}-T001", "关于发展县域职业教育的提案", ["QHX-P451"], "QHX-JYJ",
                 assigned=45, contacted=3, answered=85, feedback=(10, "satisfied", "satisfied"),
                 category="education"),
            Step(f"{prefix}-T002", "关于老旧小区加装电梯的提案", ["QHX-P451", "QHX-P006"], "QHX-ZJJ",
                 co_units=["QHX-CGZ"], assigned=45, contacted=5, opinion=20, answered=100,
                 category="urban_rural"),
            Step(f"{prefix}-T003", "关于保护传统村落的提案", ["QHX-P431"], category="urban_rural"),
        ]  # fmt: skip
    return [
        Step(f"{prefix}-J001", "关于增设城关镇公交站点的建议", ["QHX-P104"], category="urban_rural"),
        Step(f"{prefix}-J002", "关于改善乡村学校食堂条件的建议", ["QHX-P301"], "QHX-JYJ",
             co_units=["QHX-ZJJ"], assigned=fit(today - dt.timedelta(days=5), 3, last),
             category="education"),
        Step(f"{prefix}-J003", "关于整治石桥村危房的建议", ["QHX-P204"], "QHX-ZJJ",
             co_units=["QHX-SQX"], assigned=fit(today - dt.timedelta(days=40), 3, last),
             contacted=5, opinion=15, category="urban_rural"),
        Step(f"{prefix}-J004", "关于南关村道路硬化的建议", ["QHX-P301", "QHX-P104"], "QHX-CGZ",
             assigned=40, contacted=4, answered=80, category="agriculture"),
        Step(f"{prefix}-J005", "关于加强农村饮水安全的建议", ["QHX-P204"], "QHX-SQX",
             assigned=40, contacted=5, answered=85, feedback=(10, "satisfied", "satisfied"),
             category="agriculture"),
        Step(f"{prefix}-J006", "关于解决农村学生上学远的建议", ["QHX-P301"], "QHX-JYJ",
             assigned=40, contacted=12, answered=88,
             feedback=(fit(today - dt.timedelta(days=10), 1, last), "basic", "unsatisfied"),
             category="education"),
        Step(f"{prefix}-J007", "关于规范城区停车管理的建议", ["QHX-P005"], "QHX-CGZ",
             assigned=40, contacted=3, answered=81, feedback=(9, "satisfied", "unsatisfied"),
             second_answered=25, second_feedback=(10, "satisfied", "basic"), category="law"),
        Step(f"{prefix}-J008", "关于统筹建设县城污水管网的建议", ["QHX-P441", "QHX-P005"], "QHX-ZJJ",
             co_units=["QHX-CGZ", "QHX-SQX"], assigned=fit(today - dt.timedelta(days=150), 6, last),
             contacted=3, complex="涉及多个部门、跨年度资金安排，需分期实施", category="environment"),
        Step(f"{prefix}-J009", "关于加快柳湾村产业路建设的建议", ["QHX-P204"], "QHX-SQX",
             assigned=60, contacted=4, answered=85, category="agriculture"),
        Step(f"{prefix}-J011", "关于改善县城夜间照明的建议", ["QHX-P441"], "QHX-ZJJ",
             assigned=50, contacted=3, answered=82, feedback=(8, "basic", "unsatisfied"),
             second_answered=20, category="urban_rural"),
        Step(f"{prefix}-J010", "关于为独居老人安装紧急呼叫设备的建议", ["QHX-P104"], "QHX-CGZ",
             assigned=95, contacted=4, answered=75, submitted=90, category="social"),
    ]  # fmt: skip


def build_sessions_and_items(today: dt.date) -> int:
    """Sessions of the county congress and CPPCC that met about a year ago, and their items."""
    last = last_known_day()
    year = (today - dt.timedelta(days=300)).year
    people = {p.code: p for p in Person.objects.filter(code__startswith="QHX-P")}
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="QHX")}
    created = 0
    for body, prefix, name, opens in (
        ("congress", f"QHX-RD-{year}", f"清河县第十八届人民代表大会第{year - 2021}次会议", dt.date(year, 1, 8)),
        ("cppcc", f"QHX-ZX-{year}", f"政协清河县第十届委员会第{year - 2021}次会议", dt.date(year, 1, 7)),
    ):  # fmt: skip
        session = _session(prefix, name, body, opens)
        if Proposal.all_objects.filter(session=session).exists():
            continue  # built on an earlier run
        for step in _items(today, last, prefix, body == "cppcc"):
            with transaction.atomic():
                _build_item(step, session, people, units)
            created += 1
    return created


def build_lists(today: dt.date) -> int:
    """Items of the three public lists for this year, done, running and overdue."""
    people = {p.code: p for p in Person.objects.filter(code__in=["QHX-P002", "QHX-P003", "QHX-P004"])}  # fmt: skip
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="QHX")}
    year_end = dt.date(today.year, 12, 31)
    days = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    rows: list[tuple[str, str, str, str, str, dt.date, dt.date | None, str]] = [
        ("practical", "QHX-L-BS1", "新建城关镇便民服务中心", "QHX-P002", "QHX-CGZ", days(-20), days(-45), ""),
        ("practical", "QHX-L-BS2", "改造农村中小学旱厕", "QHX-P003", "QHX-JYJ", days(-30), None, "资金缺口约80万元，正在争取上级补助"),
        ("practical", "QHX-L-BS3", "实施石桥乡农村饮水提质工程", "QHX-P004", "QHX-SQX", year_end, None, ""),
        ("legacy", "QHX-L-YL1", "化解城关镇东街社区办证难遗留问题", "QHX-P002", "QHX-ZJJ", year_end, None, "涉及开发商破产清算"),
        ("legacy", "QHX-L-YL2", "解决柳湾村土地纠纷", "QHX-P004", "QHX-SQX", days(-60), days(-70), ""),
        ("reform", "QHX-L-GG1", "推进县域义务教育集团化办学改革", "QHX-P003", "QHX-JYJ", year_end, None, ""),
        ("reform", "QHX-L-GG2", "推进工程建设项目审批制度改革", "QHX-P002", "QHX-ZJJ", days(-10), None, ""),
    ]  # fmt: skip
    created = 0
    for kind, code, title, leader, unit, target, completed, note in rows:
        if PublicListItem.all_objects.filter(code=code).exists():
            continue
        item = list_item_save(
            item=PublicListItem(
                list_kind=kind,
                year=today.year,
                code=code,
                title=title,
                description=f"{title}，年内按计划推进并向社会公示进度。",
                lead_leader=people[leader],
                responsible_unit=units[unit],
                target_date=target,
                internal_note=note,
            ),
            reason="demo",
        )
        list_item_progress(item=item, on=min(days(-90), target), text="已完成方案制定并启动实施。")
        if completed is not None:
            list_item_progress(
                item=item, on=completed, text="已全部完成并通过验收。", completed=True
            )
        created += 1
    return created


def build_accounts() -> list[str]:
    for code, body in OFFICES:
        unit = OrgUnit.objects.get(code=code)
        LiaisonOffice.objects.get_or_create(unit=unit, body=body)
    for username, unit_code, roles, person_code in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        person = Person.objects.get(code=person_code)
        account_create(
            username=username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            unit=OrgUnit.objects.get(code=unit_code) if unit_code else None,
            roles=list(roles),
            display_name=person.name,
            person=person,
        )
    return [username for username, *_rest in ACCOUNTS]


def build(*, stdout: Any) -> list[str]:
    today = local_today()
    with transaction.atomic():
        usernames = build_accounts()
    items = build_sessions_and_items(today)
    lists = build_lists(today)
    stdout.write(f"proposals: items +{items}, public list items +{lists}\n")
    return usernames
