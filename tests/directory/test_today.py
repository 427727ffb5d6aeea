from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from directory import today as today_module
from directory.views import ROLE_HINTS, today_page
from tests.helpers import build_county

PANEL_TEMPLATE = "tests/_panel.html"
# The filesystem and app loaders as configured, plus one in-memory panel template for these tests.
TEMPLATES_WITH_TEST_PANEL = [
    {
        **settings.TEMPLATES[0],
        "APP_DIRS": False,
        "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        PANEL_TEMPLATE: '<p class="test-panel">{{ greeting }} {{ day|date:"Y-m-d" }}</p>'
                    },
                ),
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]


@contextmanager
def only_panels(*panels: tuple[str, Any, tuple[str, ...]]) -> Iterator[None]:
    """Replace the registered panels (other apps register theirs at start-up) for one test."""
    saved = dict(today_module._panels)
    today_module._panels.clear()
    try:
        for name, context_fn, roles in panels:
            today_module.register_panel(name, PANEL_TEMPLATE, context_fn, roles=roles)
        yield
    finally:
        today_module._panels.clear()
        today_module._panels.update(saved)


class TodayPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def render_for(self, user: Any, day: dt.date) -> str:
        request = RequestFactory().get("/")
        request.user = user
        with translation.override("zh-hans"):
            return today_page(request, day).content.decode()

    def test_anonymous_visitor_is_sent_to_login(self) -> None:
        response = self.client.get(reverse("today"))
        self.assertRedirects(response, "/accounts/login/?next=/", fetch_redirect_response=False)

    def test_page_shows_the_users_unit_and_roles(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("today"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "县信访局")
        self.assertContains(response, 'class="user-roles"')
        self.assertIsInstance(response.context["today"], dt.date)

    def test_date_is_written_the_chinese_way(self) -> None:
        with only_panels():
            html = self.render_for(self.c.leader, dt.date(2026, 11, 22))
        self.assertIn("2026年11月22日", html)
        self.assertIn("星期日", html)
        self.assertIn('datetime="2026-11-22"', html)

    def test_panels_receive_the_day_and_render_their_own_context(self) -> None:
        seen: list[dt.date] = []

        def greeting(request: Any, day: dt.date) -> dict[str, Any]:
            seen.append(day)
            return {"greeting": f"hello {request.user.username}", "day": day}

        with (
            override_settings(TEMPLATES=TEMPLATES_WITH_TEST_PANEL),
            only_panels(("greeting", greeting, ())),
        ):
            html = self.render_for(self.c.leader, dt.date(2026, 3, 2))
        self.assertEqual(seen, [dt.date(2026, 3, 2)])
        self.assertIn('<p class="test-panel">hello leader 2026-03-02</p>', html)
        self.assertIn('id="panel-greeting"', html)

    def test_panel_for_another_role_or_returning_none_is_hidden(self) -> None:
        def shown(request: Any, day: dt.date) -> dict[str, Any]:
            return {"greeting": "for admins", "day": day}

        def hidden(request: Any, day: dt.date) -> None:
            return None

        with (
            override_settings(TEMPLATES=TEMPLATES_WITH_TEST_PANEL),
            only_panels(("admins", shown, ("admin",)), ("nothing-today", hidden, ())),
        ):
            html = self.render_for(self.c.petition_clerk, dt.date(2026, 3, 2))
        self.assertNotIn("test-panel", html)
        self.assertNotIn("panel-nothing-today", html)
        # With no panel to show, the page says what it will hold for the petition office.
        self.assertIn('class="today-empty"', html)

    def test_without_panels_each_role_gets_its_own_hint(self) -> None:
        with only_panels():
            clerk = self.render_for(self.c.petition_clerk, dt.date(2026, 3, 2))
            leader = self.render_for(self.c.leader, dt.date(2026, 3, 2))
        with translation.override("zh-hans"):
            clerk_hint = escape(str(ROLE_HINTS["petition_office"]))
            leader_hint = escape(str(ROLE_HINTS["leader"]))
        self.assertIn(clerk_hint, clerk)
        self.assertNotIn(leader_hint, clerk)
        self.assertIn(leader_hint, leader)

    def test_page_query_count_without_panels(self) -> None:
        self.client.force_login(self.c.leader)
        # session, user, the user's unit (header and page share it), the user's person (the
        # page shows the person's name when it differs from the account's).
        with only_panels(), self.assertNumQueries(4):
            response = self.client.get(reverse("today"))
        self.assertEqual(response.status_code, 200)
