"""make_* helpers of the reports tests, on top of tests.helpers.build_county()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from directory.models import OrgUnit, Person
from reports.evaluation import (
    campaign_close,
    campaign_open,
    campaign_save,
    campaign_set_targets,
    group_save,
    paper_tally_set,
)
from reports.models import Campaign, CampaignTarget, EvaluatorGroup, Rating, Submission
from reports.services import submission_save

SAT, BASIC, UNSAT = Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED


def make_submission(
    *,
    kind: str,
    year: int,
    submitted_on: dt.date,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    title: str = "",
) -> Submission:
    return submission_save(
        submission=Submission(
            kind=kind,
            year=year,
            person=person,
            unit=unit or (person.unit if person else None),
            title=title or f"report {year}",
            text="…",
            submitted_on=submitted_on,
        )
    )


def make_campaign(
    code: str,
    organiser: OrgUnit,
    *,
    units: Sequence[OrgUnit] = (),
    people: Sequence[Person] = (),
    groups: Sequence[tuple[str, str | None]] = (("deputy", None),),
    year: int = 2025,
    open_it: bool = True,
) -> Campaign:
    campaign = campaign_save(
        campaign=Campaign(code=code, name=f"测评 {code}", year=year, unit=organiser)
    )
    campaign_set_targets(campaign=campaign, units=units, people=people)
    for group_code, weight in groups:
        group_save(
            group=EvaluatorGroup(
                campaign=campaign,
                code=group_code,
                name=group_code,
                weight=Decimal(weight) if weight is not None else None,
            )
        )
    if open_it:
        campaign = campaign_open(campaign=campaign)
    return campaign


def enter_paper(
    campaign: Campaign, group_code: str, counts: Mapping[str, tuple[int, int, int]]
) -> None:
    """counts: target code -> (satisfied, basic, unsatisfied)."""
    group = EvaluatorGroup.objects.get(campaign=campaign, code=group_code)
    targets = {t.code: t for t in CampaignTarget.objects.filter(campaign=campaign)}
    paper_tally_set(
        group=group,
        counts={
            (targets[code].pk, rating): numbers[i]
            for code, numbers in counts.items()
            for i, rating in enumerate((SAT, BASIC, UNSAT))
        },
    )


def close(campaign: Campaign) -> Campaign:
    return campaign_close(campaign=campaign)


def target_ids(campaign: Campaign) -> dict[str, int]:
    return {t.code: t.pk for t in CampaignTarget.objects.filter(campaign=campaign)}
