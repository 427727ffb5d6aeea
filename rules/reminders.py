"""Reminders of clocks: the scan that decides who must be reminded of what, and the delivery that
hands each reminder over exactly once.

Scan (`reminders_scan`): one indexed query over open clocks due within the largest "due soon"
window; for each clock only its *current* stage creates reminders — due soon (N working days
before), due today, or overdue (with escalation to the supervising office at once and to the
leader in charge after a further delay). Stages that passed while nothing scanned are not
replayed, so a clock reopened after its due date reminds once, not in a flood. Rows are keyed
(clock, kind, lead, due, recipient): running the scan twice creates nothing new; an extended
clock (a new due date) is reminded again for its new date.

Delivery (`reminders_deliver`): pending reminders are claimed with a conditional UPDATE
(state pending → claimed, with a token) so that two workers never claim the same row; each
recipient's claimed reminders become one inbox digest and are marked sent in the same
transaction. A worker that dies after claiming leaves rows 'claimed'; after
REMINDER_CLAIM_TIMEOUT another run reclaims them. E-mail (and any further channel) goes out after
the digest is committed, guarded by its own conditional update: at most once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from directory.access import concerns
from directory.base import codes_regex
from directory.models import Link, OrgUnit, Role, UnitKind, User
from directory.timeutil import today as local_today

from .models import (
    Clock,
    ClockState,
    DeliveryPreference,
    Notification,
    Reminder,
    ReminderKind,
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
        self.root: dict[int, int] = {}
        for unit in units.values():
            chain = [
                ancestors[int(p)]
                for p in unit.path.strip("/").split("/")
                if p and int(p) in ancestors
            ]
            self.root[unit.pk] = chain[0].pk if chain else unit.pk
            towns = [a.pk for a in chain if a.kind == UnitKind.TOWNSHIP]
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
        self.supervisors: dict[int, set[int]] = defaultdict(set)
        for user in accounts.filter(roles__regex=codes_regex(Role.SUPERVISOR)).select_related(
            "unit"
        ):
            if user.unit is not None:
                self.supervisors[int(user.unit.path.strip("/").split("/")[0])].add(user.pk)
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
        self.visible: dict[tuple[int, int], set[int] | None] = {}

    def for_stage(self, clock: Clock, stage: Stage) -> set[int]:
        return {user_id for user_id in self._wanted(clock, stage) if self.may_see(user_id, clock)}

    def may_see(self, user_id: int, clock: Clock) -> bool:
        """The account may open the clock's item (see the class docstring)."""
        user = self.accounts.get(user_id)
        if user is None or concerns(user, clock.subject_unit_id, clock.subject_person_id):
            return False
        key = (user_id, clock.content_type_id)
        if key not in self.visible:
            self.visible[key] = visible_item_ids(
                user, clock.content_type_id, self.items[clock.content_type_id]
            )
        visible = self.visible[key]
        return visible is None or clock.object_id in visible

    def _wanted(self, clock: Clock, stage: Stage) -> set[int]:
        if stage.kind == ReminderKind.ESCALATED_OFFICE:
            return set(self.supervisors.get(self.root.get(clock.unit_id, -1), set()))
        if stage.kind == ReminderKind.ESCALATED_LEADER:
            return self.leaders.get(clock.unit_id, set()) | self.leaders.get(
                self.township.get(clock.unit_id, -1), set()
            )
        people = set(self.unit_staff.get(clock.unit_id, set()))
        if clock.person_id and clock.person_id in self.by_person:
            people.add(self.by_person[clock.person_id])
        return people


def reminders_scan(today: dt.date) -> int:
    """Create the reminders due today; returns how many new rows were created."""
    due_soon = settings.REMINDER_DUE_SOON_WORKDAYS
    calendar = WorkCalendar()
    try:
        horizon = add_workdays(today, max(due_soon, default=0), calendar)
    except UnknownCalendarYear:
        # Next year's schedule is missing: remind on what can be computed (the administrator
        # sees the calendar warning on the today page).
        horizon = dt.date(today.year, 12, 31)
    clocks = list(Clock.objects.open().filter(due__lte=horizon).order_by("due", "pk"))
    if not clocks:
        return 0
    recipients = Recipients(clocks)
    rows: list[Reminder] = []
    for clock in clocks:
        try:
            stages = clock_stages(
                clock,
                today,
                calendar,
                due_soon=due_soon,
                leader_after=settings.ESCALATE_TO_LEADER_AFTER_WORKDAYS,
            )
        except UnknownCalendarYear:
            continue
        for stage in stages:
            for user_id in sorted(recipients.for_stage(clock, stage)):
                rows.append(
                    Reminder(
                        clock=clock,
                        kind=stage.kind,
                        lead=stage.lead,
                        due=clock.due,
                        recipient_id=user_id,
                    )
                )
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return Reminder.objects.count() - before


