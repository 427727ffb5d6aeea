"""Ledger sheet of the roster: `receptions` (接访记录).

A reception is a fact: it is stored whoever sat and wherever, and a rule that would not count
it (a township secretary at the county bureau) simply does not count it. The examples use the
directory's example codes (EX-T1, EX-P1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
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
from directory.models import OrgUnit, Person

from .models import DayPart, Reception, ReceptionKind, ReceptionStatus, parts_overlap
from .services import reception_create
from .slots import eligibility_problem

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


# --- receptions -----------------------------------------------------------------------------------------


def _matching(
    row: dict[str, Any], person: Person, unit: OrgUnit
) -> tuple[Reception | None, Reception | None]:
    """(the same person's reception that day, an empty slot of that duty) already on the roster."""
    same_day = Reception.objects.filter(date=row["date"], kind=row["kind"]).filter(
        Q(person=person) | Q(person__isnull=True, unit=unit)
    )
    own = slot = None
    for reception in same_day.select_related("rule", "subject", "unit"):
        if not parts_overlap(reception.part, row["slot"]):
            continue
        if reception.person_id == person.pk:
            own = own or reception
        elif reception.person_id is None and eligibility_problem(person, reception) is None:
            # an empty duty is filled only by someone the duty is for; anyone else's
            # reception is recorded beside it, as a fact
            slot = slot or reception
    return own, slot


def _may_record(user: Any, kind: str, unit: OrgUnit) -> None:
    """As the roster's pages: the petition office records any duty, a unit's staff their
    unit's office days and township duties (petitions.roster.views.can_edit)."""
    if user is None:
        return
    from .views import can_edit

    if not can_edit(user, Reception(kind=kind, unit=unit)):
        raise RowError("kind", gettext("Only the petition office records this kind of reception."))


def import_reception(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    unit = ctx.unit(row["unit"], "unit")
    person = ctx.person(row["person"], "person", near=unit)
    ctx.check_scope(unit, "unit")
    _may_record(ctx.acting_user, row["kind"], unit)
    original = (
        ctx.person(row["substitute_for"], "substitute_for", near=unit)
        if row.get("substitute_for")
        else None
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
        # check=False: a ledger records who sat, even where the roster would not have put them
        reception_create(
            date=row["date"],
            part=row["slot"],
            kind=row["kind"],
            unit=unit,
            person=person,
            acting_user=ctx.acting_user,
            status=ReceptionStatus.HELD,
            substitute_for=original,
            check=False,
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
            Column(
                "date", "日期", _("date"), required=True, parse=date, aliases=("接访日期", "时间")
            ),
            Column(
                "slot",
                "时段",
                _("time of day"),
                required=True,
                parse=SLOT,
                aliases=("上下午", "时间段"),
            ),
            Column(
                "person",
                "人员编码",
                _("person"),
                required=True,
                aliases=("接访领导", "接访人", "领导姓名", "姓名", "人员"),
                refers="person",
            ),
            Column(
                "unit",
                "单位编码",
                _("place / unit"),
                required=True,
                aliases=("接访地点", "地点", "单位"),
                refers="unit",
            ),
            Column(
                "kind",
                "接访类型",
                _("kind"),
                required=True,
                parse=RECEPTION_KIND,
                aliases=("类型", "接访方式"),
            ),
            Column(
                "substitute_for",
                "代替人员编码",
                _("substitute for"),
                aliases=("代替人员", "被代替人"),
                refers="person",
            ),
        ),
        identity=("date", "slot", "person", "kind"),
        import_row=import_reception,
        aliases=("接访", "领导接访", "接访台账", "坐班接访"),
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

__all__ = ["import_reception"]
