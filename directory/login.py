"""Signing in: every attempt is written down, and guessing is locked out.

Every attempt — on the login page, in the admin, anywhere `authenticate()` runs — passes the
authentication backend below, which writes one `LoginAttempt` row (user name as typed, account,
client address, outcome) and refuses, before looking at the password, a user name or an address
with too many recent failures:

- LOGIN_FAILURES_BEFORE_LOCKOUT failures of one user name since its last success, within
  LOGIN_LOCKOUT_SECONDS, lock that user name (the right password included) until the window has
  passed the oldest of them;
- LOGIN_FAILURES_PER_ADDRESS failures from one address within the same window lock that address
  (one machine trying many user names).

The rows live in the database, so every web process on every machine counts the same attempts.
Refused attempts are recorded but do not prolong the lock (a locked account comes back by
itself; an attacker cannot keep its owner out for ever by knocking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginAttempt, LoginOutcome, User
from .throttle import client_address


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def window() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("LOGIN_LOCKOUT_SECONDS", 900))


def locked_until(username: str, address: str) -> dt.datetime | None:
    """When the user name or the address may try again, or None when it may now."""
    now = timezone.now()
    since = now - window()
    last_success = LoginAttempt.objects.filter(
        username=username, outcome=LoginOutcome.SUCCESS
    ).aggregate(last=Max("at"))["last"]
    by_name = LoginAttempt.objects.filter(
        username=username, outcome=LoginOutcome.FAILURE, at__gte=max(since, last_success or since)
    )
    by_address = LoginAttempt.objects.filter(
        address=address, outcome=LoginOutcome.FAILURE, at__gte=since
    )
    until: dt.datetime | None = None
    for failures, allowed in (
        (by_name, _setting("LOGIN_FAILURES_BEFORE_LOCKOUT", 5)),
        (by_address, _setting("LOGIN_FAILURES_PER_ADDRESS", 20)),
    ):
        times = list(failures.order_by("-at").values_list("at", flat=True)[:allowed])
        if allowed > 0 and len(times) >= allowed:
            # Free again once the oldest of the last `allowed` failures leaves the window.
            candidate = times[-1] + window()
            until = max(until, candidate) if until else candidate
    return until


def record(username: str, address: str, outcome: str, user: User | None = None) -> LoginAttempt:
    return LoginAttempt.objects.create(
        username=(username or "")[:150], user=user, address=address[:64], outcome=outcome
    )


class ThrottledModelBackend(ModelBackend):
    """Django's backend, behind the lockout, with an audit row for every attempt."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request)
        if locked_until(username, address) is not None:
            record(username, address, LoginOutcome.LOCKED)
            raise PermissionDenied  # stops every other backend too
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            known = User.objects.filter(username=username).first()
            record(username, address, LoginOutcome.FAILURE, known)
        else:
            record(username, address, LoginOutcome.SUCCESS, user)
        return user


class LockoutMessageMixin(forms.Form):
    """Tells a locked-out user so, and for how long, instead of "wrong password"."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username") or ""
            until = locked_until(username, client_address(self.request)) if username else None
            if until is None:
                raise
            minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
            raise ValidationError(
                _(
                    "Too many failed sign-ins for this account or from your network. "
                    "Try again in %(minutes)s minutes, or ask an administrator."
                ),
                code="locked",
                params={"minutes": minutes},
            ) from None


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
