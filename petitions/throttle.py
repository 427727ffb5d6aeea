"""Rate limits of the public appeal pages, per client address, in Django's cache (local memory
in one process, Redis when configured) — no outside service.

Each limit is a fixed window: the first hit starts a counter that expires after `seconds`.
`cache.add` + `cache.incr` are atomic on Redis and within one locmem process, so two requests
racing never both slip under the limit by more than the race itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def submissions_limit() -> Limit:
    """Appeals stored from one address (a citizen rarely has more than a few a day)."""
    return Limit(
        "appeal-submit",
        _setting("APPEAL_SUBMISSIONS_PER_WINDOW", 5),
        _setting("APPEAL_SUBMISSION_WINDOW_SECONDS", 3600),
    )


def attempts_limit() -> Limit:
    """Any posts of the form from one address, refused or not (scripts probing the form)."""
    return Limit(
        "appeal-attempt",
        _setting("APPEAL_ATTEMPTS_PER_WINDOW", 30),
        _setting("APPEAL_SUBMISSION_WINDOW_SECONDS", 3600),
    )


def lookups_limit() -> Limit:
    """Failed status look-ups from one address (guessing keys)."""
    return Limit(
        "appeal-lookup",
        _setting("APPEAL_FAILED_LOOKUPS_PER_WINDOW", 10),
        _setting("APPEAL_LOOKUP_WINDOW_SECONDS", 3600),
    )


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the header a trusted reverse proxy sets (APPEAL_CLIENT_IP_HEADER, e.g.
    HTTP_X_REAL_IP); a header the client could forge is used only when configured."""
    header = getattr(settings, "APPEAL_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")) or "unknown"


def _key(limit: Limit, address: str) -> str:
    return f"minqing:{limit.name}:{address}"


def used(limit: Limit, address: str) -> int:
    return int(cache.get(_key(limit, address), 0))


def exceeded(limit: Limit, address: str) -> bool:
    return used(limit, address) >= limit.count


def hit(limit: Limit, address: str) -> int:
    """Count one use; returns the count in the current window."""
    key = _key(limit, address)
    if cache.add(key, 1, timeout=limit.seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds)
        return 1


def minutes(limit: Limit) -> int:
    return max(1, limit.seconds // 60)
