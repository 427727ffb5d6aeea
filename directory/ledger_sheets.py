"""Ledger sheets of the directory app: units, people, links, households.

Registered at import (DirectoryConfig.ready imports this module). Codes are the stable keys;
a ledger that has none names units by name within their parent, people by name within their
unit (or by phone) and households by the head's name within the village (or the head's ID
number) — a record found so is updated, one not found is created with a code made from its
parent's (`QH-CG-3`). Kinds, ranks and posts are read from the model's choices, so a value
added there is accepted here.

The template examples use the codes below; sheets of other apps may refer to them in their
own examples so that the whole template imports cleanly: person EX-P1 (in township EX-T1),
village EX-V1, group EX-V1-1, household EX-H1.
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
    code,
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
    Role,
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
        "居委会": "community",
        "单位": "department",
    },
)
RANK = Choice(
    Rank,
    {
        "处级": "county_level",
        "县处级": "county_level",
        "县级": "county_level",
        "正科": "section_chief",
        "正科级": "section_chief",
        "副科": "deputy_section",
        "副科级": "deputy_section",
        "一般干部": "staff",
        "科员": "staff",
        "工作人员": "staff",
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
        "市直单位主要负责人": "city_unit_head",
        "党工委书记": "township_secretary",
        "街道办主任": "township_head",
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
        "挂联乡镇": "linked_township",
        "挂联村": "linked_village",
        "基层联系点": "contact_point",
    },
)
CATEGORIES = CodeList(
    HouseholdCategory,
    {
        "党员户": "party_member",
        "党员": "party_member",
        "监测户": "monitored",
        "监测对象": "monitored",
        "脱贫户": "alleviated",
        "城市困难户": "urban_hardship",
        "城市困难人员": "urban_hardship",
        "弱势户": "vulnerable",
        "困难群体": "vulnerable",
        "信访户": "petitioner",
        "其他": "other",
        "一般户": "other",
    },
)


def administrators(user: Any) -> bool:
    """Units, people and links are set up by administrators (the admin site)."""
    return bool(user.has_role(Role.ADMIN))


def household_editors(user: Any) -> bool:
    """As the household form: administrators and unit staff (within their unit)."""
    return bool(user.has_role(Role.ADMIN, Role.UNIT_STAFF))


def _code_or(row: dict[str, Any], *keys: str) -> str:
    """A row's identity: its code, else the values that name it (name within the parent)."""
    return row.get("code") or "@".join(str(row.get(key, "")) for key in keys)


# --- units ----------------------------------------------------------------------------------


def order_units(
    rows: list[ParsedRow],
) -> tuple[list[ParsedRow], list[tuple[ParsedRow, RowError]]]:
    """Parents before children whatever the order of the rows (a parent given by code or by
    name); rows whose parents form a cycle are rejected (a parent outside the sheet is looked
    up when the row is imported)."""
    by_key: dict[str, ParsedRow] = {}
    for row in rows:
        by_key.setdefault(row.values.get("name", ""), row)
    for row in rows:
        if row.values.get("code"):
            by_key[row.values["code"]] = row

    def key_of(row: ParsedRow) -> str:
        return row.values.get("code") or row.values.get("name", "")

    done: set[str] = set()
    ordered: list[ParsedRow] = []
    rejected: list[tuple[ParsedRow, RowError]] = []
    for row in rows:
        chain: list[str] = []
        key = key_of(row)
        while key in by_key and key not in done and key not in chain:
            chain.append(key)
            parent = by_key[key].values.get("parent") or ""
            key = key_of(by_key[parent]) if parent in by_key else parent
        cycle = chain[chain.index(key) :] if key in chain else []
        if cycle:
            message = gettext("The parent codes form a cycle: %(cycle)s.") % {
                "cycle": " → ".join([*cycle, cycle[0]])
            }
            rejected.extend((by_key[c], RowError("parent", message)) for c in cycle)
        for member in reversed(chain):
            if member not in cycle and by_key[member] not in ordered:
                ordered.append(by_key[member])
            done.add(member)
    return ordered, rejected


def _unit_by_name(row: dict[str, Any], parent: OrgUnit | None, ctx: ImportContext) -> Any:
    found = list(OrgUnit.all_objects.filter(name=row["name"], parent=parent).order_by("pk")[:2])
    if len(found) > 1:
        raise RowError(
            "name",
            gettext("Two units of this name sit under the same parent; give the code."),
        )
    if found and found[0].deleted_at is not None:
        raise RowError("name", gettext("This unit was deleted; restore it first."))
    return found[0] if found else None


