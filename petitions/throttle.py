"""Rate limits of the public appeal pages, per client address, counted in the database so that
every web process shares them (directory.throttle) — no outside service.

- attempts: any post of the form from one address, refused or not (scripts probing the form);
- submissions: appeals stored from one address, counted in the transaction that stores the
  appeal, so that a limit of 5 lets exactly 5 through however many requests race;
- form tokens: each token the form was shown with is accepted once (a replayed post is
  refused), within the token's own lifetime;
- failed look-ups from one address (guessing keys)."""

from __future__ import annotations

from django.conf import settings

from directory.throttle import Limit, client_address, digest, exceeded, hit, take, used

__all__ = [
    "Limit",
    "attempts_limit",
    "client_address",
    "digest",
    "exceeded",
    "hit",
    "lookups_limit",
    "minutes",
    "submissions_limit",
    "take",
    "token_limit",
    "used",
]


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


def token_limit() -> Limit:
    """Each form token is good for one appeal during the form's lifetime."""
    return Limit("appeal-token", 1, _setting("APPEAL_FORM_MAX_AGE_SECONDS", 86400))


def lookups_limit() -> Limit:
    """Failed status look-ups from one address (guessing keys)."""
    return Limit(
        "appeal-lookup",
        _setting("APPEAL_FAILED_LOOKUPS_PER_WINDOW", 10),
        _setting("APPEAL_LOOKUP_WINDOW_SECONDS", 3600),
    )


def minutes(limit: Limit) -> int:
    return limit.minutes
