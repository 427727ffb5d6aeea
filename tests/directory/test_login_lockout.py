"""Signing in: an audit row for every attempt, and guessing locked out — on the login page and in
the admin alike — with counts every web process shares (they live in the database)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from directory.models import LoginAttempt, LoginOutcome
from tests.helpers import PASSWORD, build_county

LOGIN = "/accounts/login/"


@override_settings(
    LOGIN_FAILURES_BEFORE_LOCKOUT=5, LOGIN_FAILURES_PER_ADDRESS=20, LOGIN_LOCKOUT_SECONDS=900
)
class LockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def sign_in(self, password: str, username: str = "clerk", **extra: str):
        return self.client.post(LOGIN, {"username": username, "password": password}, **extra)

    def test_every_attempt_leaves_an_audit_row(self) -> None:
        self.sign_in("wrong", REMOTE_ADDR="10.1.2.3")
        self.sign_in(PASSWORD, REMOTE_ADDR="10.1.2.3")
        self.sign_in("x", username="nobody-here", REMOTE_ADDR="10.1.2.4")
        rows = list(
            LoginAttempt.objects.order_by("pk").values_list(
                "username", "user__username", "address", "outcome"
            )
        )
        self.assertEqual(
            rows,
            [
                ("clerk", "clerk", "10.1.2.3", LoginOutcome.FAILURE),
                ("clerk", "clerk", "10.1.2.3", LoginOutcome.SUCCESS),
                ("nobody-here", None, "10.1.2.4", LoginOutcome.FAILURE),
            ],
        )
        self.assertNotIn(PASSWORD, str(LoginAttempt.objects.values_list()))

    def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(self) -> None:
        for _n in range(40):
            self.sign_in("guess")
        response = self.sign_in(PASSWORD)
        self.assertFalse(response.wsgi_request.user.is_authenticated)
        self.assertContains(response, "登录失败次数过多")
        self.assertContains(response, "15 分钟")
        outcomes = list(LoginAttempt.objects.order_by("pk").values_list("outcome", flat=True))
        self.assertEqual(outcomes[:5], [LoginOutcome.FAILURE] * 5)
        self.assertEqual(outcomes[5:], [LoginOutcome.LOCKED] * 36)

    def test_the_lock_ends_when_the_failures_leave_the_window(self) -> None:
        for _n in range(5):
            self.sign_in("guess")
        self.assertFalse(self.sign_in(PASSWORD).wsgi_request.user.is_authenticated)
        LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(seconds=901))
        self.assertRedirects(self.sign_in(PASSWORD), reverse("today"))

    def test_a_success_clears_the_failures_before_it(self) -> None:
        for _n in range(4):
            self.sign_in("guess")
        self.assertRedirects(self.sign_in(PASSWORD), reverse("today"))
        self.client.logout()
        for _n in range(4):
            self.sign_in("guess")
        self.assertRedirects(self.sign_in(PASSWORD), reverse("today"))

    def test_one_address_trying_many_user_names_is_locked_out(self) -> None:
        for n in range(20):
            self.sign_in("guess", username=f"name{n}", REMOTE_ADDR="10.9.9.9")
        locked = self.sign_in(PASSWORD, REMOTE_ADDR="10.9.9.9")
        self.assertFalse(locked.wsgi_request.user.is_authenticated)
        # the account itself was never tried: from another address it signs in
        self.assertRedirects(self.sign_in(PASSWORD, REMOTE_ADDR="10.9.9.8"), reverse("today"))

    def test_the_admin_has_no_login_of_its_own_to_guess_on(self) -> None:
        # Its login page sends to the throttled one; the backend would refuse a locked name
        # anywhere authenticate() runs.
        response = self.client.post(
            reverse("admin:login"), {"username": "admin", "password": PASSWORD}
        )
        self.assertRedirects(
            response, f"{LOGIN}?next=/django-admin/login/", fetch_redirect_response=False
        )
        self.assertFalse(LoginAttempt.objects.exists())
        for _n in range(5):
            self.sign_in("guess", username="admin")
        from django.contrib.auth import authenticate

        self.assertIsNone(authenticate(None, username="admin", password=PASSWORD))

    def test_failures_recorded_by_another_process_count(self) -> None:
        # Another web process (or machine) wrote these rows; this one has no memory of them.
        cache.clear()
        LoginAttempt.objects.bulk_create(
            LoginAttempt(username="clerk", address="10.7.7.7", outcome=LoginOutcome.FAILURE)
            for _n in range(5)
        )
        self.assertFalse(self.sign_in(PASSWORD).wsgi_request.user.is_authenticated)
