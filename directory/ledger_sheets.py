"""Ledger sheets of the directory app: units, people, links, households.

Registered at import (DirectoryConfig.ready imports this module). The template examples use
the codes below; sheets of other apps may refer to them in their own examples so that the
whole template imports cleanly: person EX-P1 (in township EX-T1), village EX-V1, group
EX-V1-1, household EX-H1.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import join_codes
from .ledger import (
    UNCHANGED,
    Choice,
    CodeList,
    Column,
    ImportContext,
    Outcome,
    ParsedRow,
    RowError,
    Sheet,
    integer,
    register_sheet,
    snapshot,
)
from .models import (
    Household,
    HouseholdCategory,
    Link,
    LinkKind,
    OrgUnit,
    Person,
    Post,
    Rank,
    UnitKind,
)
from .services import household_save, link_save, person_save, unit_save

UNIT_KIND = Choice(
    UnitKind,
    {
        "市": UnitKind.CITY,
        "地级市": UnitKind.CITY,
        "县": UnitKind.COUNTY,
        "县（市、区）": UnitKind.COUNTY,
        "区": UnitKind.DISTRICT,
        "市辖区": UnitKind.DISTRICT,
        "乡镇": UnitKind.TOWNSHIP,
        "乡": UnitKind.TOWNSHIP,
        "镇": UnitKind.TOWNSHIP,
        "街道": UnitKind.STREET,
        "街道办事处": UnitKind.STREET,
        "乡镇（街道）": UnitKind.TOWNSHIP,
        "村": UnitKind.VILLAGE,
        "行政村": UnitKind.VILLAGE,
        "社区": UnitKind.COMMUNITY,
        "村民小组": UnitKind.GROUP,
        "组": UnitKind.GROUP,
        "部门": UnitKind.DEPARTMENT,
        "县直部门": UnitKind.DEPARTMENT,
        "县直单位": UnitKind.DEPARTMENT,
        "市直部门": UnitKind.DEPARTMENT,
        "市直单位": UnitKind.DEPARTMENT,
        "区直部门": UnitKind.DEPARTMENT,
        "区直单位": UnitKind.DEPARTMENT,
    },
)
RANK = Choice(
    Rank,
    {
        "处级": Rank.COUNTY_LEVEL,
        "县处级": Rank.COUNTY_LEVEL,
        "县级": Rank.COUNTY_LEVEL,
        "正科": Rank.SECTION_CHIEF,
        "正科级": Rank.SECTION_CHIEF,
        "副科": Rank.DEPUTY_SECTION,
        "副科级": Rank.DEPUTY_SECTION,
        "一般干部": Rank.STAFF,
        "科员": Rank.STAFF,
        "工作人员": Rank.STAFF,
    },
)
POSTS = CodeList(
    Post,
    {
        "市委书记": Post.CITY_SECRETARY,
        "市级领导": Post.CITY_LEADER,
        "市党政领导班子成员": Post.CITY_LEADER,
        "市直部门主要负责人": Post.CITY_UNIT_HEAD,
        "县委书记": Post.COUNTY_SECRETARY,
        "区委书记": Post.COUNTY_SECRETARY,
        "县级领导": Post.COUNTY_LEADER,
        "区级领导": Post.COUNTY_LEADER,
        "乡镇党委书记": Post.TOWNSHIP_SECRETARY,
        "街道党工委书记": Post.TOWNSHIP_SECRETARY,
        "党委书记": Post.TOWNSHIP_SECRETARY,
        "乡镇长": Post.TOWNSHIP_HEAD,
        "乡长": Post.TOWNSHIP_HEAD,
        "镇长": Post.TOWNSHIP_HEAD,
        "街道办事处主任": Post.TOWNSHIP_HEAD,
        "乡镇领导班子成员": Post.TOWNSHIP_LEADER,
        "班子成员": Post.TOWNSHIP_LEADER,
        "单位主要负责人": Post.UNIT_HEAD,
        "主要负责人": Post.UNIT_HEAD,
        "干部": Post.CADRE,
        "人大代表": Post.DEPUTY,
        "政协委员": Post.MEMBER,
    },
)
LINK_KIND = Choice(
    LinkKind,
    {
        "联系乡镇": LinkKind.LINKED_TOWNSHIP,
        "联系街道": LinkKind.LINKED_TOWNSHIP,
        "联系村": LinkKind.LINKED_VILLAGE,
        "联系村（社区）": LinkKind.LINKED_VILLAGE,
        "联系社区": LinkKind.LINKED_VILLAGE,
        "联系点": LinkKind.CONTACT_POINT,
    },
)
CATEGORIES = CodeList(
    HouseholdCategory,
    {
        "党员户": HouseholdCategory.PARTY_MEMBER,
        "监测户": HouseholdCategory.MONITORED,
        "脱贫户": HouseholdCategory.ALLEVIATED,
        "城市困难户": HouseholdCategory.URBAN_HARDSHIP,
        "城市困难人员": HouseholdCategory.URBAN_HARDSHIP,
        "弱势户": HouseholdCategory.VULNERABLE,
        "困难群体": HouseholdCategory.VULNERABLE,
        "信访户": HouseholdCategory.PETITIONER,
        "其他": HouseholdCategory.OTHER,
    },
)


# --- units ----------------------------------------------------------------------------------


def order_units(
    rows: list[ParsedRow],
) -> tuple[list[ParsedRow], list[tuple[ParsedRow, RowError]]]:
    """Parents before children whatever the order of the rows; rows whose parent codes form a
    cycle are rejected (a parent outside the sheet is looked up when the row is imported)."""
    by_code = {row.values["code"]: row for row in rows}
    done: set[str] = set()
    ordered: list[ParsedRow] = []
    rejected: list[tuple[ParsedRow, RowError]] = []
    for row in rows:
        chain: list[str] = []
        code = row.values["code"]
        while code in by_code and code not in done and code not in chain:
            chain.append(code)
            code = by_code[code].values.get("parent") or ""
        cycle = chain[chain.index(code) :] if code in chain else []
        if cycle:
            message = gettext("The parent codes form a cycle: %(cycle)s.") % {
                "cycle": " → ".join([*cycle, cycle[0]])
            }
            rejected.extend((by_code[c], RowError("parent", message)) for c in cycle)
        for member in reversed(chain):
            if member not in cycle:
                ordered.append(by_code[member])
            done.add(member)
    return ordered, rejected


def import_unit(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    code = row["code"]
    unit: OrgUnit | None = ctx.existing(OrgUnit, "code", code=code)
    before = snapshot(unit)
    parent = ctx.unit(row["parent"], "parent") if row.get("parent") else None
    if unit is None:
        ctx.check_scope(parent, "parent")
        unit = OrgUnit(code=code)
    else:
        ctx.check_scope(unit, "code")
        if "parent" in row and unit.parent_id != (parent.pk if parent else None):
            ctx.check_scope(parent, "parent")
    unit.name = row["name"]
    unit.kind = row["kind"]
    if "parent" in row:
        unit.parent = parent
    old_path = unit.path
    outcome = ctx.save(unit, before, lambda: unit_save(unit=unit, reason=ctx.reason))
    if old_path and unit.path != old_path:
        ctx.forget(OrgUnit)  # descendants moved: cached paths are stale
    ctx.remember(unit, code)
    return outcome


register_sheet(
    Sheet(
        name="units",
        title_zh="机构",
        label=_("Org units"),
        order=10,
        columns=(
            Column("code", "编码", _("code"), required=True),
            Column("name", "名称", _("name"), required=True),
            Column("kind", "类型", _("kind"), required=True, parse=UNIT_KIND),
            Column("parent", "上级编码", _("parent unit")),
        ),
        import_row=import_unit,
        order_rows=order_units,
        examples=(
            {"code": "EX", "name": "示例县", "kind": "县", "parent": ""},
            {"code": "EX-T1", "name": "示例镇", "kind": "乡镇", "parent": "EX"},
            {"code": "EX-V1", "name": "示例村", "kind": "村", "parent": "EX-T1"},
            {"code": "EX-V1-1", "name": "示例村一组", "kind": "村民小组", "parent": "EX-V1"},
        ),
    )
)


# --- people -----------------------------------------------------------------------------------


def import_person(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    code = row["code"]
    person: Person | None = ctx.existing(Person, "code", code=code)
    before = snapshot(person)
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    if person is None:
        person = Person(code=code)
    else:
        ctx.check_scope(ctx.unit_by_id(person.unit_id), "code")
    person.name = row["name"]
    person.unit = unit
    if row.get("rank"):
        person.rank = row["rank"]
    if "posts" in row:
        person.posts = join_codes(row["posts"])
    if "phone" in row:
        person.phone = row["phone"]
    return ctx.save(person, before, lambda: person_save(person=person, reason=ctx.reason))


register_sheet(
    Sheet(
        name="people",
        title_zh="人员",
        label=_("People"),
        order=20,
        columns=(
            Column("code", "编码", _("code"), required=True),
            Column("name", "姓名", _("name"), required=True),
            Column("unit", "单位编码", _("unit"), required=True),
            Column("rank", "职级", _("rank"), parse=RANK),
            Column("posts", "职务", _("posts"), parse=POSTS),
            Column("phone", "电话", _("phone")),
        ),
        import_row=import_person,
        examples=(
            {
                "code": "EX-P1",
                "name": "张示例",
                "unit": "EX-T1",
                "rank": "正科",
                "posts": "乡镇党委书记;人大代表",
                "phone": "13800000000",
            },
        ),
    )
)


# --- links ------------------------------------------------------------------------------------


def import_link(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    """A link has no code: the (person, unit, kind) triple is its identity."""
    person = ctx.person(row["person"], "person")
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    states = list(
        Link.all_objects.filter(person=person, unit=unit, kind=row["kind"]).values_list(
            "deleted_at", flat=True
        )
    )
    if None in states:
        return UNCHANGED
    if states:
        raise RowError("person", gettext("This link was deleted; restore it first."))
    link = Link(person=person, unit=unit, kind=row["kind"])
    return ctx.save(link, None, lambda: link_save(link=link, reason=ctx.reason))


register_sheet(
    Sheet(
        name="links",
        title_zh="挂联",
        label=_("Links"),
        order=30,
        columns=(
            Column("person", "人员编码", _("person"), required=True),
            Column("unit", "单位编码", _("unit"), required=True),
            Column("kind", "联系类型", _("kind"), required=True, parse=LINK_KIND),
        ),
        identity=("person", "unit", "kind"),
        import_row=import_link,
        examples=({"person": "EX-P1", "unit": "EX-V1", "kind": "联系村"},),
    )
)


# --- households -----------------------------------------------------------------------------------


def import_household(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    code = row["code"]
    household: Household | None = ctx.existing(Household, "code", code=code)
    before = snapshot(household)
    village = ctx.unit(row["village"], "village")
    ctx.check_scope(village, "village")
    group = ctx.unit(row["group"], "group") if row.get("group") else None
    if household is None:
        household = Household(code=code)
    else:
        ctx.check_scope(ctx.unit_by_id(household.village_id), "code")
    household.head = row["head"]
    household.village = village
    if "group" in row:
        household.group = group
    if "categories" in row:
        household.categories = join_codes(row["categories"])
    if row.get("size") is not None:
        household.size = row["size"]
    for key in ("address", "phone"):
        if key in row:
            setattr(household, key, row[key])
    return ctx.save(
        household, before, lambda: household_save(household=household, reason=ctx.reason)
    )


register_sheet(
    Sheet(
        name="households",
        title_zh="农户",
        label=_("Households"),
        order=40,
        columns=(
            Column("code", "户编码", _("code"), required=True),
            Column("head", "户主", _("head of household"), required=True),
            Column("village", "村（社区）编码", _("village / community"), required=True),
            Column("group", "村民小组编码", _("villager group")),
            Column("categories", "类别", _("categories"), parse=CATEGORIES),
            Column("size", "人口数", _("household size"), parse=integer),
            Column("address", "地址", _("address")),
            Column("phone", "联系电话", _("phone")),
        ),
        import_row=import_household,
        examples=(
            {
                "code": "EX-H1",
                "head": "李示例",
                "village": "EX-V1",
                "group": "EX-V1-1",
                "categories": "监测户;党员户",
                "size": 3,
                "address": "示例村一组8号",
                "phone": "13900000000",
            },
        ),
    )
)
