"""Reminders of clocks: the scan that decides who must be reminded of what, and the delivery
that hands each reminder over exactly once.

Scan (`reminders_scan`): one indexed query over open clocks due within the largest "due soon"
window; for each clock only its *current* stage creates reminders — due soon (N working days
before), due today, or overdue (with escalation to the supervising office at once and to the
leader in charge after a further delay). Stages that passed while nothing scanned are not
replayed, so a clock reopened after its due date reminds once, not in a flood. Rows are keyed
(clock, kind, lead, due, recipient or duty group): running the scan twice, or two scans at once,
creates nothing new; an extended clock (a new due date) is reminded again for its new date.
The scan never drops a clock silently: an overdue clock is reminded as overdue whatever the
working-day calendar knows (that needs no calendar); a stage that depends on working days in a
year the calendar does not know is decided from the known days when they suffice, and
otherwise logged and kept as a `ReminderSkip` that administrators see.

Inbox (`reminders_deliver`): reminders are claimed in batches with a conditional UPDATE (state
pending, failed and due again, or claimed longer ago than REMINDER_CLAIM_TIMEOUT → claimed, with
a new token); each addressee's claimed reminders become one digest (an inbox notification, or
a duty group's message) in a transaction that first locks the rows still carrying this run's
token — a run that outlived its claim finds none and creates nothing. The digest's outside
deliveries (e-mail, text message, group robot) are created in the same transaction and sent by
the delivery state machine of `rules.deliveries`. Batches follow one another until nothing is
left or the task's time is up."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from directory.access import concerns
from directory.base import codes_regex
from directory.models import TOWNSHIP_KINDS, Link, OrgUnit, Role, User, jurisdiction_path
from directory.timeutil import today as local_today

from .deliveries import backoff, deliveries_for, deliveries_run, max_attempts
from .models import (
    SCAN_PENDING,
    Clock,
    ClockState,
    Delivery,
    DeliveryPreference,
    DutyGroup,
    Notification,
    Reminder,
    ReminderKind,
    ReminderSkip,
    ReminderState,
)
from .visibility import visible_item_ids
from .workdays import UnknownCalendarYear, WorkCalendar, add_workdays, workdays_between

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    kind: str
    lead: int = 0


def clock_stages(
    clock: Clock,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    due_soon: Iterable[int],
    leader_after: int,
) -> list[Stage]:
    """The stages a clock is in today (several only when it is overdue and escalating)."""
    if clock.due < today:
        stages = [Stage(ReminderKind.OVERDUE), Stage(ReminderKind.ESCALATED_OFFICE)]
        if workdays_between(clock.due, today, calendar) >= leader_after:
            stages.append(Stage(ReminderKind.ESCALATED_LEADER))
        return stages
    if clock.due == today:
        return [Stage(ReminderKind.DUE_TODAY)]
    left = workdays_between(today, clock.due, calendar)
    for lead in sorted(due_soon):
        if left <= lead:
            return [Stage(ReminderKind.DUE_SOON, lead)]
    return []


class Recipients:
    """Who must act on each clock, resolved for a whole batch of clocks in a few queries.

    Nobody is handed a clock they could not open: never an account the item is about (the
    clock's subject unit, a unit under it, or its subject person — whatever the stage, the
    leaders of an escalation included: directory.access.concerns), and for item types
    registered with rules.visibility (petitions, reception matters, appeals) only accounts that
    the item's own access condition lets see it — one query per recipient and item type of
    the batch. An escalation whose only leader is excluded still reaches the supervising office.
    """

    def __init__(self, clocks: list[Clock]) -> None:
        unit_ids = {c.unit_id for c in clocks if c.unit_id}
        units = OrgUnit.all_objects.in_bulk(unit_ids)
        ancestor_ids = {int(p) for u in units.values() for p in u.path.strip("/").split("/") if p}
        ancestors = OrgUnit.all_objects.in_bulk(ancestor_ids)
        self.township: dict[int, int] = {}
        self.root: dict[int, str] = {}
        for unit in units.values():
            chain = [
                ancestors[int(p)]
                for p in unit.path.strip("/").split("/")
                if p and int(p) in ancestors
            ]
            self.root[unit.pk] = jurisdiction_path(unit, ancestors)
            towns = [a.pk for a in chain if a.kind in TOWNSHIP_KINDS]
            self.township[unit.pk] = towns[0] if towns else unit.pk
        accounts = User.objects.filter(is_active=True).only("pk", "unit_id", "roles", "person_id")
        self.unit_staff: dict[int, set[int]] = defaultdict(set)
        self.by_person: dict[int, int] = {}
        for user in accounts.filter(
            Q(unit_id__in=unit_ids) | Q(person_id__in={c.person_id for c in clocks})
        ):
            if user.unit_id in unit_ids and user.roles:
                self.unit_staff[user.unit_id].add(user.pk)
            if user.person_id:
                self.by_person[user.person_id] = user.pk
        self.supervisors: dict[str, set[int]] = defaultdict(set)
        for user in accounts.filter(roles__regex=codes_regex(Role.SUPERVISOR)).select_related(
            "unit"
        ):
            if user.unit is not None:
                self.supervisors[jurisdiction_path(user.unit, ancestors)].add(user.pk)
        watched = set(unit_ids) | set(self.township.values())
        self.leaders: dict[int, set[int]] = defaultdict(set)
        links = Link.objects.filter(unit_id__in=watched, person__account__is_active=True)
        for unit_id, user_id, roles in links.values_list(
            "unit_id", "person__account__id", "person__account__roles"
        ):
            if Role.LEADER in (roles or "").split(";"):
                self.leaders[unit_id].add(user_id)
        candidates = set(self.by_person.values())
        for group in (self.unit_staff, self.supervisors, self.leaders):
            for user_ids in group.values():
                candidates |= user_ids
        self.accounts = User.objects.select_related("unit", "person__unit").in_bulk(candidates)
        self.items: dict[int, set[int]] = defaultdict(set)
        for clock in clocks:
            self.items[clock.content_type_id].add(clock.object_id)
        self.visible: dict[tuple[int | str, int], set[int] | None] = {}
        self.units = units
        self.unit_readers: dict[int, User] = {}

    def for_stage(self, clock: Clock, stage: Stage) -> set[int]:
        return {user_id for user_id in self._wanted(clock, stage) if self.may_see(user_id, clock)}

    def may_see(self, user_id: int, clock: Clock) -> bool:
        """The account may open the clock's item (see the class docstring)."""
        user = self.accounts.get(user_id)
        return user is not None and self._reader_may_see(user, user_id, clock)

    def unit_may_see(self, unit_id: int, clock: Clock) -> bool:
        """A unit's duty group may be told of the clock: the group is read by the unit's staff,
        so it gets what a staff account of that unit (with no person of its own) may open."""
        if unit_id not in self.unit_readers:
            unit = self.units.get(unit_id) or OrgUnit.all_objects.get(pk=unit_id)
            self.unit_readers[unit_id] = User(unit=unit, roles=Role.UNIT_STAFF, is_active=True)
        return self._reader_may_see(self.unit_readers[unit_id], f"unit:{unit_id}", clock)

    def _reader_may_see(self, user: User, key: int | str, clock: Clock) -> bool:
        if concerns(user, clock.subject_unit_id, clock.subject_person_id):
            return False
        cache_key = (key, clock.content_type_id)
        if cache_key not in self.visible:
            self.visible[cache_key] = visible_item_ids(
                user, clock.content_type_id, self.items[clock.content_type_id]
            )
        visible = self.visible[cache_key]
        return visible is None or clock.object_id in visible

    def _wanted(self, clock: Clock, stage: Stage) -> set[int]:
        if stage.kind == ReminderKind.ESCALATED_OFFICE:
            return set(self.supervisors.get(self.root.get(clock.unit_id, ""), set()))
        if stage.kind == ReminderKind.ESCALATED_LEADER:
            return self.leaders.get(clock.unit_id, set()) | self.leaders.get(
                self.township.get(clock.unit_id, -1), set()
            )
        people = set(self.unit_staff.get(clock.unit_id, set()))
        if clock.person_id and clock.person_id in self.by_person:
            people.add(self.by_person[clock.person_id])
        return people


