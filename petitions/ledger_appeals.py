"""The `appeals` ledger sheet (网民诉求台账): items from the 12345 hotline, leaders' mailboxes and
message boards, taken in through the same services as the intake form — so an imported appeal
runs the same TY-O2 clock (from its own receipt date, for the category's or the row's limit),
is assigned to its unit and, when the row has a reply date, is replied on that date (on time or
late, frozen). Re-importing a row takes only the steps it has not reached yet."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
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
    datetime,
    integer,
    register_sheet,
)
from directory.models import OrgUnit
from rules.workdays import UnknownCalendarYear

from . import services_appeals as s
from .models_appeals import LIMIT_MAX, LIMIT_MIN, Appeal, AppealCategory, AppealSource

PLATFORM = Choice(
    AppealSource,
    {
        "网上": AppealSource.ONLINE,
        "网站": AppealSource.ONLINE,
        "网络": AppealSource.ONLINE,
        "12345": AppealSource.HOTLINE,
        "12345热线": AppealSource.HOTLINE,
        "热线": AppealSource.HOTLINE,
        "领导信箱": AppealSource.MAILBOX,
        "书记信箱": AppealSource.MAILBOX,
        "县长信箱": AppealSource.MAILBOX,
        "信箱": AppealSource.MAILBOX,
        "留言板": AppealSource.MESSAGE_BOARD,
        "网民留言": AppealSource.MESSAGE_BOARD,
        "其他": AppealSource.OTHER,
    },
)


def _category(value: str) -> AppealCategory:
    category = AppealCategory.objects.filter(Q(code=value) | Q(name=value)).first()
    if category is None:
        raise RowError(
            "category",
            gettext('No appeal category has the code or name "%(value)s".') % {"value": value},
        )
    return category


def _limit(row: dict[str, Any]) -> int | None:
    limit = row.get("limit_days")
    if limit is not None and not LIMIT_MIN <= limit <= LIMIT_MAX:
        raise RowError(
            "limit_days",
            gettext("The limit must be %(low)s to %(high)s working days.")
            % {"low": LIMIT_MIN, "high": LIMIT_MAX},
        )
    return limit


def _receiving_unit(ctx: ImportContext, unit: OrgUnit | None, township: OrgUnit | None) -> OrgUnit:
    user = ctx.acting_user
    if user is not None and user.unit_id:
        return user.unit
    anchor = unit or township
    if anchor is None:
        raise RowError("unit", gettext("Give the handling unit or the township."))
    return s.county_of(anchor)


def _advance(appeal: Appeal, row: dict[str, Any], unit: OrgUnit | None, user: Any) -> bool:
    """Take the steps the row records and the appeal has not reached yet."""
    changed = False
    on = timezone.localdate(row["received"])
    if unit is not None and appeal.unit_id is None and appeal.is_open:
        s.appeal_assign(
            appeal=appeal,
            unit=unit,
            on=on,
            acting_user=user,
            instruction=gettext("(from the ledger)"),
        )
        changed = True
    replied = row.get("replied")
    if replied is not None and appeal.is_open:
        s.appeal_reply(
            appeal=appeal,
            text=gettext("(from the ledger)"),
            on=timezone.localdate(replied),
            acting_user=user,
        )
        changed = True
    return changed


def import_appeal(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    unit = ctx.unit(row["unit"], "unit") if row.get("unit") else None
    township = ctx.unit(row["township"], "township") if row.get("township") else None
    for anchor, column in ((unit, "unit"), (township, "township")):
        if anchor is not None:
            ctx.check_scope(anchor, column)
    category = _category(row["category"])
    limit = _limit(row)
    appeal = ctx.existing(Appeal, "ref", ref=row["ref"])
    try:
        if appeal is None:
            appeal = s.appeal_intake(
                acting_user=ctx.acting_user,
                source=row["platform"],
                category=category,
                text=row.get("summary") or gettext("(from the ledger)"),
                received_at=row["received"],
                receiving_unit=_receiving_unit(ctx, unit, township),
                township=township,
                ref=row["ref"],
                limit_days=limit,
            )
            _advance(appeal, row, unit, ctx.acting_user)
            return CREATED
        return UPDATED if _advance(appeal, row, unit, ctx.acting_user) else UNCHANGED
    except UnknownCalendarYear as exc:
        raise RowError("received", str(exc)) from exc


register_sheet(
    Sheet(
        name="appeals",
        title_zh="网民诉求",
        label=_("Appeals"),
        order=130,
        columns=(
            Column("ref", "编号", _("reference"), required=True),
            Column("received", "收到时间", _("received at"), required=True, parse=datetime),
            Column("platform", "平台", _("platform"), required=True, parse=PLATFORM),
            Column("category", "类别", _("category"), required=True),
            Column("unit", "承办单位编码", _("handling unit")),
            Column(
                "limit_days", "办理时限（工作日）", _("reply limit (working days)"), parse=integer
            ),
            Column("replied", "回复时间", _("replied at"), parse=datetime),
            Column("township", "乡镇编码", _("township")),
            Column("summary", "诉求内容", _("what the appeal says")),
        ),
        import_row=import_appeal,
        field_columns={
            "received_at": "received",
            "received_on": "received",
            "on": "replied",
            "text": "summary",
            "unit": "unit",
        },
        examples=(
            {
                "ref": "12345-2025-000001",
                "received": "2025-03-03 09:30",
                "platform": "12345",
                "category": "城乡建设",
                "unit": "EX-T1",
                "limit_days": "",
                "replied": "2025-03-06 16:00",
                "township": "EX-T1",
                "summary": "反映小区路灯损坏",
            },
        ),
    )
)

__all__ = ["import_appeal"]
