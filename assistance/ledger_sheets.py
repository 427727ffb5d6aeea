"""Ledger sheets `pairings`, `aid` and `events` (DESIGN.md columns; `aid` also takes optional
`kind` and `description`, `events` an optional `festival` after them).

Rows go through the same services as the pages: a pairing row is validated like a form, an
aid row is a new entry (a ledger never corrects one: corrections are recorded on the page),
an events row opens the four-musts clocks. Importing the same ledger twice changes nothing:
a row that matches a live record is "unchanged"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.ledger import (
    UNCHANGED,
    Choice,
    Column,
    ImportContext,
    Outcome,
    RowError,
    Sheet,
    date,
    decimal,
    register_sheet,
    snapshot,
)
from rules.workdays import UnknownCalendarYear

from .access import may_manage_pairings
from .models import AidEntry, AidKind, EventKind, HouseholdEvent, Pairing, PairingKind
from .services import aid_record, event_record, pairing_save

PAIRING_KIND = Choice(
    PairingKind,
    {
        "监测户": PairingKind.MONITORED,
        "脱贫户": PairingKind.ALLEVIATED,
        "城市困难人员": PairingKind.URBAN_HARDSHIP,
        "城市困难户": PairingKind.URBAN_HARDSHIP,
        "中心户": PairingKind.CENTRE,
        "联系中心户": PairingKind.CENTRE,
        "辐射户": PairingKind.RADIATED,
    },
)
EVENT_KIND = Choice(
    EventKind,
    {
        "重病": EventKind.ILLNESS,
        "重大疾病": EventKind.ILLNESS,
        "灾害": EventKind.DISASTER,
        "受灾": EventKind.DISASTER,
        "特殊节日": EventKind.FESTIVAL,
        "节日": EventKind.FESTIVAL,
        "思想异常": EventKind.THINKING,
    },
)
AID_KIND = Choice(AidKind, {"资金": AidKind.MONEY, "现金": AidKind.MONEY, "物资": AidKind.GOODS})


def _household_and_person(
    row: dict[str, Any], ctx: ImportContext, *, person_column: str = "person"
) -> tuple[Any, Any]:
    """The row's household (by code, ID number, or head within the row's village) and cadre
    (by code, phone, or name near the household), with the scope checked on the household."""
    village = ctx.unit(row["village"], "village") if row.get("village") else None
    household = ctx.household(row["household"], "household", place=village)
    ctx.check_scope(ctx.unit_by_id(household.village_id), "household")
    if person_column not in row:
        return household, None
    near = ctx.unit_by_id(household.village_id)
    return household, ctx.person(row[person_column], person_column, near=near)


VILLAGE = Column(
    "village",
    "村（社区）",
    _("village / community"),
    aliases=("所在村", "村", "村（社区）编码", "村名"),
    refers="unit",
)
CADRE = Column(
    "person",
    "干部编码",
    _("cadre"),
    required=True,
    aliases=("帮扶干部", "结对干部", "干部姓名", "帮扶责任人", "姓名", "干部"),
    refers="person",
)
HOUSEHOLD = Column(
    "household",
    "农户编码",
    _("household"),
    required=True,
    aliases=("帮扶对象", "结对户", "户主", "户主姓名", "农户", "户编码", "农户姓名"),
    refers="household",
)


# --- pairings ----------------------------------------------------------------------------------


def import_pairing(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    household, person = _household_and_person(row, ctx)
    pairing: Pairing | None = ctx.existing(
        Pairing, "start", person=person, household=household, kind=row["kind"], start=row["start"]
    )
    before = snapshot(pairing)
    if pairing is None:
        pairing = Pairing(person=person, household=household, kind=row["kind"], start=row["start"])
    if "end" in row:
        pairing.end = row["end"]
    return ctx.save(
        pairing,
        before,
        lambda: pairing_save(pairing=pairing, acting_user=ctx.acting_user, reason=ctx.reason),
    )


register_sheet(
    Sheet(
        name="pairings",
        title_zh="结对帮扶",
        label=_("Pairings"),
        order=112,
        columns=(
            CADRE,
            HOUSEHOLD,
            Column(
                "kind",
                "结对类型",
                _("kind"),
                required=True,
                parse=PAIRING_KIND,
                aliases=("帮扶类型", "对象类别", "类型"),
            ),
            Column(
                "start",
                "开始日期",
                _("start"),
                required=True,
                parse=date,
                aliases=("结对日期", "结对时间", "开始时间"),
            ),
            Column("end", "结束日期", _("end"), parse=date, aliases=("结束时间", "解除日期")),
            VILLAGE,
        ),
        identity=("person", "household", "kind", "start"),
        import_row=import_pairing,
        may_import=may_manage_pairings,
        aliases=("结对", "帮扶结对", "结对帮扶台账"),
        examples=(
            {
                "person": "EX-P1",
                "household": "EX-H1",
                "kind": "监测户",
                "start": "2025-01-01",
                "end": "",
            },
        ),
    )
)


# --- aid ---------------------------------------------------------------------------------------


def import_aid(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    household, person = _household_and_person(row, ctx)
    user = ctx.acting_user
    # as may_record_aid, within the importer's scope: the cadre's own aid, or a manager's
    if user is not None and person.pk != user.person_id and not may_manage_pairings(user):
        raise RowError("person", gettext("You may not record aid for this household."))
    amount = row["amount"]
    if amount is None or amount <= 0:
        raise RowError(
            "amount",
            gettext("Enter a positive amount; corrections are recorded on the household page."),
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise RowError("amount", gettext("Enter the amount in yuan with at most two decimals."))
    kind = row.get("kind") or AidKind.MONEY
    same = AidEntry.objects.filter(
        person=person, household=household, date=row["date"], amount=amount, kind=kind
    )
    if same.exists():
        return UNCHANGED
    aid_record(
        person=person,
        household=household,
        date=row["date"],
        amount=amount,
        kind=kind,
        description=row.get("description", ""),
        acting_user=ctx.acting_user,
    )
    return "created"


register_sheet(
    Sheet(
        name="aid",
        title_zh="帮扶资金",
        label=_("Aid"),
        order=114,
        columns=(
            Column(
                "date", "日期", _("date"), required=True, parse=date, aliases=("帮扶日期", "时间")
            ),
            CADRE,
            HOUSEHOLD,
            Column(
                "amount",
                "金额（元）",
                _("amount (yuan)"),
                required=True,
                parse=decimal,
                aliases=("金额", "帮扶金额", "慰问金额", "资金"),
            ),
            Column("kind", "帮扶方式", _("kind"), parse=AID_KIND, aliases=("方式",)),
            Column("description", "说明", _("description"), aliases=("内容", "帮扶内容", "备注")),
            VILLAGE,
        ),
        identity=("date", "person", "household", "amount", "kind"),
        import_row=import_aid,
        aliases=("帮扶资金台账", "慰问", "帮扶救助"),
        examples=(
            {
                "date": "2025-06-01",
                "person": "EX-P1",
                "household": "EX-H1",
                "amount": "200.00",
                "kind": "资金",
                "description": "慰问金",
            },
        ),
    )
)


# --- events ------------------------------------------------------------------------------------


def import_event(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    household, _person = _household_and_person(row, ctx)
    if HouseholdEvent.objects.filter(household=household, kind=row["kind"], date=row["date"]):
        return UNCHANGED
    note = row.get("note", "")
    festival = ""
    if row["kind"] == EventKind.FESTIVAL:
        festival = row.get("festival") or note[:50]
        if not festival:
            raise RowError("note", gettext("Name the festival."))
    try:
        event_record(
            household=household,
            kind=row["kind"],
            date=row["date"],
            note=note,
            festival=festival,
            acting_user=ctx.acting_user,
        )
    except UnknownCalendarYear as exc:
        raise RowError("date", str(exc)) from exc
    return "created"


register_sheet(
    Sheet(
        name="events",
        title_zh="四到事件",
        label=_("Four-musts events"),
        order=116,
        columns=(
            Column("date", "日期", _("date"), required=True, parse=date, aliases=("发生日期",)),
            HOUSEHOLD,
            Column(
                "kind",
                "事件类型",
                _("kind"),
                required=True,
                parse=EVENT_KIND,
                aliases=("类型", "事件"),
            ),
            Column("note", "情况说明", _("note"), aliases=("说明", "情况")),
            Column("festival", "节日名称", _("festival"), aliases=("节日",)),
            VILLAGE,
        ),
        identity=("date", "household", "kind"),
        import_row=import_event,
        aliases=("四到", "四到台账"),
        examples=(
            {
                "date": "2025-06-10",
                "household": "EX-H1",
                "kind": "重病",
                "note": "户主住院治疗",
                "festival": "",
            },
        ),
    )
)
