"""Ledger sheets of the reports app: submissions, campaigns and ballots (paper tallies).

Examples refer to the directory examples (person EX-P1, township EX-T1) so that the whole
template workbook imports cleanly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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

from .evaluation import campaign_save, campaign_target_for, group_save, paper_tally_set
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


def import_campaign(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    _may_run_evaluations(ctx)
    campaign = Campaign.objects.filter(code=row["code"]).first()
    before = snapshot(campaign)
    if campaign is None:
        campaign = Campaign(code=row["code"], unit=_organiser(ctx))
    elif not ctx.scope.covers(campaign.unit):
        raise RowError("code", gettext("Outside your unit."))
    campaign.name = row["name"]
    campaign.year = row["year"]
    try:
        return ctx.save(
            campaign, before, lambda: campaign_save(campaign=campaign, reason=ctx.reason)
        )
    except ValidationError as exc:
        raise RowError("code", " ".join(exc.messages)) from exc


register_sheet(
    Sheet(
        name="campaigns",
        title_zh="测评活动",
        label=_("Evaluation campaigns"),
        order=160,
        columns=(
            Column("code", "编码", _("code"), required=True),
            Column("name", "名称", _("name"), required=True),
            Column("year", "年度", _("year"), required=True, parse=integer),
        ),
        import_row=import_campaign,
        examples=({"code": "EX-C1", "name": "示例县2025年度民主测评", "year": 2025},),
    )
)


# --- ballots (paper tallies) --------------------------------------------------------------------


def _target(campaign: Campaign, code: str, ctx: ImportContext) -> CampaignTarget:
    target = campaign_target_for(campaign=campaign, code=code)
    if target is not None:
        return target
    if campaign.state != CampaignState.DRAFT:
        raise RowError("unit", gettext("This unit or person is not evaluated in the campaign."))
    unit = OrgUnit.objects.filter(code=code).first()
    person = None if unit else Person.objects.filter(code=code).first()
    if unit is None and person is None:
        raise RowError(
            "unit", gettext('No unit or person has the code "%(code)s".') % {"code": code}
        )
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
    if campaign.state == CampaignState.CLOSED:
        raise RowError("campaign", gettext("The campaign is closed; its results are final."))
    if not ctx.scope.covers(campaign.unit):
        raise RowError("campaign", gettext("Outside your unit."))
    group = _group(campaign, _group_code(row["group"]), ctx)
    target = _target(campaign, row["unit"], ctx)
    existed = PaperTally.objects.filter(group=group, target=target, rating=row["rating"]).exists()
    changed = paper_tally_set(
        group=group,
        counts={(target.pk, row["rating"]): row["count"]},
        acting_user=ctx.acting_user,
        reason=ctx.reason,
    )
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
            Column("campaign", "测评活动编码", _("campaign"), required=True),
            Column("group", "测评群体", _("evaluator group"), required=True),
            Column("unit", "被测评单位（人员）编码", _("evaluated unit or person"), required=True),
            Column("rating", "评价", _("rating"), required=True, parse=RATING),
            Column("count", "票数", _("count"), required=True, parse=_count),
        ),
        identity=("campaign", "group", "unit", "rating"),
        import_row=import_ballots,
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
