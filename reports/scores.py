"""Democratic evaluation scores, exactly as DESIGN.md defines them.

Per evaluated unit (or person): ballots, the count of each rating,
  satisfaction rate = 100 · (satisfied + basic) / ballots
  score             = (P_s · satisfied + P_b · basic + P_u · unsatisfied) / ballots
with the campaign's rating points P (default 100 / 60 / 0), both rounded half up to two
decimals. With group weights the score is the weighted mean of the groups' scores (groups
that cast no ballot for the unit are left out and the weights of the others renormalised);
the satisfaction rate stays the percentage over all ballots, as DESIGN.md defines it.
Units are ranked by score, then satisfaction rate; equal on both share a rank (1, 1, 3)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import QuerySet, Sum

from .models import BallotTally, Campaign, CampaignTarget, EvaluatorGroup, PaperTally, Rating

COLUMNS = (
    "unit",
    "unit_name",
    "ballots",
    "satisfied",
    "basic",
    "unsatisfied",
    "satisfaction_rate",
    "score",
    "rank",
)
CENT = Decimal("0.01")

Counts = Mapping[str, int]  # rating -> count


def to_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def rate_of(counts: Counts) -> Fraction | None:
    ballots = sum(counts.values())
    if not ballots:
        return None
    return Fraction(100 * (counts.get(Rating.SATISFIED, 0) + counts.get(Rating.BASIC, 0)), ballots)


def score_of(counts: Counts, points: Mapping[str, Decimal]) -> Fraction | None:
    ballots = sum(counts.values())
    if not ballots:
        return None
    total = sum(Fraction(points[rating]) * counts.get(rating, 0) for rating in Rating.values)
    return total / ballots


@dataclass
class GroupScore:
    code: str
    name: str
    weight: Decimal | None
    counts: dict[str, int]
    score: Decimal | None = None

    @property
    def ballots(self) -> int:
        return sum(self.counts.values())


@dataclass
class ScoreRow:
    code: str
    name: str
    counts: dict[str, int]
    satisfaction_rate: Decimal | None
    score: Decimal | None
    groups: list[GroupScore] = field(default_factory=list)
    group_scores: dict[str, Decimal | None] = field(default_factory=dict)
    rank: int | None = None

    @property
    def ballots(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return self.counts.get(Rating.SATISFIED, 0)

    @property
    def basic(self) -> int:
        return self.counts.get(Rating.BASIC, 0)

    @property
    def unsatisfied(self) -> int:
        return self.counts.get(Rating.UNSATISFIED, 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.code,
            "unit_name": self.name,
            "ballots": self.ballots,
            "satisfied": self.satisfied,
            "basic": self.basic,
            "unsatisfied": self.unsatisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "score": self.score,
            "rank": self.rank,
        }


def weighted_score(groups: Sequence[GroupScore], points: Mapping[str, Decimal]) -> Fraction | None:
    parts = [
        (Fraction(group.weight), score_of(group.counts, points))
        for group in groups
        if group.weight and group.ballots
    ]
    total_weight = sum(weight for weight, _score in parts)
    if not total_weight:
        return None
    return sum(weight * score for weight, score in parts if score is not None) / total_weight


def score_row(
    code: str, name: str, groups: Sequence[GroupScore], points: Mapping[str, Decimal]
) -> ScoreRow:
    counts: dict[str, int] = dict.fromkeys(Rating.values, 0)
    for group in groups:
        for rating, n in group.counts.items():
            counts[rating] += n
    weighted = any(group.weight is not None for group in groups)
    score = weighted_score(groups, points) if weighted else score_of(counts, points)
    rate = rate_of(counts)
    for group in groups:
        group_score = score_of(group.counts, points)
        group.score = to_decimal(group_score) if group_score is not None else None
    return ScoreRow(
        code=code,
        name=name,
        counts=counts,
        satisfaction_rate=to_decimal(rate) if rate is not None else None,
        score=to_decimal(score) if score is not None else None,
        groups=list(groups),
        group_scores={group.code: group.score for group in groups},
    )


def rank_rows(rows: Iterable[ScoreRow]) -> list[ScoreRow]:
    """By score, then satisfaction rate (both as rounded); equal on both share a rank."""

    def key(row: ScoreRow) -> tuple[Decimal, Decimal]:
        return (row.score or Decimal(-1), row.satisfaction_rate or Decimal(-1))

    ordered = sorted(rows, key=lambda row: (row.score is None, tuple(-v for v in key(row))))
    for row in ordered:
        if row.score is None:
            row.rank = None
            continue
        row.rank = 1 + sum(
            1 for other in ordered if other.score is not None and key(other) > key(row)
        )
    return ordered


def tally_counts(campaign: Campaign) -> dict[tuple[int, int], dict[str, int]]:
    """(target id, group id) -> rating -> online + paper ballots: one grouped query."""
    return _tally_counts([campaign.pk])


def _tally_counts(campaign_ids: Sequence[int]) -> dict[tuple[int, int], dict[str, int]]:
    # targets and groups belong to one campaign: their ids alone key the cells of many campaigns
    online, paper = (
        model.objects.filter(campaign__in=campaign_ids)
        .values("target_id", "group_id", "rating")
        .annotate(n=Sum("count"))
        .order_by()
        for model in (BallotTally, PaperTally)
    )
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for entry in online.union(paper, all=True):
        cell = counts[(entry["target_id"], entry["group_id"])]
        cell[entry["rating"]] = cell.get(entry["rating"], 0) + (entry["n"] or 0)
    return counts


def _ranked(
    campaign: Campaign,
    targets: Sequence[CampaignTarget],
    groups: Sequence[EvaluatorGroup],
    counts: Mapping[tuple[int, int], Mapping[str, int]],
) -> list[ScoreRow]:
    points = campaign.points()
    rows = []
    for target in targets:
        group_scores = [
            GroupScore(g.code, g.name, g.weight, dict(counts.get((target.pk, g.pk), {})))
            for g in groups
        ]
        rows.append(score_row(target.code, target.name, group_scores, points))
    return rank_rows(rows)


def campaign_scores(campaign: Campaign) -> list[ScoreRow]:
    """The ranked result of a campaign (callers show it only once the campaign is closed)."""
    targets = list(
        CampaignTarget.objects.filter(campaign=campaign).select_related("unit", "person")
    )
    groups = list(EvaluatorGroup.objects.filter(campaign=campaign))
    return _ranked(campaign, targets, groups, tally_counts(campaign))


def campaigns_scores(campaigns: QuerySet[Campaign]) -> dict[Campaign, list[ScoreRow]]:
    """The ranked result of each campaign of `campaigns` that has targets, in three queries
    however many (the year-end PDF lists every closed campaign of the year): the campaigns are
    read with their targets."""
    targets: dict[int, list[CampaignTarget]] = defaultdict(list)
    found: dict[int, Campaign] = {}
    for target in CampaignTarget.objects.filter(campaign__in=campaigns).select_related(
        "campaign", "unit", "person"
    ):
        found.setdefault(target.campaign_id, target.campaign)
        targets[target.campaign_id].append(target)
    if not found:
        return {}
    groups: dict[int, list[EvaluatorGroup]] = defaultdict(list)
    for group in EvaluatorGroup.objects.filter(campaign__in=list(found)):
        groups[group.campaign_id].append(group)
    counts = _tally_counts(list(found))
    return {
        campaign: _ranked(campaign, targets[pk], groups[pk], counts)
        for pk, campaign in found.items()
    }
