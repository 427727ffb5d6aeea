"""The delivery state machine: one `Delivery` row per notification and outside channel.

    pending ──claim──▶ sending ──▶ sent
       ▲                  │
       └── failed ◀───────┘ (the error kept; retried after a back-off) ──▶ dead after
                                                            DELIVERY_MAX_ATTEMPTS tries

A worker claims one delivery at a time with a conditional UPDATE (the state it saw, a new token,
a lease of DELIVERY_LEASE_SECONDS), hands it to the channel with a timeout shorter than the
lease, and records the outcome by an UPDATE that names its token: a worker that lost its claim
records nothing. The lease covers one send, never a whole run, so a run of any length delivers
nothing twice. A claim whose lease ran out (the worker died) is taken over — unless the message
had already been handed to an at-most-once channel, in which case nobody knows whether it
arrived and the delivery is given up for an administrator to decide (see rules.channels)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from directory.models import User

from .channels import CHANNELS, DeliveryError
from .models import Delivery, DeliveryPreference, DeliveryState, DutyGroup, Notification

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted after the message was handed to the channel; not repeated (at most once)"


def max_attempts() -> int:
    return int(getattr(settings, "DELIVERY_MAX_ATTEMPTS", 6))


def lease_seconds() -> float:
    return float(getattr(settings, "DELIVERY_LEASE_SECONDS", 120))


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after `attempts` failures: 1, 4, 16, 64 … minutes by
    default (DELIVERY_RETRY_SECONDS × 4ⁿ⁻¹), at most six hours."""
    base = float(getattr(settings, "DELIVERY_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), 6 * 3600))


# --- creating deliveries ---------------------------------------------------------------------------


def deliveries_for(
    notification: Notification,
    *,
    user: User | None = None,
    group: DutyGroup | None = None,
    preference: DeliveryPreference | None = None,
    now: dt.datetime | None = None,
) -> list[Delivery]:
    """The pending deliveries a new notification needs, one per channel it goes to (unsaved)."""
    now = now or timezone.now()
    rows = []
    for channel in CHANNELS.values():
        if user is not None:
            address = channel.address_for_user(user, preference)
        else:
            address = channel.address_for_group(group) if group is not None else ""
        if address:
            rows.append(
                Delivery(
                    notification=notification,
                    channel=channel.name,
                    address=address[:200],
                    next_attempt_at=now,
                )
            )
    return rows


def notify_users(
    users: Iterable[User], *, title: str, items: list[dict[str, str]]
) -> list[Notification]:
    """One inbox notification per user, with its outside deliveries (call inside the caller's
    transaction, so that the notifications and their deliveries commit together)."""
    users = list(users)
    notifications = Notification.objects.bulk_create(
        Notification(user=user, title=title, items=items) for user in users
    )
    preferences = {
        p.user_id: p for p in DeliveryPreference.objects.filter(user__in=[u.pk for u in users])
    }
    now = timezone.now()
    rows = [
        row
        for user, notification in zip(users, notifications, strict=True)
        for row in deliveries_for(
            notification, user=user, preference=preferences.get(user.pk), now=now
        )
    ]
    Delivery.objects.bulk_create(rows)
    return notifications


# --- delivering -----------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    lost: int = 0  # sent, but the claim had been taken over meanwhile (logged)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "dead": self.dead, "lost": self.lost}


def _due(now: dt.datetime) -> Q:
    return Q(state__in=(DeliveryState.PENDING, DeliveryState.FAILED), next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, lease_until__lt=now
    )


def _interrupted(now: dt.datetime) -> Q:
    """Abandoned after the message was handed to an at-most-once channel."""
    names = [c.name for c in CHANNELS.values() if c.at_most_once]
    return Q(
        state=DeliveryState.SENDING,
        lease_until__lt=now,
        handed_over_at__isnull=False,
        channel__in=names,
    )


def give_up_interrupted(now: dt.datetime) -> int:
    """Deliveries whose worker died after handing the message to an at-most-once channel: the
    outcome is unknown, so they are given up rather than sent again."""
    return Delivery.objects.filter(_interrupted(now)).update(
        state=DeliveryState.DEAD, error=INTERRUPTED, claim_token=None, lease_until=None
    )


def claim_next(now: dt.datetime, *, batch: int = 20) -> tuple[Delivery, uuid.UUID] | None:
    """Claim the delivery due first (pending, failed and due again, or abandoned by a dead
    worker): the conditional UPDATE is the claim; a row another worker took is skipped."""
    token = uuid.uuid4()
    candidates = list(
        Delivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in candidates:
        claimed = (
            Delivery.objects.filter(_due(now), pk=pk)
            .exclude(_interrupted(now))
            .update(
                state=DeliveryState.SENDING,
                claim_token=token,
                lease_until=now + dt.timedelta(seconds=lease_seconds()),
                handed_over_at=None,
                attempts=F("attempts") + 1,
            )
        )
        if claimed:
            delivery = Delivery.objects.select_related(
                "notification__user", "notification__group__unit"
            ).get(pk=pk)
            return delivery, token
    return None


def _finish(delivery: Delivery, token: uuid.UUID, **values: object) -> bool:
    """Record an outcome, only if the claim is still this worker's."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, claim_token=token, state=DeliveryState.SENDING
        ).update(claim_token=None, lease_until=None, **values)
    )


def _record_failure(
    delivery: Delivery, token: uuid.UUID, error: str, report: DeliveryReport, now: dt.datetime
) -> None:
    if delivery.attempts >= max_attempts():
        if _finish(delivery, token, state=DeliveryState.DEAD, error=error[:2000]):
            report.dead += 1
            log.error(
                "delivery %s (%s to %s) given up after %d attempts: %s",
                delivery.pk,
                delivery.channel,
                delivery.address,
                delivery.attempts,
                error,
            )
        return
    if _finish(
        delivery,
        token,
        state=DeliveryState.FAILED,
        error=error[:2000],
        next_attempt_at=now + backoff(delivery.attempts),
    ):
        report.failed += 1
        log.warning(
            "delivery %s (%s to %s) failed, attempt %d: %s",
            delivery.pk,
            delivery.channel,
            delivery.address,
            delivery.attempts,
            error,
        )


def deliver_one(
    delivery: Delivery, token: uuid.UUID, report: DeliveryReport, now: dt.datetime
) -> None:
    """Hand one claimed delivery to its channel and record the outcome under the claim."""
    channel = CHANNELS.get(delivery.channel)
    if channel is None:
        _record_failure(delivery, token, f"no channel named {delivery.channel!r}", report, now)
        return
    assert delivery.lease_until is not None
    left = (delivery.lease_until - now).total_seconds()
    # The send must end (or fail) before the lease does, or another worker would take over a
    # message still on its way.
    timeout = min(channel.timeout(), left - min(10.0, left * 0.2))
    if timeout <= 0:
        _record_failure(delivery, token, "the claim's lease ran out before sending", report, now)
        return
    handed = Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(handed_over_at=now)
    if not handed:
        return  # taken over meanwhile: the other worker delivers it
    try:
        channel.send(delivery, timeout=timeout)
    except DeliveryError as exc:
        _record_failure(delivery, token, str(exc), report, now)
        return
    except Exception as exc:  # a defect in a channel is a failed delivery, not a sent one
        log.exception("delivery %s via %s raised", delivery.pk, delivery.channel)
        _record_failure(delivery, token, f"{type(exc).__name__}: {exc}", report, now)
        return
    if _finish(delivery, token, state=DeliveryState.SENT, sent_at=timezone.now(), error=""):
        report.sent += 1
    else:
        report.lost += 1
        log.warning(
            "delivery %s was sent after its claim had been taken over (lease too short?)",
            delivery.pk,
        )


def deliveries_run(
    *, deadline: float | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Deliver what is due until nothing is left or the task's time (`deadline`, a
    time.monotonic() value; DELIVERY_RUN_SECONDS from now by default) is up. `now` fixes the
    time the states are judged at (tests); by default it is read before each delivery."""
    if deadline is None:
        deadline = time.monotonic() + float(getattr(settings, "DELIVERY_RUN_SECONDS", 480))
    report = DeliveryReport()
    report.dead += give_up_interrupted(now or timezone.now())
    while time.monotonic() < deadline:
        moment = now or timezone.now()
        claimed = claim_next(moment)
        if claimed is None:
            break
        deliver_one(*claimed, report, moment)
    return report.as_dict()


def delivery_retry(*, delivery: Delivery) -> bool:
    """An administrator sends a given-up delivery again: it starts over as pending."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.DEAD).update(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            handed_over_at=None,
        )
    )
