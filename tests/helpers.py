"""Small make_* helpers and a named test county, used by every test module.

`build_county()` makes: 清河县 (county) with 城关镇 and 青山乡, villages 东街社区 (城关镇),
桃园村 and 柳溪村 (青山乡), groups, departments 县信访局 and 县教育局, people with posts, and
accounts for each role (password `test-pass-123`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from directory.models import Household, Link, OrgUnit, Person, Role, User
from directory.services import account_create, household_save, link_save, person_save, unit_save

PASSWORD = "test-pass-123"
_seq = itertools.count(1)


def make_unit(
    name: str, kind: str, parent: OrgUnit | None = None, code: str | None = None
) -> OrgUnit:
    return unit_save(
        unit=OrgUnit(code=code or f"U{next(_seq)}", name=name, kind=kind, parent=parent)
    )


def make_person(
    name: str, unit: OrgUnit, posts: str = "", rank: str = "staff", code: str | None = None
) -> Person:
    return person_save(
        person=Person(code=code or f"P{next(_seq)}", name=name, unit=unit, posts=posts, rank=rank)
    )


def make_household(
    head: str,
    village: OrgUnit,
    categories: str = "",
    group: OrgUnit | None = None,
    code: str | None = None,
) -> Household:
    return household_save(
        household=Household(
            code=code or f"H{next(_seq)}",
            head=head,
            village=village,
            group=group,
            categories=categories,
        )
    )


def make_link(person: Person, unit: OrgUnit, kind: str) -> Link:
    return link_save(link=Link(person=person, unit=unit, kind=kind))


def make_user(
    username: str, unit: OrgUnit | None, *roles: str, person: Person | None = None
) -> User:
    return account_create(
        username=username,
        password=PASSWORD,
        unit=unit,
        roles=list(roles),
        display_name=username,
        person=person,
    )


@dataclass
class County:
    county: OrgUnit
    chengguan: OrgUnit
    qingshan: OrgUnit
    dongjie: OrgUnit
    taoyuan: OrgUnit
    liuxi: OrgUnit
    taoyuan_g1: OrgUnit
    petition_bureau: OrgUnit
    education: OrgUnit
    county_leader: Person
    qingshan_secretary: Person
    chengguan_head: Person
    household_taoyuan: Household
    household_dongjie: Household
    petition_clerk: User
    supervisor: User
    admin: User
    leader: User
    qingshan_staff: User
    chengguan_staff: User
    education_staff: User


def build_county() -> County:
    county = make_unit("清河县", "county", code="QH")
    chengguan = make_unit("城关镇", "township", county, code="QH-CG")
    qingshan = make_unit("青山乡", "township", county, code="QH-QS")
    dongjie = make_unit("东街社区", "community", chengguan, code="QH-CG-DJ")
    taoyuan = make_unit("桃园村", "village", qingshan, code="QH-QS-TY")
    liuxi = make_unit("柳溪村", "village", qingshan, code="QH-QS-LX")
    taoyuan_g1 = make_unit("桃园村一组", "group", taoyuan, code="QH-QS-TY-1")
    petition_bureau = make_unit("县信访局", "department", county, code="QH-XFJ")
    education = make_unit("县教育局", "department", county, code="QH-JYJ")
    county_leader = make_person("王建国", county, "county_leader", "county_level", code="P-WJG")
    qingshan_secretary = make_person(
        "李明", qingshan, "township_secretary", "section_chief", code="P-LM"
    )
    chengguan_head = make_person("赵芳", chengguan, "township_head", "section_chief", code="P-ZF")
    make_link(county_leader, qingshan, "linked_township")
    return County(
        county=county,
        chengguan=chengguan,
        qingshan=qingshan,
        dongjie=dongjie,
        taoyuan=taoyuan,
        liuxi=liuxi,
        taoyuan_g1=taoyuan_g1,
        petition_bureau=petition_bureau,
        education=education,
        county_leader=county_leader,
        qingshan_secretary=qingshan_secretary,
        chengguan_head=chengguan_head,
        household_taoyuan=make_household("张三", taoyuan, "party_member", taoyuan_g1, code="H-ZS"),
        household_dongjie=make_household("陈四", dongjie, "monitored", code="H-CS"),
        petition_clerk=make_user("clerk", petition_bureau, Role.PETITION_OFFICE),
        supervisor=make_user("supervisor", county, Role.SUPERVISOR),
        admin=make_user("admin", county, Role.ADMIN),
        leader=make_user("leader", county, Role.LEADER, person=county_leader),
        qingshan_staff=make_user("qingshan", qingshan, Role.UNIT_STAFF),
        chengguan_staff=make_user("chengguan", chengguan, Role.UNIT_STAFF),
        education_staff=make_user("education", education, Role.UNIT_STAFF),
    )


def make_rule(
    rule_id: str,
    kind: str = "DEADLINE",
    params: dict | None = None,
    *,
    pack: str = "taoyuan",
    period: str = "item",
    subject_posts: str = "",
):
    from rules.models import Rule

    params = (
        params
        if params is not None
        else {"start_event": "start", "end_event": "end", "amount": 5, "unit": "workdays"}
    )
    rule = Rule(
        rule_id=rule_id,
        pack=pack,
        kind=kind,
        title=rule_id,
        params=params,
        pack_params=params,
        period=period,
        subject_posts=subject_posts,
    )
    rule.save()
    return rule