# --- the scan -------------------------------------------------------------------------------------

#: the stages that remind the responsible unit (and so its duty group); escalations go to people
UNIT_STAGES = (ReminderKind.DUE_SOON, ReminderKind.DUE_TODAY, ReminderKind.OVERDUE)


@dataclass
class ScanResult:
    created: int = 0  # reminder rows this scan inserted (not those another scan inserted)
    skipped: int = 0  # stages of clocks it could not decide (logged, listed for administrators)


def workdays_bounds(
    first: dt.date,
    last: dt.date,
    calendar: WorkCalendar,
    *,
    enough: int | None = None,
    known: dict[int, bool] | None = None,
) -> tuple[int, int]:
    """(fewest, most) working days after `first` up to and including `last`: exact over the
    years the calendar knows, while a day of a year it does not know may or may not be one.
    Counting stops once `fewest` reaches `enough` (nothing after it can lower it). `known`
    caches which years the calendar knows across calls (one query per unknown year)."""
    known = {} if known is None else known
    fewest = unknown = 0
    if last <= first:
        return 0, 0
    start = first + dt.timedelta(days=1)
    for year in range(start.year, last.year + 1):  # by arithmetic over each year's part
        low, high = max(start, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        if year not in known:
            known[year] = calendar.knows(year)
        if not known[year]:
            unknown += (high - low).days + 1
            continue
        fewest += workdays_between(low - dt.timedelta(days=1), high, calendar)
        if enough is not None and fewest >= enough:
            break
    return fewest, fewest + unknown


def _lead_for(left: int, due_soon: Iterable[int]) -> int | None:
    return next((lead for lead in sorted(due_soon) if left <= lead), None)


def decide_stages(
    clock: Clock,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    due_soon: Iterable[int],
    leader_after: int,
    known: dict[int, bool] | None = None,
) -> tuple[list[Stage], list[tuple[str, str]]]:
    """The stages a clock is in today, and the (stage, reason) pairs that cannot be decided
    because the working days in between fall in a year the calendar does not know. The same
    stages as `clock_stages` whenever the calendar knows every year involved."""
    due_soon = list(due_soon)
    if clock.due < today:
        stages = [Stage(ReminderKind.OVERDUE), Stage(ReminderKind.ESCALATED_OFFICE)]
        fewest, most = workdays_bounds(clock.due, today, calendar, enough=leader_after, known=known)
        if fewest >= leader_after:
            stages.append(Stage(ReminderKind.ESCALATED_LEADER))
        elif most >= leader_after:
            reason = _unknown_year(clock.due, today, calendar)
            return stages, [(ReminderKind.ESCALATED_LEADER, reason)]
        return stages, []
    if clock.due == today:
        return [Stage(ReminderKind.DUE_TODAY)], []
    fewest, most = workdays_bounds(today, clock.due, calendar, known=known)
    lead, other = _lead_for(fewest, due_soon), _lead_for(most, due_soon)
    if lead != other:
        return [], [(ReminderKind.DUE_SOON, _unknown_year(today, clock.due, calendar))]
    return ([Stage(ReminderKind.DUE_SOON, lead)] if lead is not None else []), []


def _unknown_year(first: dt.date, last: dt.date, calendar: WorkCalendar) -> str:
    """Why a stage cannot be decided: the first year in between the calendar does not know."""
    year = next(y for y in range(first.year, last.year + 1) if not calendar.knows(y))
    return str(UnknownCalendarYear(year))


def scan_horizon(today: dt.date, lead: int, calendar: WorkCalendar) -> dt.date:
    """The last due date that can be "due soon" today. When the calendar cannot say, a bound
    in calendar days no official schedule exceeds (weekends and the longest holiday block)."""
    try:
        return add_workdays(today, lead, calendar)
    except UnknownCalendarYear:
        return today + dt.timedelta(days=-(-lead // 5) * 7 + 10)


def _duty_groups(clocks: list[Clock]) -> dict[int, int]:
    """unit id → the id of its active duty group, for the units of these clocks."""
    units = {c.unit_id for c in clocks if c.unit_id}
    return dict(
        DutyGroup.objects.filter(unit_id__in=units, active=True).values_list("unit_id", "pk")
    )


def scan_queryset(today: dt.date, calendar: WorkCalendar | None = None) -> QuerySet[Clock]:
    """The open clocks the scan of `today` reads: one query over the partial index of the
    clocks it has stages left to write for (a clock escalated to a leader for its due date is
    done with: Clock.reminded_due)."""
    calendar = calendar or WorkCalendar()
    horizon = scan_horizon(today, max(settings.REMINDER_DUE_SOON_WORKDAYS, default=0), calendar)
    return Clock.objects.filter(SCAN_PENDING, due__lte=horizon).order_by("due", "pk")


def reminders_scan(today: dt.date) -> ScanResult:
    """Create the reminders due today; returns the rows this scan created and the stages it
    could not decide."""
    due_soon = list(settings.REMINDER_DUE_SOON_WORKDAYS)
    leader_after = settings.ESCALATE_TO_LEADER_AFTER_WORKDAYS
    calendar = WorkCalendar()
    clocks = list(scan_queryset(today, calendar))
    if not clocks:
        return ScanResult()
    recipients = Recipients(clocks)
    groups = _duty_groups(clocks)
    token = uuid.uuid4()
    known: dict[int, bool] = {}
    rows: list[Reminder] = []
    skips: list[ReminderSkip] = []
    finished: dict[dt.date, list[int]] = defaultdict(list)  # due → clocks at their last stage
    for clock in clocks:
        stages, undecided = decide_stages(
            clock, today, calendar, due_soon=due_soon, leader_after=leader_after, known=known
        )
        if any(stage.kind == ReminderKind.ESCALATED_LEADER for stage in stages):
            finished[clock.due].append(clock.pk)
        for stage in stages:
            key = {"clock": clock, "kind": stage.kind, "lead": stage.lead, "due": clock.due}
            for user_id in sorted(recipients.for_stage(clock, stage)):
                rows.append(Reminder(**key, recipient_id=user_id, scan_token=token))
            if (
                stage.kind in UNIT_STAGES
                and clock.unit_id in groups
                and recipients.unit_may_see(clock.unit_id, clock)
            ):
                rows.append(Reminder(**key, group_id=groups[clock.unit_id], scan_token=token))
        skips += [
            ReminderSkip(clock=clock, day=today, stage=kind, reason=reason)
            for kind, reason in undecided
        ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    # Rows another scan inserted first were ignored: they carry that scan's token, not ours.
    created = Reminder.objects.filter(scan_token=token).count() if rows else 0
    # Only once their rows are in: a clock whose due date moved meanwhile stays pending.
    for due, ids in finished.items():
        for start in range(0, len(ids), 5000):
            Clock.objects.filter(pk__in=ids[start : start + 5000], due=due).update(reminded_due=due)
    if skips:
        ReminderSkip.objects.bulk_create(skips, ignore_conflicts=True, batch_size=2000)
        log.warning(
            "deadline scan of %s: %d stages of open deadlines could not be decided (%s); "
            "listed for administrators",
            today,
            len(skips),
            skips[0].reason,
        )
    return ScanResult(created=created, skipped=len(skips))


# --- the inbox digest ---------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    return (
        Q(state=ReminderState.PENDING)
        | Q(state=ReminderState.FAILED, next_attempt_at__lte=now)
        | Q(state=ReminderState.CLAIMED, claimed_at__lt=stale)  # its worker died
    )


def _claim(now: dt.datetime, limit: int) -> tuple[uuid.UUID, int]:
    """Claim up to `limit` reminders for this run: (token, rows claimed)."""
    token = uuid.uuid4()
    candidates = list(
        Reminder.objects.filter(_claimable(now)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    # The conditional update is the claim: a row another worker claimed meanwhile is skipped.
    claimed = Reminder.objects.filter(_claimable(now), pk__in=candidates).update(
        state=ReminderState.CLAIMED, claim_token=token, claimed_at=now
    )
    return token, claimed


def _item_link(clock: Clock) -> str:
    """The item's page, when its model has one."""
    try:
        return clock.item.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""


def _item_text(reminder: Reminder) -> str:
    clock = reminder.clock
    what = clock.label or f"{clock.content_type.name} #{clock.object_id}"
    stage = reminder.get_kind_display()
    if reminder.kind == ReminderKind.DUE_SOON:
        stage = _("due in %(n)s working days") % {"n": reminder.lead}
    return _("%(rule)s %(what)s — %(stage)s (due %(due)s)") % {
        "rule": clock.rule.rule_id,
        "what": what,
        "stage": stage,
        "due": clock.due.isoformat(),
    }


@dataclass(frozen=True)
class Addressee:
    user: User | None = None
    group: DutyGroup | None = None


def _digest(
    addressee: Addressee,
    reminders: list[Reminder],
    token: uuid.UUID,
    now: dt.datetime,
    preference: DeliveryPreference | None,
) -> Notification | None:
    """One digest of the reminders still claimed by `token`, in one transaction."""
    with transaction.atomic():
        owned = set(
            Reminder.objects.select_for_update()
            .filter(
                pk__in=[r.pk for r in reminders], claim_token=token, state=ReminderState.CLAIMED
            )
            .values_list("pk", flat=True)
        )
        mine = [r for r in reminders if r.pk in owned]  # another run took over the rest
        live = [
            r
            for r in mine
            if r.clock.state == ClockState.OPEN
            and r.clock.due == r.due
            and (addressee.group is None or addressee.group.active)
        ]  # completed, paused or re-dated clocks (or a group switched off) stop their reminders
        stale = [r.pk for r in mine if r not in live]
        if stale:
            Reminder.objects.filter(pk__in=stale, claim_token=token).update(
                state=ReminderState.CANCELLED
            )
        if not live:
            return None
        with override(settings.LANGUAGE_CODE):
            title = (
                _("%(n)s deadline reminders") % {"n": len(live)}
                if len(live) > 1
                else _item_text(live[0])
            )
            items = [
                {"text": _item_text(r), "url": _item_link(r.clock), "kind": r.kind} for r in live
            ]
        notification = Notification.objects.create(
            user=addressee.user, group=addressee.group, title=title, items=items
        )
        Delivery.objects.bulk_create(
            deliveries_for(
                notification,
                user=addressee.user,
                group=addressee.group,
                preference=preference,
                now=now,
            )
        )
        Reminder.objects.filter(
            pk__in=[r.pk for r in live], claim_token=token, state=ReminderState.CLAIMED
        ).update(state=ReminderState.SENT, sent_at=now, notification=notification, error="")
    return notification


def _fail(reminders: list[Reminder], token: uuid.UUID, error: str, now: dt.datetime) -> None:
    """A digest that could not be built: its reminders fail, to be retried after a back-off,
    and are given up (listed for administrators) after DELIVERY_MAX_ATTEMPTS tries."""
    for reminder in reminders:
        attempts = reminder.attempts + 1
        dead = attempts >= max_attempts()
        Reminder.objects.filter(pk=reminder.pk, claim_token=token).update(
            state=ReminderState.DEAD if dead else ReminderState.FAILED,
            attempts=attempts,
            error=error[:2000],
            next_attempt_at=None if dead else now + backoff(attempts),
        )


def _digest_batch(token: uuid.UUID, now: dt.datetime) -> int:
    claimed = (
        Reminder.objects.filter(claim_token=token, state=ReminderState.CLAIMED)
        .select_related("clock__rule", "clock__content_type", "recipient", "group__unit")
        # The items behind the clocks (for the links), one query per item type.
        .prefetch_related("clock__item")
        .order_by("recipient_id", "group_id", "clock__due", "pk")
    )
    batches: dict[tuple[int | None, int | None], list[Reminder]] = defaultdict(list)
    for reminder in claimed:
        batches[(reminder.recipient_id, reminder.group_id)].append(reminder)
    preferences = {
        p.user_id: p
        for p in DeliveryPreference.objects.filter(
            user_id__in={user_id for user_id, _group in batches if user_id}
        )
    }
    created = 0
    for (user_id, _group_id), reminders in batches.items():
        first = reminders[0]
        addressee = Addressee(user=first.recipient, group=first.group)
        try:
            notification = _digest(addressee, reminders, token, now, preferences.get(user_id))
        except Exception as exc:  # one addressee's failure must not stop the others
            log.exception("reminder digest for %s failed", first.recipient or first.group)
            _fail(reminders, token, f"{type(exc).__name__}: {exc}", now)
            continue
        created += notification is not None
    return created


def reminders_deliver(
    now: dt.datetime | None = None,
    *,
    deadline: float | None = None,
    batch: int | None = None,
) -> int:
    """Turn pending reminders into digests, batch after batch, until none is left or the
    task's time (`deadline`, a time.monotonic() value) is up; returns digests created."""
    now = now or timezone.now()
    if deadline is None:
        deadline = time.monotonic() + float(getattr(settings, "DELIVERY_RUN_SECONDS", 480))
    size = batch or int(getattr(settings, "REMINDER_BATCH_SIZE", 500))
    created = 0
    while time.monotonic() < deadline:
        token, claimed = _claim(now, size)
        if not claimed:
            break
        created += _digest_batch(token, now)
    return created


def deadline_run(today: dt.date | None = None) -> dict[str, Any]:
    """The scheduled job: scan, build the digests, send what is due on the outside channels —
    within the task's time (DELIVERY_RUN_SECONDS)."""
    deadline = time.monotonic() + float(getattr(settings, "DELIVERY_RUN_SECONDS", 480))
    today = today or local_today()
    scan = reminders_scan(today)
    digests = reminders_deliver(deadline=deadline)
    sent = deliveries_run(deadline=deadline)
    return {
        "reminders": scan.created,
        "undecided": scan.skipped,
        "notifications": digests,
        **sent,
    }


def deliveries_job() -> dict[str, Any]:
    """The frequent job: digests left over by a run that ran out of time, then retries."""
    deadline = time.monotonic() + float(getattr(settings, "DELIVERY_RUN_SECONDS", 480))
    digests = reminders_deliver(deadline=deadline)
    return {"notifications": digests, **deliveries_run(deadline=deadline)}
