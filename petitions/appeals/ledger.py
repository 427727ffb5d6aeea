"""The `appeals` ledger sheet (网民诉求台账): items from the 12345 hotline, leaders' mailboxes,
message boards and the office's own channels, taken in through the same services as the intake
form — so an imported appeal runs the same TY-O2 clock (from its own receipt date, for the
category's or the row's limit), is assigned to its unit and, when the row has a reply date, is
replied on that date (on time or late, frozen). Re-importing a row takes only the steps it has
not reached yet.

An office names its platforms its own way (`县政府网`, `桃源融媒`, `微信群`): a name that is not
one of the fixed kinds is kept as the office's platform (filed under the kind its name
suggests, else "other") and a category not configured yet is created — both listed in the dry
run as implicit creations, and only for accounts that may take appeals in and configure them.

An account imports only what its pages let it do: the office takes appeals in and assigns them,
the assigned unit's staff reply; an appeal the account may not see and a missing one are
refused with the same words.

A year's appeals (40,000 rows a county) come in batches (`import_appeals`): the references of
a batch are looked up in one query; a row of a new appeal is checked in memory as the services
check it (the account's permission for each step too) and the batch's new appeals are written
together (`appeals_create_many`), categories, platforms, rules and the calendar loaded once per
import. Rows of appeals that exist already, and rows without a reference, take the row path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
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
    ParsedRow,
    RowError,
    Sheet,
    datetime,
    find_by_reference,
    integer,
    norm,
    ref_or_row,
    register_sheet,
)
from directory.models import OrgUnit
from rules.workdays import UnknownCalendarYear, WorkCalendar

from ..matters.ledger import not_in_future
from . import services as s
from .access import appeal_condition, is_appeal_office
from .models import (
    LIMIT_MAX,
    LIMIT_MIN,
    Appeal,
    AppealCategory,
    AppealPlatform,
    AppealSource,
)

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


def _may_take_in(user: Any) -> bool:
    """As the intake form: the appeals office, with a unit to receive the appeal."""
    return user is None or (is_appeal_office(user) and bool(user.unit_id))


def _categories(ctx: ImportContext) -> dict[str, AppealCategory]:
    """Every category by its code and by its name (folded), loaded once per import; where
    two share a key the first in the list wins, as a search of the list would find it."""

    def load() -> dict[str, AppealCategory]:
        found: dict[str, AppealCategory] = {}
        for category in AppealCategory.objects.all():
            found.setdefault(norm(category.code), category)
            found.setdefault(norm(category.name), category)
        return found

    return ctx.remember_value("appeal categories", load)


def _category(value: str, ctx: ImportContext) -> AppealCategory:
    known = _categories(ctx)
    wanted = norm(value)
    if wanted in known:
        return known[wanted]
    if not _may_take_in(ctx.acting_user):
        raise RowError(
            "category",
            gettext('No appeal category has the code or name "%(value)s".') % {"value": value},
        )
    category = AppealCategory(
        code=ctx.new_code(AppealCategory, "imported"),
        name=value.strip()[:50],
        active=False,  # the public form offers it once the office has looked at it
        sort_order=900,
    )
    validated_save(category, ctx.reason)
    ctx.note_implicit(gettext("appeal category"), category.name)
    known.setdefault(norm(category.code), category)
    known.setdefault(norm(category.name), category)
    return category


def _guess_source(name: str) -> str:
    folded = norm(name)
    if "12345" in folded or "热线" in folded:
        return AppealSource.HOTLINE
    if "信箱" in folded:
        return AppealSource.MAILBOX
    if "留言" in folded:
        return AppealSource.MESSAGE_BOARD
    return AppealSource.OTHER


def _platforms(ctx: ImportContext) -> dict[str, AppealPlatform]:
    def load() -> dict[str, AppealPlatform]:
        found: dict[str, AppealPlatform] = {}
        for platform in AppealPlatform.objects.all():
            found.setdefault(norm(platform.name), platform)
        return found

    return ctx.remember_value("appeal platforms", load)


def _platform(value: str, ctx: ImportContext) -> tuple[str, AppealPlatform | None]:
    """(the kind of platform, the office's own platform or None) the row names."""
    source = PLATFORM.match(value)
    if source is not None:
        return source, None
    known = _platforms(ctx)
    wanted = norm(value)
    if wanted in known:
        return known[wanted].source, known[wanted]
    if not _may_take_in(ctx.acting_user):
        raise RowError("platform", gettext('No platform is called "%(value)s".') % {"value": value})
    platform = AppealPlatform(name=value.strip()[:50], source=_guess_source(value))
    validated_save(platform, ctx.reason)
    ctx.note_implicit(
        gettext("appeal platform"), f"{platform.name}（{platform.get_source_display()}）"
    )
    known.setdefault(norm(platform.name), platform)
    return platform.source, platform


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
    counties: dict[int, OrgUnit] = ctx.memo.setdefault("appeal counties", {})
    if anchor.pk not in counties:
        counties[anchor.pk] = s.county_of(anchor)
    return counties[anchor.pk]


def _unavailable(ref: str) -> RowError:
    return RowError(
        "ref",
        gettext(
            'No appeal "%(ref)s" is open to you; new appeals are taken in by the appeals office.'
        )
        % {"ref": ref},
    )


def _find(ref: str, ctx: ImportContext) -> Appeal | None:
    """The appeal of this reference if the importing account may see it (None: take it in)."""
    return find_by_reference(
        Appeal,
        ref,
        ctx,
        visible=appeal_condition,
        may_create=_may_take_in(ctx.acting_user),
        unavailable=_unavailable(ref),
    )


def _step_allowed(step: str, appeal: Appeal, user: Any, column: str) -> None:
    """The permission of the step's form (petitions.appeals.views.STEPS)."""
    from .views import STEPS

    if user is None or STEPS[step].allowed(user, appeal):  # the system may all
        return
    message = gettext("You may not record this step (%(step)s) for this appeal.")
    raise RowError(column, message % {"step": STEPS[step].title})


def _advance(appeal: Appeal, row: dict[str, Any], unit: OrgUnit | None, user: Any) -> bool:
    """Take the steps the row records and the appeal has not reached yet."""
    changed = False
    on = timezone.localdate(row["received"])
    if unit is not None and appeal.unit_id is None and appeal.is_open:
        _step_allowed("assign", appeal, user, "unit")
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
        _step_allowed("reply", appeal, user, "replied")
        s.appeal_reply(
            appeal=appeal,
            text=gettext("(from the ledger)"),
            on=timezone.localdate(replied),
            acting_user=user,
        )
        changed = True
    return changed


def _anchors(row: dict[str, Any], ctx: ImportContext) -> tuple[Any, Any]:
    """The row's handling unit and township, each checked against the account's scope."""
    unit = ctx.unit(row["unit"], "unit") if row.get("unit") else None
    township = ctx.unit(row["township"], "township") if row.get("township") else None
    for anchor, column in ((unit, "unit"), (township, "township")):
        if anchor is not None:
            ctx.check_scope(anchor, column)
    return unit, township


def import_appeal(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    # a row without a reference is a new appeal, numbered as the forms number it
    ref = row.get("ref") or ""
    if not ref and not _may_take_in(ctx.acting_user):
        raise RowError("ref", gettext("New appeals are taken in by the appeals office."))
    appeal = _find(ref, ctx)
    not_in_future(row, "received", "replied")
    unit, township = _anchors(row, ctx)
    limit = _limit(row)
    try:
        if appeal is None:
            source, platform = _platform(row["platform"], ctx)
            appeal = s.appeal_intake(
                acting_user=ctx.acting_user,
                source=source,
                platform=platform,
                category=_category(row["category"], ctx),
                text=row.get("summary") or gettext("(from the ledger)"),
                received_at=row["received"],
                receiving_unit=_receiving_unit(ctx, unit, township),
                township=township,
                ref=ref,
                limit_days=limit,
                calendar=ctx.remember_value("calendar", WorkCalendar),
            )
            _advance(appeal, row, unit, ctx.acting_user)
            return CREATED
        return UPDATED if _advance(appeal, row, unit, ctx.acting_user) else UNCHANGED
    except UnknownCalendarYear as exc:
        raise RowError("received", str(exc)) from exc


def _import_one(row: dict[str, Any], ctx: ImportContext) -> Outcome | RowError | ValidationError:
    """The row path (in a savepoint of its own), its error returned."""
    try:
        with transaction.atomic():
            return import_appeal(dict(row), ctx)
    except (RowError, ValidationError) as exc:
        return exc
    except DatabaseError as exc:  # in its savepoint: the batch goes on
        return RowError("ref", gettext("The database refused this row: %(error)s") % {"error": exc})


def _build(row: dict[str, Any], ctx: ImportContext) -> s.NewAppeal:
    """A new appeal of a row with a reference no appeal has, checked as `import_appeal` checks
    it, in the same order, not written."""
    user = ctx.acting_user
    if not _may_take_in(user):  # as `find_by_reference` refuses a missing appeal
        raise _unavailable(row["ref"])
    not_in_future(row, "received", "replied")
    unit, township = _anchors(row, ctx)
    limit = _limit(row)
    source, platform = _platform(row["platform"], ctx)
    category = _category(row["category"], ctx)
    replied = row.get("replied")
    columns = {"assign": "unit", "reply": "replied"}
    try:
        return s.appeal_build(
            acting_user=user,
            source=source,
            platform=platform,
            category=category,
            text=row.get("summary") or gettext("(from the ledger)"),
            received_at=row["received"],
            receiving_unit=_receiving_unit(ctx, unit, township),
            township=township,
            ref=row["ref"],
            limit_days=limit,
            assign_to=unit,
            instruction=gettext("(from the ledger)"),
            replied_on=timezone.localdate(replied) if replied is not None else None,
            reply_text=gettext("(from the ledger)"),
            rules=ctx.remember_value("appeal rules", s.ReplyRules.load),
            calendar=ctx.remember_value("calendar", WorkCalendar),
            check=lambda step, appeal: _step_allowed(step, appeal, user, columns[step]),
        )
    except UnknownCalendarYear as exc:
        raise RowError("received", str(exc)) from exc


def import_appeals(
    rows: list[ParsedRow], ctx: ImportContext
) -> list[Outcome | RowError | ValidationError]:
    """A batch of appeal rows: the new appeals (a reference no appeal has) checked one by one
    and written together; the others one by one through `import_appeal`."""
    refs = {row.values["ref"] for row in rows if row.values.get("ref")}
    taken = set(Appeal.all_objects.filter(ref__in=refs).values_list("ref", flat=True))
    outcomes: list[Outcome | RowError | ValidationError] = []
    new: list[tuple[int, s.NewAppeal]] = []
    for index, row in enumerate(rows):
        ref = row.values.get("ref") or ""
        if not ref or ref in taken:
            outcomes.append(_import_one(row.values, ctx))
            continue
        try:
            new.append((index, _build(row.values, ctx)))
        except (RowError, ValidationError) as exc:
            outcomes.append(exc)
            continue
        outcomes.append(CREATED)
    try:
        with transaction.atomic():
            s.appeals_create_many(
                appeals=[built for _index, built in new],
                acting_user=ctx.acting_user,
                reason=ctx.reason,
            )
    except DatabaseError:  # refused as a whole: the row path finds the row at fault
        for index, _built in new:
            outcomes[index] = _import_one(rows[index].values, ctx)
    return outcomes


register_sheet(
    Sheet(
        name="appeals",
        title_zh="网民诉求",
        label=_("Appeals"),
        order=130,
        columns=(
            # empty: a new appeal, given the next number of the county (directory.numbering)
            Column("ref", "编号", _("reference"), aliases=("诉求编号", "工单编号", "工单号")),
            Column(
                "received",
                "收到时间",
                _("received at"),
                required=True,
                parse=datetime,
                aliases=("受理时间", "来电时间", "留言时间", "收到日期", "登记时间"),
            ),
            Column(
                "platform",
                "平台",
                _("platform"),
                required=True,
                aliases=("来源", "诉求来源", "渠道", "来源平台"),
            ),
            Column(
                "category",
                "类别",
                _("category"),
                required=True,
                aliases=("诉求类别", "问题类别", "分类"),
            ),
            Column(
                "unit",
                "承办单位编码",
                _("handling unit"),
                aliases=("承办单位", "责任单位", "办理单位"),
                refers="unit",
            ),
            Column(
                "limit_days",
                "办理时限（工作日）",
                _("reply limit (working days)"),
                parse=integer,
                aliases=("办理时限", "时限"),
            ),
            Column(
                "replied",
                "回复时间",
                _("replied at"),
                parse=datetime,
                aliases=("答复时间", "办结时间", "回复日期"),
            ),
            Column(
                "township", "乡镇编码", _("township"), aliases=("乡镇", "所属乡镇"), refers="unit"
            ),
            Column(
                "summary",
                "诉求内容",
                _("what the appeal says"),
                aliases=("内容", "诉求", "主要内容"),
            ),
        ),
        import_row=import_appeal,
        import_batch=import_appeals,
        identify=ref_or_row,
        aliases=("网络诉求", "网民留言", "诉求台账", "12345工单"),
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

__all__ = ["import_appeal", "import_appeals"]
