"""The `visits` sheet of the ledger import (DESIGN.md): date, person, unit, households, kind,
days, entourage, cars — plus optional enterprise and heard (the diary entry).

`person` and `households` take `;`-lists (a visit by several leaders is one row). A visit has no
code: a row whose date, kind, place, people and households match a live visit updates it, so
importing the same ledger twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.ledger import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Choice,
    CodeList,
    Column,
    ImportContext,
    Outcome,
    RowError,
    Sheet,
    date,
    decimal,
    integer,
    register_sheet,
    snapshot,
)

from .models import Visit, VisitKind
from .services import visit_save

VISIT_KIND = Choice(
    VisitKind,
    {
        "四下基层": "grassroots",
        "下基层": "grassroots",
        "走访": "household",
        "入户走访": "household",
        "走访农户": "household",
        "住村": "village_stay",
        "住村（社区）": "village_stay",
        "调研": "research",
        "调查研究": "research",
        "走访企业": "enterprise",
        "企业走访": "enterprise",
        "联系点": "contact_point",
        "联系点走访": "contact_point",
        "政策互动": "policy_talk",
        "直接互动": "policy_talk",
        "谈心": "expert_talk",
        "谈心谈话": "expert_talk",
        "电话": "call",
        "电话联系": "call",
    },
)

FIELDS = ("days", "entourage", "cars", "enterprise", "heard")


def _find_existing(
    row: dict[str, Any], unit: Any, people: list[Any], households: list[Any]
) -> Visit | None:
    candidates = Visit.objects.filter(
        date=row["date"], kind=row["kind"], unit=unit, participants__person=people[0]
    ).prefetch_related("participants", "household_rows")
    wanted_people = {p.pk for p in people}
    wanted_households = {h.pk for h in households}
    for visit in candidates:
        if {vp.person_id for vp in visit.participants.all()} == wanted_people and {
            vh.household_id for vh in visit.household_rows.all()
        } == wanted_households:
            return visit
    return None


def import_visit(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    people = [ctx.person(code, "person") for code in row["person"]]
    if not people:
        raise RowError("person", gettext("Name at least one person who made the visit."))
    households = [ctx.household(code, "households") for code in row.get("households") or []]
    visit = _find_existing(row, unit, people, households)
    before = snapshot(visit)
    if visit is None:
        visit = Visit(date=row["date"], kind=row["kind"], unit=unit)
        if row.get("days") is None and row["kind"] != VisitKind.CALL:
            visit.days = Decimal(1) if row["kind"] == VisitKind.VILLAGE_STAY else Decimal("0.5")
    for key in FIELDS:
        if key in row and row[key] not in (None, ""):
            setattr(visit, key, row[key])
    if before is not None and snapshot(visit) == before:
        return UNCHANGED
    if ctx.acting_user is not None:
        visit._history_user = ctx.acting_user  # type: ignore[attr-defined]
    visit_save(
        visit=visit,
        people=people,
        households=households,
        acting_user=ctx.acting_user,
        reason=ctx.reason,
    )
    return CREATED if before is None else UPDATED


register_sheet(
    Sheet(
        name="visits",
        title_zh="走访",
        label=_("Visits"),
        order=110,
        columns=(
            Column("date", "日期", _("date"), required=True, parse=date),
            Column("person", "人员编码", _("person"), required=True, parse=CodeList()),
            Column("unit", "地点（单位编码）", _("where"), required=True),
            Column("households", "走访农户编码", _("households visited"), parse=CodeList()),
            Column("kind", "类型", _("kind"), required=True, parse=VISIT_KIND),
            Column("days", "天数", _("days"), parse=decimal),
            Column("entourage", "随行人数", _("people travelling along"), parse=integer),
            Column("cars", "车辆数", _("cars"), parse=integer),
            Column("enterprise", "企业名称", _("enterprise")),
            Column("heard", "民情日记", _("what was heard (民情日记)")),
        ),
        identity=("date", "person", "unit", "kind", "households"),
        import_row=import_visit,
        examples=(
            {
                "date": "2025-03-05",
                "person": "EX-P1",
                "unit": "EX-V1",
                "households": "EX-H1",
                "kind": "入户走访",
                "days": "0.5",
                "entourage": "",
                "cars": "",
                "enterprise": "",
                "heard": "反映村道破损，希望年内修缮。",
            },
            {
                "date": "2025-04-10",
                "person": "EX-P1",
                "unit": "EX-V1",
                "households": "",
                "kind": "住村",
                "days": "2",
                "entourage": "2",
                "cars": "1",
                "enterprise": "",
                "heard": "",
            },
        ),
        field_columns={"people": "person"},
    )
)
