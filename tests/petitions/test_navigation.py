from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from directory.models import Role
from tests.helpers import build_county, make_user


class BulletinNavigationTests(TestCase):
    """The menu offers only what the page will open: the bulletin is for county leaders."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.township_leader = make_user(
            "township-leader", cls.c.qingshan, Role.LEADER, person=cls.c.qingshan_secretary
        )

    def menu(self, user) -> list[str]:
        self.client.force_login(user)
        return [item["name"] for item in self.client.get(reverse("today")).context["nav_items"]]

    def test_a_county_leader_finds_the_bulletin_in_the_menu_and_opens_it(self) -> None:
        self.assertIn("appeal-bulletin", self.menu(self.c.leader))
        self.assertEqual(self.client.get(reverse("appeal-bulletin")).status_code, 200)

    def test_a_township_leader_is_not_offered_a_page_that_would_refuse_him(self) -> None:
        self.assertNotIn("appeal-bulletin", self.menu(self.township_leader))
        self.assertNotIn("appeal-hotline", self.menu(self.township_leader))
        self.assertEqual(self.client.get(reverse("appeal-bulletin")).status_code, 403)
