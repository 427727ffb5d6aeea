"""Ledger sheets of the petitions app: `petitions` (信访事项) and `receptions` (接访记录).

Rows go through the same services as the pages, so an imported matter runs the same clocks
(with the ledger's dates) and an imported reception is refused when the person is booked
elsewhere or away. The examples use the directory's example codes (EX-T1, EX-P1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.base import validated_save
from directory.ledger import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Choice,
    Column,
    ImportContext,
    Outcome,
    RowError,
    Sheet,
    date,
    register_sheet,
)
from directory.models import OrgUnit, Person, jurisdiction_of
from rules.workdays import UnknownCalendarYear

from . import services_petitions as sp
from .identity import id_check_character, validate_id_number, validate_phone
from .models_petitions import Category, Channel, Petition, PetitionStatus
from .models_roster import DayPart, Reception, ReceptionKind, ReceptionStatus, parts_overlap
from .services_roster import reception_create

CHANNEL = Choice(
    Channel,
    {
        "来访": Channel.VISIT,
        "走访": Channel.VISIT,
        "来信": Channel.LETTER,
        "信件": Channel.LETTER,
        "来电": Channel.PHONE,
        "电话": Channel.PHONE,
        "网上": Channel.ONLINE,
        "网上信访": Channel.ONLINE,
        "热线": Channel.HOTLINE,
        "12345": Channel.HOTLINE,
    },
)
CATEGORY = Choice(
    Category,
    {
        "土地": Category.LAND,
        "国土资源": Category.LAND,
        "城乡建设": Category.CONSTRUCTION,
        "住房": Category.CONSTRUCTION,
        "劳动社保": Category.LABOUR,
        "劳动和社会保障": Category.LABOUR,
        "农村农业": Category.RURAL,
        "农业农村": Category.RURAL,
        "教育": Category.EDUCATION,
        "卫生健康": Category.HEALTH,
        "医疗": Category.HEALTH,
        "生态环境": Category.ENVIRONMENT,
        "环保": Category.ENVIRONMENT,
        "政法": Category.LAW,
        "民政": Category.CIVIL,
        "纪检监察": Category.DISCIPLINE,
        "企业": Category.ECONOMY,
        "经济": Category.ECONOMY,
        "其他": Category.OTHER,
    },
)
SLOT = Choice(DayPart, {"上午": DayPart.AM, "下午": DayPart.PM, "全天": DayPart.DAY})
RECEPTION_KIND = Choice(
    ReceptionKind,
    {
        "坐班接访": ReceptionKind.BUREAU_SITTING,
        "办公室接访": ReceptionKind.OFFICE_DAY,
        "乡镇值班接访": ReceptionKind.TOWNSHIP_DUTY,
        "值班接访": ReceptionKind.TOWNSHIP_DUTY,
        "约访": ReceptionKind.APPOINTMENT,
        "带案下访": ReceptionKind.CASE_VISIT,
        "AB岗": ReceptionKind.AB_POST,
    },
)

_EXAMPLE_ID17 = "43010219800101002"
EXAMPLE_ID = _EXAMPLE_ID17 + id_check_character(_EXAMPLE_ID17)


# --- petitions -------------------------------------------------------------------------------------


def _receiving_unit(ctx: ImportContext, unit: OrgUnit | None, township: OrgUnit | None) -> OrgUnit:
    user = ctx.acting_user
    if user is not None and user.unit_id:
        return user.unit
    anchor = unit or township
    if anchor is None:
        raise RowError("unit", gettext("Give the handling unit or the township."))
    return jurisdiction_of(anchor)


def _check_identity(row: dict[str, Any]) -> None:
    for key, check in (("id_number", validate_id_number), ("phone", validate_phone)):
        if row.get(key):
            try:
                check(row[key])
            except ValidationError as exc:
                raise RowError(key, " ".join(exc.messages)) from exc


def _advance(petition: Petition, row: dict[str, Any], user: Any) -> bool:
    """Take the matter through the steps the ledger records and it has not reached yet."""
    changed = False
    if row.get("accepted") and petition.status == PetitionStatus.ROUTED:
        sp.petition_accept(petition=petition, on=row["accepted"], accepted=True, acting_user=user)
        changed = True
    if row.get("answered") and petition.status == PetitionStatus.ACCEPTED:
        sp.petition_answer(
            petition=petition,
            on=row["answered"],
            answer=gettext("(from the ledger)"),
            acting_user=user,
        )
        changed = True
    if row.get("closed") and petition.is_open:
        if petition.status in (PetitionStatus.ANSWERED, PetitionStatus.REVIEWED):
            sp.petition_close(
                petition=petition,
                on=row["closed"],
                reason=gettext("closed in the ledger"),
                acting_user=user,
            )
        elif petition.status == PetitionStatus.ROUTED:
            sp.petition_accept(
                petition=petition,
                on=row["closed"],
                accepted=False,
                reason=gettext("closed in the ledger without acceptance"),
                acting_user=user,
            )
        else:
            raise RowError("closed", gettext("A closed matter needs its routing or answer date."))
        changed = True
    return changed


def import_petition(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    township = ctx.unit(row["township"], "township") if row.get("township") else None
    unit = ctx.unit(row["unit"], "unit") if row.get("unit") else None
    subject = ctx.unit(row["subject_unit"], "subject_unit") if row.get("subject_unit") else None
    for anchor, column in ((township, "township"), (unit, "unit")):
        if anchor is not None:
            ctx.check_scope(anchor, column)
    petition = ctx.existing(Petition, "ref", ref=row["ref"])
    user = ctx.acting_user
    try:
        if petition is None:
            _check_identity(row)
            petition = sp.petition_register(
                acting_user=user,
                receiving_unit=_receiving_unit(ctx, unit, township),
                received_on=row["received"],
                today=max(timezone.localdate(), row["received"]),
                channel=row["channel"],
                summary=row.get("summary") or gettext("(from the ledger)"),
                content=row.get("summary") or gettext("(from the ledger)"),
                category=row.get("category") or Category.OTHER,
                petitioners=[
                    sp.PetitionerData(
                        row["petitioner"], row.get("id_number", ""), row.get("phone", "")
                    )
                ],
                township=township,
                subject_unit=subject,
                lead_unit=unit,
                ref=row["ref"],
                check_repeats=False,
            )
            _advance(petition, row, user)
            return CREATED
        if unit is not None and petition.lead_unit_id is None and petition.is_open:
            sp.petition_route(
                petition=petition, lead_unit=unit, on=row["received"], acting_user=user
            )
            _advance(petition, row, user)
            return UPDATED
        return UPDATED if _advance(petition, row, user) else UNCHANGED
    except UnknownCalendarYear as exc:
        raise RowError("received", str(exc)) from exc


register_sheet(
    Sheet(
        name="petitions",
        title_zh="信访事项",
        label=_("Petitions"),
        order=110,
        columns=(
            Column("ref", "编号", _("reference"), required=True),
            Column("received", "收到日期", _("received on"), required=True, parse=date),
            Column("channel", "渠道", _("channel"), required=True, parse=CHANNEL),
            Column("petitioner", "信访人", _("petitioner"), required=True),
            Column("id_number", "身份证号", _("ID number")),
            Column("phone", "联系电话", _("phone")),
            Column("township", "乡镇编码", _("township")),
            Column("subject_unit", "被反映单位编码", _("unit complained about")),
            Column("unit", "承办单位编码", _("lead handling unit")),
            Column("category", "类别", _("category"), parse=CATEGORY),
            Column("accepted", "受理日期", _("accepted on"), parse=date),
            Column("answered", "答复日期", _("answered on"), parse=date),
            Column("closed", "办结日期", _("closed on"), parse=date),
            Column("summary", "事由", _("summary")),
        ),
        import_row=import_petition,
        field_columns={
            "received_on": "received",
            "lead_unit": "unit",
            "petitioners": "petitioner",
            "headcount": "petitioner",
            "co_units": "unit",
            "reason": "closed",
        },
        examples=(
            {
                "ref": "XF2025-EX1",
                "received": "2025-03-03",
                "channel": "来访",
                "petitioner": "王示例",
                "id_number": EXAMPLE_ID,
                "phone": "13800000001",
                "township": "EX-T1",
                "subject_unit": "",
                "unit": "EX-T1",
                "category": "土地",
                "accepted": "2025-03-05",
                "answered": "2025-04-10",
                "closed": "",
                "summary": "宅基地界址纠纷",
            },
        ),
    )
)


# --- receptions -----------------------------------------------------------------------------------------


def _matching(
    row: dict[str, Any], person: Person, unit: OrgUnit
) -> tuple[Reception | None, Reception | None]:
    """(the same person's reception that day, an empty slot of that duty) already on the roster."""
    same_day = Reception.objects.filter(date=row["date"], kind=row["kind"]).filter(
        Q(person=person) | Q(person__isnull=True, unit=unit)
    )
    own = slot = None
    for reception in same_day:
        if not parts_overlap(reception.part, row["slot"]):
            continue
        if reception.person_id == person.pk:
            own = own or reception
        elif reception.person_id is None:
            slot = slot or reception
    return own, slot


def import_reception(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    person = ctx.person(row["person"], "person")
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    original = (
        ctx.person(row["substitute_for"], "substitute_for") if row.get("substitute_for") else None
    )
    own, slot = _matching(row, person, unit)
    target = own or slot
    if target is not None:
        if target.status == ReceptionStatus.HELD and target.person_id == person.pk:
            return UNCHANGED
        target.person = person
        target.status = ReceptionStatus.HELD
        target.substitute_for = original or target.substitute_for
        validated_save(target, ctx.reason)
        return UPDATED
    try:
        reception_create(
            date=row["date"],
            part=row["slot"],
            kind=row["kind"],
            unit=unit,
            person=person,
            acting_user=ctx.acting_user,
            status=ReceptionStatus.HELD,
            substitute_for=original,
        )
    except ValidationError as exc:
        messages = exc.message_dict.get("person") if hasattr(exc, "error_dict") else exc.messages
        raise RowError("person", " ".join(messages or exc.messages)) from exc
    return CREATED


register_sheet(
    Sheet(
        name="receptions",
        title_zh="接访记录",
        label=_("Receptions"),
        order=120,
        columns=(
            Column("date", "日期", _("date"), required=True, parse=date),
            Column("slot", "时段", _("time of day"), required=True, parse=SLOT),
            Column("person", "人员编码", _("person"), required=True),
            Column("unit", "单位编码", _("place / unit"), required=True),
            Column("kind", "接访类型", _("kind"), required=True, parse=RECEPTION_KIND),
            Column("substitute_for", "代替人员编码", _("substitute for")),
        ),
        identity=("date", "slot", "person", "kind"),
        import_row=import_reception,
        examples=(
            {
                "date": "2025-03-05",
                "slot": "上午",
                "person": "EX-P1",
                "unit": "EX-T1",
                "kind": "乡镇值班接访",
                "substitute_for": "",
            },
        ),
    )
)

__all__ = ["EXAMPLE_ID", "import_petition", "import_reception"]
