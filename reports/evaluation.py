"""Writes of the democratic evaluation: campaigns, targets, groups, codes, ballots, tallies.

A campaign is prepared (draft), opened (the online counters are created, codes can be
issued and used), and closed (results become visible; nothing changes any more).

Casting an online ballot is one transaction of two UPDATE statements:
1. `UPDATE code SET used = true WHERE id = … AND used = false` — only the transaction that
   changes the row goes on, so two submissions of one code at once count once (on PostgreSQL
   the second waits for the first and then finds no unused row; SQLite runs write
   transactions one at a time);
2. one UPDATE over every counter of the code's group, adding 1 to the chosen (target, rating)
   counters and 0 to the others, so that all of them carry the same row version and nothing
   says which were chosen. No row is inserted: a row id or insertion order could be lined up
   with the order in which codes were used."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.base import validated_save
from directory.claims import ConcurrentChange, claim, lock
from directory.models import OrgUnit, Person

from .models import (
    BallotCode,
    BallotTally,
    Campaign,
    CampaignState,
    CampaignTarget,
    EvaluatorGroup,
    PaperTally,
    Rating,
)

# No 0/O, 1/I/L: codes are typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODES_PER_BATCH = 2000


class BallotError(Exception):
    """The code is unknown or used, the campaign is not open, or the ballot is incomplete."""


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


# --- campaigns ------------------------------------------------------------------------------


def _claim(campaign: Campaign) -> Campaign:
    """Lock the campaign and read it again: opening, closing, tallies and codes of one campaign
    happen one after the other, and a step someone else has just taken is refused as such."""
    try:
        return claim(campaign, fields=("state",))
    except ConcurrentChange:
        raise ConcurrentChange(
            _("Someone else has just changed this campaign; it is now %(state)s.")
            % {"state": campaign.get_state_display()}
        ) from None


def _require_state(campaign: Campaign, *states: str) -> None:
    if campaign.state not in states:
        raise ValidationError(
            _("Not possible while the campaign is %(state)s.")
            % {"state": campaign.get_state_display()}
        )


@transaction.atomic
def campaign_save(*, campaign: Campaign, reason: str = "") -> Campaign:
    if campaign.pk:
        lock(campaign)
        stored = Campaign.objects.get(pk=campaign.pk)
        if stored.state == CampaignState.CLOSED:
            raise ValidationError(_("A closed campaign cannot be changed."))
        if stored.state == CampaignState.OPEN and stored.points() != campaign.points():
            raise ValidationError(_("The rating points are fixed once the campaign is open."))
    return validated_save(campaign, reason or "campaign saved")


@transaction.atomic
def campaign_set_targets(
    *, campaign: Campaign, units: Sequence[OrgUnit] = (), people: Sequence[Person] = ()
) -> list[CampaignTarget]:
    """Add the given units/people as targets (existing ones are kept); draft only."""
    _claim(campaign)
    _require_state(campaign, CampaignState.DRAFT)
    existing = CampaignTarget.objects.filter(campaign=campaign)
    have_units = set(existing.values_list("unit_id", flat=True))
    have_people = set(existing.values_list("person_id", flat=True))
    order = existing.count()
    created = []
    for unit in units:
        if unit.pk not in have_units:
            order += 1
            target = CampaignTarget(campaign=campaign, unit=unit, sort_order=order)
            created.append(validated_save(target, "target added"))
    for person in people:
        if person.pk not in have_people:
            order += 1
            target = CampaignTarget(campaign=campaign, person=person, sort_order=order)
            created.append(validated_save(target, "target added"))
    return created


def campaign_target_for(*, campaign: Campaign, code: str) -> CampaignTarget | None:
    return (
        CampaignTarget.objects.filter(campaign=campaign)
        .filter(Q(unit__code=code) | Q(person__code=code))
        .first()
    )


@transaction.atomic
def group_save(*, group: EvaluatorGroup, reason: str = "") -> EvaluatorGroup:
    campaign = _claim(group.campaign)
    if group.pk is None:
        _require_state(campaign, CampaignState.DRAFT)
    else:
        _require_state(campaign, CampaignState.DRAFT, CampaignState.OPEN)
    return validated_save(group, reason or "group saved")


def check_weights(groups: Sequence[EvaluatorGroup]) -> None:
    weighted = [g for g in groups if g.weight is not None]
    if weighted and len(weighted) != len(groups):
        raise ValidationError(_("Give every evaluator group a weight, or none."))
    if weighted and not any(g.weight for g in weighted):
        raise ValidationError(_("At least one group weight must be more than zero."))


@transaction.atomic
def campaign_open(*, campaign: Campaign, reason: str = "") -> Campaign:
    """Open for ballots: create every online counter at zero (a vote never inserts)."""
    _claim(campaign)
    _require_state(campaign, CampaignState.DRAFT)
    targets = list(CampaignTarget.objects.filter(campaign=campaign))
    groups = list(EvaluatorGroup.objects.filter(campaign=campaign))
    if not targets or not groups:
        raise ValidationError(_("A campaign needs evaluated units or people and a group."))
    check_weights(groups)
    BallotTally.objects.bulk_create(
        [
            BallotTally(campaign=campaign, group=g, target=t, rating=r)
            for g in groups
            for t in targets
            for r in Rating.values
        ],
        ignore_conflicts=True,
    )
    campaign.state = CampaignState.OPEN
    return validated_save(campaign, reason or "campaign opened")


@transaction.atomic
def campaign_close(*, campaign: Campaign, reason: str = "") -> Campaign:
    _claim(campaign)
    _require_state(campaign, CampaignState.DRAFT, CampaignState.OPEN)
    check_weights(list(EvaluatorGroup.objects.filter(campaign=campaign)))
    campaign.state = CampaignState.CLOSED
    campaign.closed_at = timezone.now()
    return validated_save(campaign, reason or "campaign closed")


# --- codes and online ballots ------------------------------------------------------------


@transaction.atomic
def codes_issue(*, group: EvaluatorGroup, count: int) -> list[str]:
    """New one-time codes for a group, returned once (only their digests are kept)."""
    _claim(group.campaign)
    _require_state(group.campaign, CampaignState.DRAFT, CampaignState.OPEN)
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(
            _("Issue between 1 and %(max)d codes at a time.") % {"max": MAX_CODES_PER_BATCH}
        )
    codes = {
        "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH)) for _n in range(count)
    }
    while len(codes) < count:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH)))
    BallotCode.objects.bulk_create(
        [BallotCode(campaign=group.campaign, group=group, digest=code_digest(c)) for c in codes]
    )
    return sorted(format_code(code) for code in codes)


def code_lookup(code: str) -> BallotCode:
    """The unused code of an open campaign, or BallotError (one message for every case, so
    that the page tells a guesser nothing)."""
    found = (
        BallotCode.objects.select_related("campaign", "group")
        .filter(digest=code_digest(code))
        .first()
    )
    if found is None or found.used or found.campaign.state != CampaignState.OPEN:
        raise BallotError(_("This code is not valid, or it has been used already."))
    return found


def ballot_cast(*, code: str, ratings: Mapping[int, str]) -> Campaign:
    """Count one online ballot: `ratings` maps every target id of the campaign to a rating."""
    ballot_code = code_lookup(code)
    campaign = ballot_code.campaign
    target_ids = set(CampaignTarget.objects.filter(campaign=campaign).values_list("pk", flat=True))
    if set(ratings) != target_ids or not set(ratings.values()) <= set(Rating.values):
        raise BallotError(_("Rate every unit or person on the ballot."))
    chosen = Q()
    for target_id, rating in ratings.items():
        chosen |= Q(target_id=target_id, rating=rating)
    with transaction.atomic():
        claimed = BallotCode.objects.filter(pk=ballot_code.pk, used=False).update(used=True)
        if claimed != 1:
            raise BallotError(_("This code is not valid, or it has been used already."))
        BallotTally.objects.filter(group_id=ballot_code.group_id).update(
            count=F("count")
            + Case(When(chosen, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    return campaign


def code_counts(campaign: Campaign) -> dict[int, dict[str, int]]:
    """group id -> issued / used codes (for the campaign page: turnout, not results)."""
    from django.db.models import Count

    counts: dict[int, dict[str, int]] = {}
    for entry in (
        BallotCode.objects.filter(campaign=campaign)
        .values("group_id")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by()
    ):
        counts[entry["group_id"]] = {"issued": entry["issued"], "used": entry["used"]}
    return counts


# --- paper tallies -----------------------------------------------------------------------------


@transaction.atomic
def paper_tally_set(
    *,
    group: EvaluatorGroup,
    counts: Mapping[tuple[int, str], int],
    acting_user: Any = None,
    reason: str = "",
) -> int:
    """Set the paper counts of a group: (target id, rating) -> count. Returns rows changed."""
    campaign = _claim(group.campaign)
    _require_state(campaign, CampaignState.DRAFT, CampaignState.OPEN)
    existing = {(t.target_id, t.rating): t for t in PaperTally.objects.filter(group=group)}
    valid = set(CampaignTarget.objects.filter(campaign=campaign).values_list("pk", flat=True))
    changed = 0
    for (target_id, rating), count in counts.items():
        if target_id not in valid or rating not in Rating.values:
            raise ValidationError(_("Unknown unit or rating in the tally."))
        tally = existing.get((target_id, rating)) or PaperTally(
            campaign=campaign, group=group, target_id=target_id, rating=rating
        )
        if tally.pk and tally.count == count:
            continue
        tally.count = count
        if acting_user is not None:
            tally._history_user = acting_user  # type: ignore[attr-defined]
        validated_save(tally, reason or "paper tally entered")
        changed += 1
    return changed
