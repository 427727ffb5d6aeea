"""Ledger sheets of the reports app: submissions, campaigns and ballots (paper tallies).

A democratic evaluation counted on paper is a finished one: once the ballots sheet has been
imported, a campaign whose tallies it holds is closed (so `evaluation_scores` gives its
scores), unless the campaigns sheet says its state (`draft`, `open`, `closed`). Importing the
same ledger again changes nothing: the tallies of a closed campaign that the ledger repeats
are unchanged; a different count for a closed campaign is refused (its results are final).

Examples refer to the directory examples (person EX-P1, township EX-T1) so that the whole
template workbook imports cleanly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
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
    date,
    integer,
    register_sheet,
    snapshot,
)
from directory.models import OrgUnit, Person, Role, jurisdiction_path

from .evaluation import (
    campaign_close,
    campaign_open,
    campaign_save,
    campaign_target_for,
    group_save,
    paper_tally_set,
)
from .models import (
    Campaign,
    CampaignState,
    CampaignTarget,
    EvaluatorGroup,
    GroupKind,
    PaperTally,
    Rating,
    Submission,
    SubmissionKind,
)
from .services import submission_save

SUBMISSION_KIND = Choice(
    SubmissionKind,
    {
        "年度报告": SubmissionKind.ANNUAL_REPORT,
        "书面报告": SubmissionKind.ANNUAL_REPORT,
        "落实情况报告": SubmissionKind.ANNUAL_REPORT,
        "年度书面报告": SubmissionKind.ANNUAL_REPORT,
        "调研报告": SubmissionKind.RESEARCH_REPORT,
    },
)
RATING = Choice(
    Rating,
    {"满意": Rating.SATISFIED, "基本满意": Rating.BASIC, "不满意": Rating.UNSATISFIED},
)
GROUP_ALIASES = {
    "代表": GroupKind.DEPUTY,
    "人大代表": GroupKind.DEPUTY,
    "委员": GroupKind.MEMBER,
    "政协委员": GroupKind.MEMBER,
    "群众": GroupKind.PUBLIC,
    "群众代表": GroupKind.PUBLIC,
    "联系户": GroupKind.HOUSEHOLDS,
    "干部": GroupKind.CADRES,
    "村党组织": GroupKind.VILLAGE_PARTY,
    "网格": GroupKind.GRID,
    "网格单元": GroupKind.GRID,
}
GROUP = Choice(GroupKind, GROUP_ALIASES)


def _group_code(value: Any) -> str:
    """A usual group (deputy, 代表 …) or any other code the campaign uses."""
    text = str(value).strip()
    return GROUP.match(text) or text


# --- submissions ---------------------------------------------------------------------------


def import_submission(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    person = ctx.person(row["person"], "person") if row.get("person") else None
    unit = ctx.unit(row["unit"], "unit") if row.get("unit") else None
    if person is None and unit is None:
        raise RowError("person", gettext("Give the person or the unit that submitted the report."))
    if person is not None and unit is not None and person.unit_id != unit.pk:
        raise RowError("unit", gettext("The person does not belong to this unit."))
    unit = unit or ctx.unit_by_id(person.unit_id)
    ctx.check_scope(unit, "unit" if row.get("unit") else "person")
    submission = Submission.objects.filter(
        person=person,
        unit=unit,
        year=row["year"],
        kind=row["kind"],
        submitted_on=row["submitted"],
    ).first()
    before = snapshot(submission)
    if submission is None:
        submission = Submission(
            person=person,
            unit=unit,
            year=row["year"],
            kind=row["kind"],
            submitted_on=row["submitted"],
        )
    if row.get("title"):
        submission.title = row["title"]
    return ctx.save(
        submission,
        before,
        lambda: submission_save(submission=submission, reason=ctx.reason),
    )


register_sheet(
    Sheet(
        name="submissions",
        title_zh="书面报告",
        label=_("Written reports"),
        order=150,
        columns=(
            Column("person", "人员编码", _("person")),
            Column("unit", "单位编码", _("unit")),
            Column("year", "年度", _("year"), required=True, parse=integer),
            Column("kind", "类别", _("kind"), required=True, parse=SUBMISSION_KIND),
            Column("submitted", "报送日期", _("submitted on"), required=True, parse=date),
            Column("title", "标题", _("title")),
        ),
        identity=("person", "unit", "year", "kind", "submitted"),
        import_row=import_submission,
        field_columns={"submitted_on": "submitted"},
        examples=(
            {
                "person": "EX-P1",
                "unit": "",
                "year": 2025,
                "kind": "调研报告",
                "submitted": "2025-11-20",
                "title": "关于示例镇农村养老服务的调研报告",
            },
            {
                "person": "",
                "unit": "EX-T1",
                "year": 2025,
                "kind": "年度报告",
                "submitted": "2025-12-26",
                "title": "示例镇2025年联系服务群众工作情况报告",
            },
        ),
    )
)


# --- campaigns -------------------------------------------------------------------------------


def _may_run_evaluations(ctx: ImportContext) -> None:
    user = ctx.acting_user
    if user is not None and not user.has_role(Role.SUPERVISOR, Role.ADMIN):
        raise RowError(
            "campaign", gettext("Only supervisors enter evaluation campaigns and ballots.")
        )


def _organiser(ctx: ImportContext) -> OrgUnit:
    """The jurisdiction: the importing user's county (district, city), or the one root unit."""
    user = ctx.acting_user
    if user is not None and user.unit_id:
        path = jurisdiction_path(user.unit)
        return ctx.unit_by_id(int(path.strip("/").split("/")[-1]))
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise RowError("code", gettext("Import the org units first."))
    return root