class Channel(Protocol):
    """A delivery channel besides the inbox (e-mail here; an SMS gateway can implement it)."""

    name: str

    def wanted(self, user: User, preference: DeliveryPreference | None) -> bool: ...

    def send(self, user: User, notification: Notification) -> None: ...


class EmailChannel:
    name = "email"

    def wanted(self, user: User, preference: DeliveryPreference | None) -> bool:
        return bool(user.email) and (preference is None or preference.email)

    def send(self, user: User, notification: Notification) -> None:
        lines = [f"- {item['text']}" for item in notification.items]
        send_mail(notification.title, "\n".join(lines), None, [user.email])


CHANNELS: list[Channel] = [EmailChannel()]


def register_channel(channel: Channel) -> None:
    CHANNELS.append(channel)


def _claim(now: dt.datetime, limit: int) -> uuid.UUID:
    """Claim up to `limit` pending reminders (and stale claims) for this run."""
    stale = now - dt.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    Reminder.objects.filter(state=ReminderState.CLAIMED, claimed_at__lt=stale).update(
        state=ReminderState.PENDING, claim_token=None, claimed_at=None
    )
    token = uuid.uuid4()
    candidates = list(
        Reminder.objects.filter(state=ReminderState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    # The conditional update is the claim: a row another worker claimed meanwhile is skipped.
    Reminder.objects.filter(pk__in=candidates, state=ReminderState.PENDING).update(
        state=ReminderState.CLAIMED, claim_token=token, claimed_at=now
    )
    return token


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


def _deliver_to(user: User, reminders: list[Reminder], now: dt.datetime) -> Notification | None:
    with transaction.atomic():
        live = [
            r for r in reminders if r.clock.state == ClockState.OPEN and r.clock.due == r.due
        ]  # completed, paused or re-dated clocks stop their reminders
        stale = [r.pk for r in reminders if r not in live]
        if stale:
            Reminder.objects.filter(pk__in=stale).update(state=ReminderState.CANCELLED)
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
            user=user, title=title, items=items, email_state="pending"
        )
        Reminder.objects.filter(pk__in=[r.pk for r in live], state=ReminderState.CLAIMED).update(
            state=ReminderState.SENT, sent_at=now, notification=notification
        )
    return notification


def _send_channels(notification: Notification) -> None:
    # Claim the notification's outside delivery once; a crash here sends nothing twice.
    if not Notification.objects.filter(pk=notification.pk, email_state="pending").update(
        email_state="sending"
    ):
        return
    user = notification.user
    preference = DeliveryPreference.objects.filter(user=user).first()
    for channel in CHANNELS:
        if channel.wanted(user, preference):
            try:
                channel.send(user, notification)
            except Exception:  # a failing gateway must not stop the other deliveries
                log.exception("reminder delivery via %s failed for user %s", channel.name, user.pk)
    Notification.objects.filter(pk=notification.pk).update(email_state="sent")


def reminders_deliver(now: dt.datetime | None = None, *, limit: int = 5000) -> int:
    """Deliver claimed reminders as one digest per recipient; returns notifications created."""
    now = now or timezone.now()
    token = _claim(now, limit)
    claimed = Reminder.objects.filter(
        claim_token=token, state=ReminderState.CLAIMED
    ).select_related("clock__rule", "clock__content_type", "recipient")
    # The items behind the clocks (for the links), one query per item type, not per reminder.
    claimed = claimed.prefetch_related("clock__item")
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    users: dict[int, User] = {}
    for reminder in claimed.order_by("recipient_id", "clock__due", "pk"):
        by_user[reminder.recipient_id].append(reminder)
        users[reminder.recipient_id] = reminder.recipient
    created = 0
    for user_id, reminders in by_user.items():
        notification = _deliver_to(users[user_id], reminders, now)
        if notification is not None:
            created += 1
            _send_channels(notification)
    return created


def deadline_run(today: dt.date | None = None) -> dict[str, Any]:
    """The scheduled job: scan, then deliver."""
    today = today or local_today()
    created = reminders_scan(today)
    delivered = reminders_deliver()
    return {"reminders": created, "notifications": delivered}
