"""The directory's part of `manage.py demo` (the command is config/management/commands/demo.py,
where every app's demo meets): a small, realistic demo county (清河县), idempotent.

Every record is looked up by its code (accounts by username) and only created when missing, so a
second run changes nothing. Later steps (a year of activity, open deadlines) are added as further
`build_*` functions called from `Command.handle`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from directory.models import Household, Link, OrgUnit, Person, Role, User
from directory.services import account_create, household_save, link_save, person_save, unit_save

DEMO_PASSWORD = "minqing-demo"
REASON = "demo"

# code, name, kind, parent code
UNITS: list[tuple[str, str, str, str | None]] = [
    ("QHX", "清河县", "county", None),
    ("QHX-CGZ", "城关镇", "township", "QHX"),
    ("QHX-SQX", "石桥乡", "township", "QHX"),
    ("QHX-CGZ-DJ", "东街社区", "community", "QHX-CGZ"),
    ("QHX-CGZ-DJ-1", "东街社区第一居民小组", "group", "QHX-CGZ-DJ"),
    ("QHX-CGZ-DJ-2", "东街社区第二居民小组", "group", "QHX-CGZ-DJ"),
    ("QHX-CGZ-NG", "南关村", "village", "QHX-CGZ"),
    ("QHX-CGZ-NG-1", "南关村一组", "group", "QHX-CGZ-NG"),
    ("QHX-CGZ-NG-2", "南关村二组", "group", "QHX-CGZ-NG"),
    ("QHX-CGZ-NG-3", "南关村三组", "group", "QHX-CGZ-NG"),
    ("QHX-SQX-SQ", "石桥村", "village", "QHX-SQX"),
    ("QHX-SQX-SQ-1", "石桥村一组", "group", "QHX-SQX-SQ"),
    ("QHX-SQX-SQ-2", "石桥村二组", "group", "QHX-SQX-SQ"),
    ("QHX-SQX-LW", "柳湾村", "village", "QHX-SQX"),
    ("QHX-SQX-LW-1", "柳湾村一组", "group", "QHX-SQX-LW"),
    ("QHX-SQX-LW-2", "柳湾村二组", "group", "QHX-SQX-LW"),
    ("QHX-SQX-LW-3", "柳湾村三组", "group", "QHX-SQX-LW"),
    ("QHX-XFJ", "县信访局", "department", "QHX"),
    ("QHX-XFJ-JDZX", "县人民来访接待中心", "department", "QHX-XFJ"),
    ("QHX-DCS", "县委督查室", "department", "QHX"),
    ("QHX-RDLLS", "县人大常委会联络室", "department", "QHX"),
    ("QHX-ZXTAW", "县政协提案委员会", "department", "QHX"),
    ("QHX-JYJ", "县教育局", "department", "QHX"),
    ("QHX-ZJJ", "县住建局", "department", "QHX"),
]

# code, name, unit code, rank, posts
PEOPLE: list[tuple[str, str, str, str, str]] = [
    # County leaders (县级领导)
    ("QHX-P001", "周立新", "QHX", "county_level", "county_secretary;county_leader"),
    ("QHX-P002", "陈志刚", "QHX", "county_level", "county_leader"),
    ("QHX-P003", "刘海燕", "QHX", "county_level", "county_leader"),
    ("QHX-P004", "孙国强", "QHX", "county_level", "county_leader"),
    ("QHX-P005", "吴秀兰", "QHX", "county_level", "county_leader;deputy"),
    ("QHX-P006", "郑文华", "QHX", "county_level", "county_leader;member"),
    # 城关镇
    ("QHX-P101", "黄卫东", "QHX-CGZ", "section_chief", "township_secretary"),
    ("QHX-P102", "马丽", "QHX-CGZ", "section_chief", "township_head"),
    ("QHX-P103", "何俊", "QHX-CGZ", "deputy_section", "township_leader"),
    ("QHX-P104", "罗静", "QHX-CGZ", "deputy_section", "township_leader;deputy"),
    ("QHX-P105", "高峰", "QHX-CGZ", "staff", "cadre"),
    ("QHX-P106", "林小燕", "QHX-CGZ", "staff", "cadre"),
    # 石桥乡
    ("QHX-P201", "梁志强", "QHX-SQX", "section_chief", "township_secretary"),
    ("QHX-P202", "宋晓红", "QHX-SQX", "section_chief", "township_head"),
    ("QHX-P203", "唐亮", "QHX-SQX", "deputy_section", "township_leader"),
    ("QHX-P204", "韩冬梅", "QHX-SQX", "deputy_section", "township_leader;deputy"),
    ("QHX-P205", "冯磊", "QHX-SQX", "staff", "cadre"),
    ("QHX-P206", "曹丽", "QHX-SQX", "staff", "cadre"),
    # Village and community cadres (村/社区干部)
    ("QHX-P301", "邓建华", "QHX-CGZ-NG", "staff", "cadre;deputy"),
    ("QHX-P302", "许桂芳", "QHX-CGZ-DJ", "staff", "cadre"),
    ("QHX-P303", "沈永福", "QHX-SQX-SQ", "staff", "cadre"),
    ("QHX-P304", "胡秀英", "QHX-SQX-LW", "staff", "cadre"),
    # County departments
    ("QHX-P401", "彭志远", "QHX-XFJ", "section_chief", "unit_head"),
    ("QHX-P402", "袁梅", "QHX-XFJ", "deputy_section", "cadre"),
    ("QHX-P403", "蒋涛", "QHX-XFJ-JDZX", "staff", "cadre"),
    ("QHX-P411", "董建平", "QHX-DCS", "section_chief", "unit_head"),
    ("QHX-P412", "潘悦", "QHX-DCS", "staff", "cadre"),
    ("QHX-P421", "蔡国华", "QHX-RDLLS", "section_chief", "unit_head"),
    ("QHX-P431", "魏淑珍", "QHX-ZXTAW", "section_chief", "unit_head;member"),
    ("QHX-P441", "田振宇", "QHX-JYJ", "section_chief", "unit_head;deputy"),
    ("QHX-P442", "杜娟", "QHX-JYJ", "staff", "cadre"),
    ("QHX-P451", "程伟", "QHX-ZJJ", "section_chief", "unit_head;member"),
    ("QHX-P452", "余洋", "QHX-ZJJ", "staff", "cadre"),
]

# person code, unit code, kind
LINKS: list[tuple[str, str, str]] = [
    ("QHX-P001", "QHX-CGZ", "linked_township"),
    ("QHX-P002", "QHX-SQX", "linked_township"),
    ("QHX-P003", "QHX-CGZ", "linked_township"),
    ("QHX-P004", "QHX-SQX", "linked_township"),
    ("QHX-P005", "QHX-CGZ", "linked_township"),
    ("QHX-P006", "QHX-SQX", "linked_township"),
    ("QHX-P001", "QHX-CGZ-NG", "contact_point"),
    ("QHX-P004", "QHX-SQX-SQ", "contact_point"),
    ("QHX-P004", "QHX-JYJ", "contact_point"),
    ("QHX-P002", "QHX-SQX-LW", "contact_point"),
    ("QHX-P101", "QHX-CGZ-NG", "linked_village"),
    ("QHX-P102", "QHX-CGZ-DJ", "linked_village"),
    ("QHX-P103", "QHX-CGZ-NG", "linked_village"),
    ("QHX-P104", "QHX-CGZ-DJ", "linked_village"),
    ("QHX-P201", "QHX-SQX-SQ", "linked_village"),
    ("QHX-P202", "QHX-SQX-LW", "linked_village"),
    ("QHX-P203", "QHX-SQX-LW", "linked_village"),
    ("QHX-P204", "QHX-SQX-SQ", "linked_village"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    unit: str
    roles: tuple[str, ...]
    person: str | None = None
    superuser: bool = False


ACCOUNTS: list[DemoAccount] = [
    DemoAccount("xinfang", "QHX-XFJ", (Role.PETITION_OFFICE,), person="QHX-P403"),
    DemoAccount("chengguan", "QHX-CGZ", (Role.UNIT_STAFF,), person="QHX-P105"),
    DemoAccount("shiqiao", "QHX-SQX", (Role.UNIT_STAFF,), person="QHX-P205"),
    DemoAccount("jiaoyu", "QHX-JYJ", (Role.UNIT_STAFF,), person="QHX-P442"),
    DemoAccount("lingdao", "QHX", (Role.LEADER,), person="QHX-P004"),
    DemoAccount("shuji", "QHX-CGZ", (Role.LEADER,), person="QHX-P101"),
    DemoAccount("ducha", "QHX-DCS", (Role.SUPERVISOR,), person="QHX-P412"),
    DemoAccount("admin", "QHX", (Role.ADMIN,), superuser=True),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "建国", "秀英", "桂兰", "志强", "玉梅", "德明", "春花", "永红", "海军", "凤英",
    "国华", "淑芬", "长林", "金凤", "文斌", "丽娟", "家旺", "翠兰", "保国", "小红",
]  # fmt: skip
# Category mixes, repeated across villages: most households have none.
CATEGORY_MIX = [
    "",
    "party_member",
    "monitored",
    "alleviated",
    "",
    "vulnerable",
    "alleviated;vulnerable",
    "petitioner",
    "",
    "party_member",
    "monitored;vulnerable",
    "other",
]
HOUSEHOLDS_PER_VILLAGE = 10


@cache
def demo_password_hash() -> str:
    """The demo password hashed once (a strong hash takes a good part of a second) and given to
    every demo account."""
    return make_password(DEMO_PASSWORD)


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def build_directory() -> dict[str, int]:
    """Units, people, links and households; returns how many of each were created."""
    created = {"units": 0, "people": 0, "links": 0, "households": 0}
    for code, name, kind, parent in UNITS:
        if not OrgUnit.all_objects.filter(code=code).exists():
            unit = OrgUnit(
                code=code, name=name, kind=kind, parent=_unit(parent) if parent else None
            )
            unit_save(unit=unit, reason=REASON)
            created["units"] += 1
    for code, name, unit_code, rank, posts in PEOPLE:
        if not Person.all_objects.filter(code=code).exists():
            person = Person(code=code, name=name, unit=_unit(unit_code), rank=rank, posts=posts)
            person_save(person=person, reason=REASON)
            created["people"] += 1
    for person_code, unit_code, kind in LINKS:
        person = Person.objects.get(code=person_code)
        unit = _unit(unit_code)
        if not Link.objects.filter(person=person, unit=unit, kind=kind).exists():
            link_save(link=Link(person=person, unit=unit, kind=kind), reason=REASON)
            created["links"] += 1
    created["households"] = build_households()
    return created


def _household_rows() -> list[dict[str, Any]]:
    """The same ~40 households every run: a fixed seed keeps names and sizes stable."""
    rng = random.Random(2025)
    villages = [code for code, _name, kind, _p in UNITS if kind in ("village", "community")]
    rows = []
    for v_index, village in enumerate(villages):
        groups = [code for code, _name, kind, parent in UNITS if parent == village]
        for n in range(HOUSEHOLDS_PER_VILLAGE):
            categories = CATEGORY_MIX[(n + v_index * 3) % len(CATEGORY_MIX)]
            if village.endswith("-DJ") and n % 4 == 2:
                categories = "urban_hardship"  # hardship households of a town community
            number = v_index * HOUSEHOLDS_PER_VILLAGE + n + 1
            rows.append(
                {
                    "code": f"QHX-H{number:03d}",
                    "head": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "village": village,
                    "group": groups[n % len(groups)],
                    "categories": categories,
                    "size": rng.randint(1, 6),
                    "phone": f"139{rng.randint(0, 99_999_999):08d}",
                }
            )
    return rows


def build_households() -> int:
    created = 0
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__startswith="QHX")}
    for row in _household_rows():
        if Household.all_objects.filter(code=row["code"]).exists():
            continue
        group = units[row["group"]]
        household = Household(
            code=row["code"],
            head=row["head"],
            village=units[row["village"]],
            group=group,
            categories=row["categories"],
            size=row["size"],
            phone=row["phone"],
            address=group.name,
        )
        household_save(household=household, reason=REASON)
        created += 1
    return created


def build_accounts() -> int:
    created = 0
    for spec in ACCOUNTS:
        if User.objects.filter(username=spec.username).exists():
            continue
        person = Person.objects.get(code=spec.person) if spec.person else None
        account_create(
            username=spec.username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            unit=_unit(spec.unit),
            roles=list(spec.roles),
            display_name=person.name if person else _("Administrator"),
            person=person,
            is_superuser=spec.superuser,
        )
        created += 1
    return created


def login_table(extra_usernames: list[str] = ()) -> list[tuple[str, str, str, str]]:  # type: ignore[assignment]
    rows = []
    usernames = [spec.username for spec in ACCOUNTS] + [
        u for u in extra_usernames if u not in {s.username for s in ACCOUNTS}
    ]
    for username in usernames:
        user = User.objects.select_related("unit", "person").get(username=username)
        labels = user.role_labels() or (user.person.post_labels() if user.person else [])
        roles = "、".join(labels) or (_("administrator") if user.is_superuser else "—")
        rows.append((user.username, DEMO_PASSWORD, roles, user.unit.name if user.unit else ""))
    return rows


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain text table; widths count a CJK character as two columns."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    table = [header, *rows]
    widths = [max(width(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
