"""Demo records of the reports app (called by `manage.py demo`; idempotent, looked up by code).

Relative to today's year Y (kept inside the years the calendar knows):
- written reports for Y-1 (most on time, one late, one missing) and a few for Y so far;
- a closed democratic evaluation of Y-1 (townships and departments rated by deputies,
  members and the public, with group weights; paper tallies and online ballots);
- an open evaluation of Y in which linked households rate township cadres; its first five
  ballot codes are printed (at -v 2) so that the public ballot can be tried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from directory.models import OrgUnit, Person
from directory.timeutil import today as local_today

from .evaluation import (
    ballot_cast,
    campaign_close,
    campaign_open,
    campaign_save,
    campaign_set_targets,
    codes_issue,
    group_save,
    paper_tally_set,
)
from .models import (
    Campaign,
    CampaignState,
    CampaignTarget,
    EvaluatorGroup,
    Rating,
    Submission,
    SubmissionKind,
)
from .services import submission_save

REASON = "demo"
LAST_KNOWN_YEAR = 2026

# (person code or "", unit code or "", kind, month, day, title); day None: not submitted
ANNUAL = SubmissionKind.ANNUAL_REPORT
RESEARCH = SubmissionKind.RESEARCH_REPORT
LAST_YEAR_REPORTS: list[tuple[str, str, str, int, int, str]] = [
    ("QHX-P001", "", ANNUAL, 12, 20, "关于{y}年度联系服务群众工作落实情况的报告"),
    ("QHX-P002", "", ANNUAL, 12, 22, "{y}年度联系服务群众工作情况报告"),
    ("QHX-P003", "", ANNUAL, 12, 26, "{y}年度落实联系服务群众制度的书面报告"),
    ("QHX-P004", "", ANNUAL, 12, 30, "{y}年度联系服务群众工作总结"),
    ("QHX-P005", "", ANNUAL, 12, 18, "{y}年度联系服务群众工作情况报告"),
    # QHX-P006 handed in nothing: the report shows it as short.
    ("", "QHX-CGZ", ANNUAL, 12, 25, "城关镇党委{y}年度联系服务群众工作报告"),
    ("", "QHX-XFJ", ANNUAL, 12, 23, "县信访局党组{y}年度联系服务群众工作报告"),
    ("", "QHX-JYJ", ANNUAL, 12, 29, "县教育局党组{y}年度联系服务群众工作报告"),
    ("QHX-P001", "", RESEARCH, 9, 15, "关于城关镇老旧小区改造的调研报告"),
    ("QHX-P002", "", RESEARCH, 10, 8, "关于石桥乡产业发展的调研报告"),
    ("QHX-P004", "", RESEARCH, 11, 12, "关于农村义务教育均衡发展的调研报告"),
    ("QHX-P101", "", RESEARCH, 8, 20, "关于南关村集体经济发展的调研报告"),
    ("QHX-P201", "", RESEARCH, 7, 30, "关于石桥乡留守老人照护的调研报告"),
    ("QHX-P441", "", RESEARCH, 6, 18, "关于县城学位供给的调研报告"),
]
# Late: the unit's report arrived in January.
LATE_REPORTS = [("", "QHX-SQX", ANNUAL, "石桥乡党委{y}年度联系服务群众工作报告")]
THIS_YEAR_REPORTS: list[tuple[str, str, str, int, int, str]] = [
    ("QHX-P004", "", RESEARCH, 5, 20, "关于石桥乡乡村旅游的调研报告"),
    ("QHX-P101", "", RESEARCH, 6, 3, "关于城关镇背街小巷治理的调研报告"),
]

# target code -> group code -> (satisfied, basic, unsatisfied), entered from paper
PAPER: dict[str, dict[str, tuple[int, int, int]]] = {
    "QHX-CGZ": {"deputy": (28, 6, 1), "member": (20, 5, 0), "public": (41, 12, 3)},
    "QHX-SQX": {"deputy": (25, 8, 2), "member": (18, 6, 1), "public": (37, 15, 4)},
    "QHX-XFJ": {"deputy": (30, 4, 1), "member": (21, 4, 0), "public": (35, 18, 3)},
    "QHX-JYJ": {"deputy": (26, 7, 2), "member": (19, 5, 1), "public": (44, 9, 3)},
    "QHX-ZJJ": {"deputy": (22, 10, 3), "member": (16, 8, 1), "public": (30, 20, 6)},
}
GROUPS = [
    ("deputy", "人大代表", "0.4"),
    ("member", "政协委员", "0.3"),
    ("public", "群众代表", "0.3"),
]
ONLINE_PUBLIC_BALLOTS = [
    {"QHX-CGZ": Rating.SATISFIED, "QHX-SQX": Rating.BASIC, "QHX-XFJ": Rating.SATISFIED,
     "QHX-JYJ": Rating.SATISFIED, "QHX-ZJJ": Rating.BASIC},
    {"QHX-CGZ": Rating.SATISFIED, "QHX-SQX": Rating.SATISFIED, "QHX-XFJ": Rating.BASIC,
     "QHX-JYJ": Rating.SATISFIED, "QHX-ZJJ": Rating.UNSATISFIED},
    {"QHX-CGZ": Rating.BASIC, "QHX-SQX": Rating.SATISFIED, "QHX-XFJ": Rating.SATISFIED,
     "QHX-JYJ": Rating.BASIC, "QHX-ZJJ": Rating.SATISFIED},
]  # fmt: skip


def build(*, stdout: Any) -> list[str]:
    if not OrgUnit.objects.filter(code="QHX").exists():
        return []
    year = min(local_today().year, LAST_KNOWN_YEAR)
    with transaction.atomic():
        created = build_submissions(year)
        closed = build_closed_campaign(year - 1)
        codes = build_open_campaign(year)
    stdout.write(f"reports: {created} written reports; campaign {closed} closed\n")
    if codes:
        stdout.write("reports: ballot codes for the open campaign: " + ", ".join(codes) + "\n")
    return []


def _submission(row: tuple, year: int, submitted: dt.date) -> int:
    person_code, unit_code, kind, *_rest = row
    title = row[-1].format(y=year)
    person = Person.objects.filter(code=person_code).first() if person_code else None
    unit = person.unit if person else OrgUnit.objects.get(code=unit_code)
    if Submission.objects.filter(person=person, unit=unit, year=year, kind=kind).exists():
        return 0
    submission = Submission(
        person=person,
        unit=unit,
        year=year,
        kind=kind,
        title=title,
        text=f"{title}\n\n（演示数据）",
        submitted_on=submitted,
    )
    submission_save(submission=submission, reason=REASON)
    return 1


def build_submissions(year: int) -> int:
    created = 0
    for row in LAST_YEAR_REPORTS:
        created += _submission(row, year - 1, dt.date(year - 1, row[3], row[4]))
    for row in LATE_REPORTS:
        created += _submission(row, year - 1, dt.date(year, 1, 8))
    today = local_today()
    for row in THIS_YEAR_REPORTS:
        submitted = dt.date(year, row[3], row[4])
        if submitted <= today:
            created += _submission(row, year, submitted)
    return created


def _campaign(code: str, name: str, year: int, kind: str) -> tuple[Campaign, bool]:
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is not None:
        return campaign, False
    county = OrgUnit.objects.get(code="QHX")
    campaign = Campaign(code=code, name=name, year=year, unit=county, target_kind=kind)
    return campaign_save(campaign=campaign, reason=REASON), True


def build_closed_campaign(year: int) -> str:
    campaign, new = _campaign(
        f"QHX-MZCP-{year}", f"清河县{year}年度乡镇和县直部门民主测评", year, "units"
    )
    if not new:
        return campaign.code
    units = list(OrgUnit.objects.filter(code__in=PAPER).order_by("path"))
    campaign_set_targets(campaign=campaign, units=units)
    groups = {
        code: group_save(
            group=EvaluatorGroup(campaign=campaign, code=code, name=name, weight=Decimal(w)),
            reason=REASON,
        )
        for code, name, w in GROUPS
    }
    campaign_open(campaign=campaign, reason=REASON)
    targets = {
        t.code: t for t in CampaignTarget.objects.filter(campaign=campaign).select_related("unit")
    }
    for group_code, group in groups.items():
        counts = {
            (targets[unit].pk, rating): PAPER[unit][group_code][i]
            for unit in PAPER
            for i, rating in enumerate(Rating.values)
        }
        paper_tally_set(group=group, counts=counts, reason=REASON)
    codes = codes_issue(group=groups["public"], count=len(ONLINE_PUBLIC_BALLOTS) + 2)
    for code, ballot in zip(codes, ONLINE_PUBLIC_BALLOTS, strict=False):
        ballot_cast(code=code, ratings={targets[unit].pk: r for unit, r in ballot.items()})
    campaign_close(campaign=campaign, reason=REASON)
    return campaign.code


def build_open_campaign(year: int) -> list[str]:
    campaign, new = _campaign(f"QHX-LXH-{year}", f"石桥乡{year}年度联系户评议干部", year, "people")
    if not new or campaign.state != CampaignState.DRAFT:
        return []
    people = list(Person.objects.filter(code__in=["QHX-P203", "QHX-P204", "QHX-P205", "QHX-P206"]))
    campaign_set_targets(campaign=campaign, people=people)
    households = group_save(
        group=EvaluatorGroup(campaign=campaign, code="households", name="联系户"), reason=REASON
    )
    group_save(
        group=EvaluatorGroup(campaign=campaign, code="village_party", name="村党组织"),
        reason=REASON,
    )
    campaign_open(campaign=campaign, reason=REASON)
    return codes_issue(group=households, count=5)
