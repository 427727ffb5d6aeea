"""Ledger sheet of the petition ledger: `petitions` (信访事项); the roster's `receptions` (接访记录)
is in petitions.roster.ledger.

Rows go through the same services as the pages, so an imported matter runs the same clocks
(with the ledger's dates), and through the same checks: an account imports only what its pages
let it do — the petition office registers matters, a matter is found only among those the
account may see (a matter about the account's own unit or person never is: 信访工作条例第30条),
and each step the row records (route, accept, answer, close) needs the same permission as the
step's form. A reference the account may not use is refused with the same words whether or not
such a matter exists, so that neither an import nor its dry run tells. The examples use the
directory's example codes (EX-T1, EX-P1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
    check_step,
    date,
    find_by_reference,
    ref_or_row,
    register_sheet,
)
from directory.models import OrgUnit, jurisdiction_of
from directory.timeutil import today
from rules.workdays import UnknownCalendarYear, WorkCalendar

from ..identity import id_check_character, validate_id_number, validate_phone
from . import services as sp
from .access import is_office, petition_condition
from .models import Category, Channel, Petition, PetitionStatus

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


def not_in_future(row: dict[str, Any], *keys: str) -> None:
    """Dates a ledger records have happened: a later one is refused, as the forms refuse it."""
    for key in keys:
        value = row.get(key)
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date()
        if value is not None and value > today():
            raise RowError(key, gettext("The date cannot be in the future."))


def _unavailable(ref: str) -> RowError:
    return RowError(
        "ref",
        gettext(
            'No petition "%(ref)s" is open to you; new petitions are registered by the '
            "petition office."
        )
        % {"ref": ref},
    )


def _may_register(user: Any) -> bool:
    """As the registration form: the petition office, with a unit to receive the matter."""
    return user is None or (is_office(user) and bool(user.unit_id))


def _find(ref: str, ctx: ImportContext) -> Petition | None:
    """The matter of this reference if the importing account may see it (None: register it)."""
    return find_by_reference(
        Petition,
        ref,
        ctx,
        visible=petition_condition,
        may_create=_may_register(ctx.acting_user),
        unavailable=_unavailable(ref),
    )


def _step_allowed(step: str, petition: Petition, user: Any, column: str) -> None:
    """The permission of the step's form (petitions.matters.views.STEPS)."""
    from .views import STEPS

    message = gettext("You may not record this step (%(step)s) for this matter.")
    error = RowError(column, message % {"step": STEPS[step].label})
    check_step(user, STEPS[step].allowed, petition, error)


def _advance(petition: Petition, row: dict[str, Any], user: Any) -> bool:
    """Take the matter through the steps the ledger records and it has not reached yet."""
    changed = False
    if row.get("accepted") and petition.status == PetitionStatus.ROUTED:
        _step_allowed("accept", petition, user, "accepted")
        sp.petition_accept(petition=petition, on=row["accepted"], accepted=True, acting_user=user)
        changed = True
    if row.get("answered") and petition.status == PetitionStatus.ACCEPTED:
        _step_allowed("answer", petition, user, "answered")
        sp.petition_answer(
            petition=petition,
            on=row["answered"],
            answer=gettext("(from the ledger)"),
            acting_user=user,
        )
        changed = True
    if row.get("closed") and petition.is_open:
        if petition.status in (PetitionStatus.ANSWERED, PetitionStatus.REVIEWED):
            _step_allowed("close", petition, user, "closed")
            sp.petition_close(
                petition=petition,
                on=row["closed"],
                reason=gettext("closed in the ledger"),
                acting_user=user,
            )
        elif petition.status == PetitionStatus.ROUTED:
            _step_allowed("accept", petition, user, "closed")
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


def _units(row: dict[str, Any], ctx: ImportContext) -> tuple[Any, Any, Any]:
    township = ctx.unit(row["township"], "township") if row.get("township") else None
    unit = ctx.unit(row["unit"], "unit") if row.get("unit") else None
    subject = ctx.unit(row["subject_unit"], "subject_unit") if row.get("subject_unit") else None
    for anchor, column in ((township, "township"), (unit, "unit")):
        if anchor is not None:
            ctx.check_scope(anchor, column)
    return township, unit, subject


def import_petition(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    # a row without a reference is a new matter, numbered as the form numbers it
    ref = row.get("ref") or ""
    if not ref and not _may_register(ctx.acting_user):
        raise RowError("ref", gettext("New petitions are registered by the petition office."))
    petition = _find(ref, ctx)
    not_in_future(row, "received", "accepted", "answered", "closed")
    township, unit, subject = _units(row, ctx)
    user = ctx.acting_user
    calendar = ctx.remember_value("calendar", WorkCalendar)
    try:
        if petition is None:
            _check_identity(row)
            petition = sp.petition_register(
                acting_user=user,
                receiving_unit=_receiving_unit(ctx, unit, township),
                received_on=row["received"],
                today=today(),
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
                ref=ref,
                check_repeats=False,
                calendar=calendar,
            )
            _advance(petition, row, user)
            return CREATED
        if unit is not None and petition.lead_unit_id is None and petition.is_open:
            _step_allowed("route", petition, user, "unit")
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
            # empty: a new matter, given the next number of the county (directory.numbering)
            Column("ref", "编号", _("reference"), aliases=("信访编号", "件号", "登记编号")),
            Column(
                "received",
                "收到日期",
                _("received on"),
                required=True,
                parse=date,
                aliases=("登记日期", "来访日期", "受理时间", "来信来访日期", "信访日期"),
            ),
            Column(
                "channel",
                "渠道",
                _("channel"),
                required=True,
                parse=CHANNEL,
                aliases=("信访形式", "来源", "方式"),
            ),
            Column(
                "petitioner",
                "信访人",
                _("petitioner"),
                required=True,
                aliases=("信访人姓名", "姓名"),
            ),
            Column("id_number", "身份证号", _("ID number"), aliases=("身份证号码",)),
            Column("phone", "联系电话", _("phone"), aliases=("电话", "手机")),
            Column(
                "township",
                "乡镇编码",
                _("township"),
                aliases=("乡镇", "所属乡镇", "问题属地"),
                refers="unit",
            ),
            Column(
                "subject_unit",
                "被反映单位编码",
                _("unit complained about"),
                aliases=("被反映单位", "被反映对象单位"),
                refers="unit",
            ),
            Column(
                "unit",
                "承办单位编码",
                _("lead handling unit"),
                aliases=("承办单位", "责任单位", "交办单位"),
                refers="unit",
            ),
            Column(
                "category", "类别", _("category"), parse=CATEGORY, aliases=("问题类别", "内容分类")
            ),
            Column("accepted", "受理日期", _("accepted on"), parse=date, aliases=("受理告知日期",)),
            Column(
                "answered",
                "答复日期",
                _("answered on"),
                parse=date,
                aliases=("办结答复日期", "答复时间"),
            ),
            Column("closed", "办结日期", _("closed on"), parse=date, aliases=("办结时间",)),
            Column(
                "summary",
                "事由",
                _("summary"),
                aliases=("主要诉求", "信访事项", "反映问题", "内容"),
            ),
        ),
        import_row=import_petition,
        identify=ref_or_row,
        aliases=("信访", "信访台账", "来信来访", "信访登记"),
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


__all__ = ["EXAMPLE_ID", "import_petition"]
