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


# --- pairings ----------------------------------------------------------------------------------


def import_pairing(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    person = ctx.person(row["person"], "person")
    household = ctx.household(row["household"], "household")
    ctx.check_scope(ctx.unit_by_id(household.village_id), "household")
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
            Column("person", "干部编码", _("cadre"), required=True),
            Column("household", "农户编码", _("household"), required=True),
            Column("kind", "结对类型", _("kind"), required=True, parse=PAIRING_KIND),
            Column("start", "开始日期", _("start"), required=True, parse=date),
            Column("end", "结束日期", _("end"), parse=date),
        ),
        identity=("person", "household", "kind", "start"),
        import_row=import_pairing,
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
    person = ctx.person(row["person"], "person")
    household = ctx.household(row["household"], "household")
    ctx.check_scope(ctx.unit_by_id(household.village_id), "household")
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
            Column("date", "日期", _("date"), required=True, parse=date),
            Column("person", "干部编码", _("cadre"), required=True),
            Column("household", "农户编码", _("household"), required=True),
            Column("amount", "金额（元）", _("amount (yuan)"), required=True, parse=decimal),
            Column("kind", "帮扶方式", _("kind"), parse=AID_KIND),
            Column("description", "说明", _("description")),
        ),
        identity=("date", "person", "household", "amount", "kind"),
        import_row=import_aid,
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
    household = ctx.household(row["household"], "household")
    ctx.check_scope(ctx.unit_by_id(household.village_id), "household")
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
            Column("date", "日期", _("date"), required=True, parse=date),
            Column("household", "农户编码", _("household"), required=True),
            Column("kind", "事件类型", _("kind"), required=True, parse=EVENT_KIND),
            Column("note", "情况说明", _("note")),
            Column("festival", "节日名称", _("festival")),
        ),
        identity=("date", "household", "kind"),
        import_row=import_event,
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
