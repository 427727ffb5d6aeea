"""Rate limits shared by every web process: fixed-window counters in the database.

A limit allows `count` uses of one thing (a form posted from one address, one form token) per
window of `seconds`; the first use starts the window. The counters live in the database, so
that several gunicorn workers on several machines share them (process memory would give each
worker its own allowance, and a local-memory cache is per process too).

`take()` counts a use only when the limit allows it, with one conditional UPDATE
(`count < limit`): two requests racing for the last use cannot both get it. Called inside the
caller's transaction, a use whose work is rolled back (the form turned out invalid, the save
failed) is not counted either — the limit is exact."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .models import RateCounter


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, self.seconds // 60)


def client_address(request: HttpRequest | None) -> str:
    """REMOTE_ADDR, or the header a trusted reverse proxy sets (CLIENT_IP_HEADER, e.g.
    HTTP_X_REAL_IP); a header the client could forge is used only when configured."""
    if request is None:
        return "unknown"
    header = getattr(settings, "CLIENT_IP_HEADER", "") or getattr(
        settings, "APPEAL_CLIENT_IP_HEADER", ""
    )
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")) or "unknown"


def digest(value: str) -> str:
    """A short fixed-length stand-in for a long or private value used as a counter key."""
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def _key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{subject}"[:200]


def _window_start(limit: Limit) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=limit.seconds)


def used(limit: Limit, subject: str) -> int:
    """Uses counted in the current window."""
    row = (
        RateCounter.objects.filter(key=_key(limit, subject), window_start__gte=_window_start(limit))
        .values_list("count", flat=True)
        .first()
    )
    return row or 0


def exceeded(limit: Limit, subject: str) -> bool:
    return used(limit, subject) >= limit.count


def take(limit: Limit, subject: str) -> bool:
    """Count one use if the limit allows it; False (and nothing counted) when it does not."""
    if limit.count < 1:
        return False
    key = _key(limit, subject)
    now = timezone.now()
    # A window that has ended starts again with this use.
    RateCounter.objects.filter(key=key, window_start__lt=_window_start(limit)).update(
        window_start=now, count=0
    )
    if _increment(key, limit):
        return True
    if RateCounter.objects.filter(key=key).exists():
        return False  # the window's allowance is used up
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, window_start=now, count=1)
    except IntegrityError:  # another process created it meanwhile: compete for a use
        return _increment(key, limit)
    # Counters of this limit whose window has ended are no longer read: drop them.
    RateCounter.objects.filter(
        key__startswith=f"{limit.name}:", window_start__lt=_window_start(limit)
    ).delete()
    return True


def _increment(key: str, limit: Limit) -> bool:
    return bool(
        RateCounter.objects.filter(key=key, count__lt=limit.count).update(count=F("count") + 1)
    )


def hit(limit: Limit, subject: str) -> int:
    """Count one use whatever the limit (failures that only ever add up, like wrong look-ups);
    returns the count in the current window."""
    key = _key(limit, subject)
    RateCounter.objects.filter(key=key, window_start__lt=_window_start(limit)).update(
        window_start=timezone.now(), count=0
    )
    if not RateCounter.objects.filter(key=key).update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=timezone.now(), count=1)
        except IntegrityError:
            RateCounter.objects.filter(key=key).update(count=F("count") + 1)
    return used(limit, subject)