CAMPAIGN_STATE = Choice(
    CampaignState,
    {
        "草稿": "draft",
        "准备中": "draft",
        "筹备": "draft",
        "进行中": "open",
        "投票中": "open",
        "开放": "open",
        "已结束": "closed",
        "结束": "closed",
        "已完成": "closed",
        "完成": "closed",
        "已关闭": "closed",
        "关闭": "closed",
    },
)


def _states(ctx: ImportContext) -> dict[str, str]:
    """Campaign code → the state the campaigns sheet gives it ("" when it gives none)."""
    return ctx.remember_value("campaign states", dict)


def _tallied(ctx: ImportContext) -> set[str]:
    """Codes of the campaigns whose paper tallies this import holds."""
    return ctx.remember_value("paper campaigns", set)


def import_campaign(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    _may_run_evaluations(ctx)
    campaign = Campaign.objects.filter(code=row["code"]).first()
    _states(ctx)[row["code"]] = row.get("state") or ""
    if campaign is not None and not ctx.scope.covers(campaign.unit):
        raise RowError("code", gettext("Outside your unit."))
    if campaign is not None and campaign.is_closed:
        if (campaign.name, campaign.year) == (row["name"], row["year"]):
            return UNCHANGED
        raise RowError("code", gettext("The campaign is closed; its results are final."))
    before = snapshot(campaign)
    if campaign is None:
        campaign = Campaign(code=row["code"], unit=_organiser(ctx))
    campaign.name = row["name"]
    campaign.year = row["year"]
    try:
        return ctx.save(
            campaign, before, lambda: campaign_save(campaign=campaign, reason=ctx.reason)
        )
    except ValidationError as exc:
        raise RowError("code", " ".join(exc.messages)) from exc


def settle_campaigns(ctx: ImportContext) -> None:
    """Give each campaign of the import the state the ledger means: the state its row names,
    else closed when the import holds its paper tallies."""
    wanted = dict.fromkeys(_tallied(ctx), CampaignState.CLOSED)
    wanted.update({code: state for code, state in _states(ctx).items() if state})
    for code, state in wanted.items():
        campaign = Campaign.objects.filter(code=code).first()
        if campaign is None or campaign.state == state:
            continue
        try:
            if state == CampaignState.CLOSED:
                campaign_close(campaign=campaign, reason=ctx.reason)
                ctx.note(
                    gettext("Campaign %(code)s is closed: its ballots were counted on paper.")
                    % {"code": code}
                )
            elif state == CampaignState.OPEN and campaign.state == CampaignState.DRAFT:
                campaign_open(campaign=campaign, reason=ctx.reason)
            else:
                raise ValidationError(
                    gettext("Campaign %(code)s cannot go back to %(state)s.")
                    % {"code": code, "state": CampaignState(state).label}
                )
        except ValidationError as exc:
            raise RowError("code", f"{code}: {' '.join(exc.messages)}") from exc


def _settle_without_ballots(ctx: ImportContext) -> None:
    if "ballots" not in ctx.memo.get("sheets", ()):
        settle_campaigns(ctx)


register_sheet(
    Sheet(
        name="campaigns",
        title_zh="测评活动",
        label=_("Evaluation campaigns"),
        order=160,
        columns=(
            Column("code", "编码", _("code"), required=True, aliases=("活动编码", "测评编码")),
            Column("name", "名称", _("name"), required=True, aliases=("活动名称", "测评名称")),
            Column("year", "年度", _("year"), required=True, parse=integer, aliases=("年份",)),
            Column("state", "状态", _("state"), parse=CAMPAIGN_STATE, aliases=("活动状态",)),
        ),
        import_row=import_campaign,
        finish=_settle_without_ballots,
        aliases=("民主测评", "测评"),
        examples=({"code": "EX-C1", "name": "示例县2025年度民主测评", "year": 2025, "state": ""},),
    )
)


# --- ballots (paper tallies) --------------------------------------------------------------------


def _evaluated(value: str, ctx: ImportContext) -> tuple[OrgUnit | None, Person | None]:
    """The evaluated unit (by code or name), else the evaluated person."""
    try:
        return ctx.unit(value, "unit"), None
    except RowError as unit_error:
        try:
            return None, ctx.person(value, "unit")
        except RowError:
            raise unit_error from None


def _target(campaign: Campaign, value: str, ctx: ImportContext) -> CampaignTarget:
    unit, person = _evaluated(value, ctx)
    code = unit.code if unit is not None else person.code  # type: ignore[union-attr]
    target = campaign_target_for(campaign=campaign, code=code)
    if target is not None:
        return target
    if campaign.state != CampaignState.DRAFT:
        raise RowError("unit", gettext("This unit or person is not evaluated in the campaign."))
    order = CampaignTarget.objects.filter(campaign=campaign).count() + 1
    target = CampaignTarget(campaign=campaign, unit=unit, person=person, sort_order=order)
    target.full_clean()
    target._change_reason = ctx.reason  # type: ignore[attr-defined]
    target.save()
    return target


def _group(campaign: Campaign, code: str, ctx: ImportContext) -> EvaluatorGroup:
    group = EvaluatorGroup.objects.filter(campaign=campaign, code=code).first()
    if group is not None:
        return group
    if campaign.state != CampaignState.DRAFT:
        raise RowError("group", gettext("This group does not rate in the campaign."))
    name = str(dict(GroupKind.choices).get(code, code))
    try:
        return group_save(
            group=EvaluatorGroup(campaign=campaign, code=code, name=name), reason=ctx.reason
        )
    except ValidationError as exc:
        raise RowError("group", " ".join(exc.messages)) from exc


def import_ballots(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    _may_run_evaluations(ctx)
    campaign = Campaign.objects.filter(code=row["campaign"]).first()
    if campaign is None:
        raise RowError(
            "campaign", gettext('No campaign has the code "%(code)s".') % {"code": row["campaign"]}
        )
    if not ctx.scope.covers(campaign.unit):
        raise RowError("campaign", gettext("Outside your unit."))
    code = _group_code(row["group"])
    if campaign.state == CampaignState.CLOSED:
        unit, person = _evaluated(row["unit"], ctx)
        same = PaperTally.objects.filter(
            group__campaign=campaign,
            group__code=code,
            rating=row["rating"],
            count=row["count"],
        ).filter(Q(target__unit=unit) if unit is not None else Q(target__person=person))
        if same.exists():
            return UNCHANGED
        raise RowError("campaign", gettext("The campaign is closed; its results are final."))
    group = _group(campaign, code, ctx)
    target = _target(campaign, row["unit"], ctx)
    existed = PaperTally.objects.filter(group=group, target=target, rating=row["rating"]).exists()
    changed = paper_tally_set(
        group=group,
        counts={(target.pk, row["rating"]): row["count"]},
        acting_user=ctx.acting_user,
        reason=ctx.reason,
    )
    _tallied(ctx).add(campaign.code)
    if not changed:
        return UNCHANGED
    return UPDATED if existed else CREATED


def _count(value: Any) -> int:
    number = integer(value)
    if number is None or number < 0:
        raise ValidationError(gettext("Enter a whole number, 0 or more."))
    return number


register_sheet(
    Sheet(
        name="ballots",
        title_zh="测评票",
        label=_("Evaluation ballots (paper tallies)"),
        order=170,
        columns=(
            Column(
                "campaign",
                "测评活动编码",
                _("campaign"),
                required=True,
                aliases=("测评活动", "活动编码"),
            ),
            Column(
                "group",
                "测评群体",
                _("evaluator group"),
                required=True,
                aliases=("参评人员类别", "群体"),
            ),
            Column(
                "unit",
                "被测评单位（人员）编码",
                _("evaluated unit or person"),
                required=True,
                aliases=("被测评单位", "被测评对象", "测评对象", "单位"),
                refers="unit",
            ),
            Column(
                "rating",
                "评价",
                _("rating"),
                required=True,
                parse=RATING,
                aliases=("评价等次", "等次"),
            ),
            Column(
                "count", "票数", _("count"), required=True, parse=_count, aliases=("票", "得票数")
            ),
        ),
        identity=("campaign", "group", "unit", "rating"),
        import_row=import_ballots,
        finish=settle_campaigns,
        aliases=("测评结果", "测评票数", "纸质测评票"),
        examples=(
            {
                "campaign": "EX-C1",
                "group": "人大代表",
                "unit": "EX-T1",
                "rating": "满意",
                "count": 12,
            },
            {
                "campaign": "EX-C1",
                "group": "人大代表",
                "unit": "EX-T1",
                "rating": "基本满意",
                "count": 3,
            },
            {
                "campaign": "EX-C1",
                "group": "人大代表",
                "unit": "EX-T1",
                "rating": "不满意",
                "count": 1,
            },
        ),
    )
)