def import_unit(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    given = row.get("code", "")
    parent = ctx.unit(row["parent"], "parent") if row.get("parent") else None
    if given:
        unit: OrgUnit | None = ctx.existing(OrgUnit, "code", code=given)
    else:
        unit = _unit_by_name(row, parent, ctx)
    before = snapshot(unit)
    if unit is None:
        ctx.check_scope(parent, "parent")
        unit = OrgUnit(code=given or ctx.new_code(OrgUnit, parent.code if parent else "U"))
    else:
        ctx.check_scope(unit, "code")
        if row.get("parent") and unit.parent_id != (parent.pk if parent else None):
            ctx.check_scope(parent, "parent")
    unit.name = row["name"]
    unit.kind = row["kind"]
    if "parent" in row:
        unit.parent = parent
    old_path = unit.path
    outcome = ctx.save(unit, before, lambda: unit_save(unit=unit, reason=ctx.reason))
    if old_path and unit.path != old_path:
        ctx.forget(OrgUnit)  # descendants moved: cached paths are stale
    ctx.remember(unit, unit.code)
    return outcome


register_sheet(
    Sheet(
        name="units",
        title_zh="机构",
        label=_("Org units"),
        order=10,
        columns=(
            Column("code", "编码", _("code"), parse=code, aliases=("单位编码", "机构编码")),
            Column(
                "name",
                "名称",
                _("name"),
                required=True,
                aliases=("单位名称", "机构名称", "村（社区）名称", "单位"),
            ),
            Column(
                "kind",
                "类型",
                _("kind"),
                required=True,
                parse=UNIT_KIND,
                aliases=("层级", "单位类型"),
            ),
            Column(
                "parent",
                "上级编码",
                _("parent unit"),
                aliases=("上级单位", "上级", "所属乡镇", "上级单位编码", "所属单位"),
                refers="unit",
            ),
        ),
        identify=lambda row: _code_or(row, "name", "parent"),
        import_row=import_unit,
        order_rows=order_units,
        may_import=administrators,
        aliases=("组织机构", "单位名册", "行政区划"),
        examples=(
            {"code": "EX", "name": "示例县", "kind": "县", "parent": ""},
            {"code": "EX-T1", "name": "示例镇", "kind": "乡镇", "parent": "EX"},
            {"code": "EX-V1", "name": "示例村", "kind": "村", "parent": "EX-T1"},
            {"code": "EX-V1-1", "name": "示例村一组", "kind": "村民小组", "parent": "EX-V1"},
        ),
    )
)


# --- people -----------------------------------------------------------------------------------


def _person_by_name(row: dict[str, Any], unit: OrgUnit) -> Person | None:
    """An existing person of the row's unit by name, or by phone."""
    same = list(Person.objects.filter(name=row["name"], unit=unit)[:2])
    if len(same) > 1:
        raise RowError("name", gettext("Two people of this name work in this unit; give the code."))
    if same:
        return same[0]
    if row.get("phone"):
        return Person.objects.filter(phone=row["phone"], unit=unit).first()
    return None


def import_person(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    given = row.get("code", "")
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    if given:
        person: Person | None = ctx.existing(Person, "code", code=given)
    else:
        person = _person_by_name(row, unit)
    before = snapshot(person)
    if person is None:
        person = Person(code=given or ctx.new_code(Person, f"{unit.code}-P"))
    else:
        ctx.check_scope(ctx.unit_by_id(person.unit_id), "code")
    person.name = row["name"]
    person.unit = unit
    if row.get("rank"):
        person.rank = row["rank"]
    if "posts" in row:
        person.posts = join_codes(row["posts"])
    if row.get("phone") or (given and "phone" in row):
        person.phone = row["phone"]
    outcome = ctx.save(person, before, lambda: person_save(person=person, reason=ctx.reason))
    ctx.remember(person, person.code)
    return outcome


register_sheet(
    Sheet(
        name="people",
        title_zh="人员",
        label=_("People"),
        order=20,
        columns=(
            Column("code", "编码", _("code"), parse=code, aliases=("人员编码", "干部编码")),
            Column("name", "姓名", _("name"), required=True, aliases=("干部姓名", "人员姓名")),
            Column(
                "unit",
                "单位编码",
                _("unit"),
                required=True,
                aliases=("单位", "工作单位", "所在单位", "单位名称"),
                refers="unit",
            ),
            Column("rank", "职级", _("rank"), parse=RANK, aliases=("级别",)),
            Column("posts", "职务", _("posts"), parse=POSTS, aliases=("现任职务", "岗位")),
            Column("phone", "电话", _("phone"), aliases=("联系电话", "手机", "手机号码", "手机号")),
        ),
        identify=lambda row: _code_or(row, "name", "unit"),
        import_row=import_person,
        may_import=administrators,
        aliases=("干部", "干部名册", "人员名单", "干部花名册"),
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
    unit = ctx.unit(row["unit"], "unit")
    person = ctx.person(row["person"], "person", near=unit)
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
            Column(
                "person",
                "人员编码",
                _("person"),
                required=True,
                aliases=("姓名", "领导姓名", "联系领导", "人员"),
                refers="person",
            ),
            Column(
                "unit",
                "单位编码",
                _("unit"),
                required=True,
                aliases=("联系单位", "挂联单位", "联系村（社区）", "联系乡镇", "单位"),
                refers="unit",
            ),
            Column(
                "kind", "联系类型", _("kind"), required=True, parse=LINK_KIND, aliases=("类型",)
            ),
        ),
        identity=("person", "unit", "kind"),
        import_row=import_link,
        may_import=administrators,
        aliases=("挂点", "挂联表", "领导联系点"),
        examples=({"person": "EX-P1", "unit": "EX-V1", "kind": "联系村"},),
    )
)


# --- households -----------------------------------------------------------------------------------


def _household_by_name(row: dict[str, Any], village: OrgUnit) -> Household | None:
    if row.get("id_number"):
        found = Household.all_objects.filter(id_number=row["id_number"]).first()
        if found is not None:
            return found
    same = list(Household.all_objects.filter(head=row["head"], village=village)[:2])
    if len(same) > 1:
        raise RowError(
            "head",
            gettext("Two households of this head live in this village; give the code."),
        )
    return same[0] if same else None


def _id_number(value: Any) -> str:
    return code(value).upper()


def import_household(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    given = row.get("code", "")
    village = ctx.unit(row["village"], "village")
    ctx.check_scope(village, "village")
    group = ctx.unit(row["group"], "group", within=village) if row.get("group") else None
    if given:
        household: Household | None = ctx.existing(Household, "code", code=given)
    else:
        household = _household_by_name(row, village)
        if household is not None and household.deleted_at is not None:
            raise RowError("head", gettext("This household was deleted; restore it first."))
    before = snapshot(household)
    if household is None:
        household = Household(code=given or ctx.new_code(Household, f"{village.code}-H"))
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
    for key in ("address", "phone", "id_number"):
        if row.get(key) or (given and key in row):
            setattr(household, key, row[key])
    outcome = ctx.save(
        household, before, lambda: household_save(household=household, reason=ctx.reason)
    )
    ctx.remember(household, household.code)
    return outcome


register_sheet(
    Sheet(
        name="households",
        title_zh="农户",
        label=_("Households"),
        order=40,
        columns=(
            Column("code", "户编码", _("code"), parse=code, aliases=("户号", "农户编码", "编码")),
            Column(
                "head",
                "户主",
                _("head of household"),
                required=True,
                aliases=("户主姓名", "姓名"),
            ),
            Column(
                "village",
                "村（社区）编码",
                _("village / community"),
                required=True,
                aliases=("村（社区）", "所在村", "村", "社区", "村名", "行政村", "村（社区）名称"),
                refers="unit",
            ),
            Column(
                "group",
                "村民小组编码",
                _("villager group"),
                aliases=("村民小组", "组", "小组"),
                refers="unit",
            ),
            Column(
                "categories",
                "类别",
                _("categories"),
                parse=CATEGORIES,
                aliases=("户类别", "户类型", "类型"),
            ),
            Column(
                "size",
                "人口数",
                _("household size"),
                parse=integer,
                aliases=("家庭人口", "人口", "户人口数"),
            ),
            Column("address", "地址", _("address"), aliases=("住址", "家庭住址")),
            Column("phone", "联系电话", _("phone"), aliases=("电话", "手机")),
            Column(
                "id_number",
                "户主身份证号",
                _("head's ID number"),
                parse=_id_number,
                aliases=("身份证号", "身份证号码", "户主身份证号码"),
            ),
        ),
        identify=lambda row: _code_or(row, "id_number", "head", "village"),
        import_row=import_household,
        may_import=household_editors,
        aliases=("农户信息", "户", "帮扶对象", "监测对象"),
        field_columns={"id_number": "id_number"},
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
                "id_number": "",
            },
        ),
    )
)
