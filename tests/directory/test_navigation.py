"""The navigation: areas of work (信访接待 … 系统管理), each role offered only the pages it may
open, the current page and its area marked, labels short enough never to wrap."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from directory import navigation
from directory.models import Role
from tests.helpers import build_county, make_person, make_user


def menu(user, path: str = "/") -> dict[str, list[str]]:
    """Area key -> the names of the entries the user gets there."""
    items = navigation.items_for(user, path)
    return {
        group["key"]: [i["name"] for i in group["items"]] for group in navigation.groups_for(items)
    }


class NavigationPerRoleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        deputy = make_person("邓代表", cls.c.qingshan, "deputy", code="P-DDB")
        cls.deputy = make_user("deputy", None, person=deputy)
        cls.township_leader = make_user(
            "township-leader", cls.c.qingshan, Role.LEADER, person=cls.c.qingshan_secretary
        )
        import config.urls  # noqa: F401  (the apps register their entries with their views)

    def test_every_entry_belongs_to_a_defined_area(self) -> None:
        self.assertTrue(navigation._items)
        for item in navigation._items.values():
            self.assertIn(item.group, navigation.GROUP_KEYS, item.url_name)
        with self.assertRaises(ValueError):
            navigation.register("x", "today", group="nowhere")

    def test_the_areas_come_in_the_fixed_order_and_in_chinese(self) -> None:
        with translation.override("zh-hans"):
            labels = [str(group.label) for group in navigation.GROUPS]
        self.assertEqual(
            labels,
            [
                "信访接待",
                "网民诉求",
                "建议提案",
                "走访",
                "结对帮扶",
                "督查考核",
                "基础名册",
                "系统管理",
            ],
        )

    def test_the_petition_office_gets_reception_appeals_and_deadlines_but_no_system_pages(
        self,
    ) -> None:
        groups = menu(self.c.petition_clerk)
        self.assertEqual(groups["petitions"], ["petition-list", "roster-month", "office-ledger"])
        self.assertIn("appeal-categories", groups["appeals"])
        self.assertIn("appeal-bulletin", groups["appeals"])
        self.assertIn("deadline-board", groups["supervision"])
        self.assertNotIn("system", groups)
        self.assertNotIn("reports-campaigns", groups["supervision"])
        self.assertNotIn("visit-quota-board", groups["visits"])

    def test_unit_staff_get_their_ledgers_and_no_supervision_boards(self) -> None:
        groups = menu(self.c.qingshan_staff)
        self.assertNotIn("system", groups)
        self.assertIn("ledger-import", groups["directory"])
        self.assertIn("assistance-pairings", groups["assistance"])
        self.assertEqual(groups["visits"], ["visit-list"])
        self.assertNotIn("deadline-board", groups["supervision"])
        self.assertNotIn("appeal-bulletin", groups["appeals"])
        self.assertNotIn("appeal-categories", groups["appeals"])

    def test_a_leader_gets_his_roster_and_quotas(self) -> None:
        groups = menu(self.c.leader)
        self.assertIn("my-roster", groups["petitions"])
        self.assertIn("visit-my-quotas", groups["visits"])
        self.assertIn("appeal-bulletin", groups["appeals"])  # a county leader reads it
        self.assertNotIn("system", groups)
        # a township leader is not offered the bulletin, which would refuse him
        self.assertNotIn("appeal-bulletin", menu(self.township_leader).get("appeals", []))

    def test_a_supervisor_gets_the_boards_and_the_evaluation(self) -> None:
        groups = menu(self.c.supervisor)
        for name in ("deadline-board", "reports-dashboard", "reports-campaigns"):
            self.assertIn(name, groups["supervision"])
        self.assertIn("visit-quota-board", groups["visits"])
        self.assertNotIn("system", groups)

    def test_the_administrator_gets_the_system_area(self) -> None:
        groups = menu(self.c.admin)
        self.assertEqual(
            groups["system"],
            ["calendar-list", "delivery-problems", "duty-group-list", "admin:index"],
        )

    def test_a_deputy_without_a_role_gets_only_his_own_items(self) -> None:
        self.assertEqual(
            menu(self.deputy), {"proposals": ["proposal-home"], "assistance": ["assistance-mine"]}
        )

    def test_every_entry_a_role_is_offered_opens_for_it(self) -> None:
        """The menu uses the pages' own permission tests: nothing offered answers 403."""
        users = [
            self.c.petition_clerk,
            self.c.qingshan_staff,
            self.c.leader,
            self.township_leader,
            self.c.supervisor,
            self.c.admin,
            self.deputy,
        ]
        for user in users:
            self.client.force_login(user)
            for item in navigation.items_for(user):
                if item["name"] == "admin:index":
                    continue  # Django's admin: staff accounts (tests/directory/test_admin*)
                response = self.client.get(item["url"], follow=True)
                self.assertEqual(response.status_code, 200, f"{user} {item['url']}")

    def test_the_page_and_its_area_are_marked_current(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("roster-month"))
        groups = {g["key"]: g for g in response.context["nav_groups"]}
        self.assertTrue(groups["petitions"]["current"])
        self.assertFalse(groups["appeals"]["current"])
        current = [i["name"] for i in response.context["nav_items"] if i["current"]]
        self.assertEqual(current, ["roster-month"])
        self.assertContains(response, 'href="/petitions/roster/" aria-current="page"')
        self.assertContains(response, '<summary class="nav-label" aria-current="true">')

    def test_a_page_below_an_entry_marks_that_entry(self) -> None:
        items = navigation.items_for(self.c.petition_clerk, "/petitions/appeals/categories/new/")
        self.assertEqual([i["name"] for i in items if i["current"]], ["appeal-categories"])

    def test_labels_are_short_in_chinese(self) -> None:
        """Two to six characters: a menu entry fits on one line at any width."""
        with translation.override("zh-hans"):
            labels = [str(i.label) for i in navigation._items.values()]
            labels += [str(g.label) for g in navigation.GROUPS]
        for label in labels:
            self.assertLessEqual(len(label), 6, label)

    def test_anonymous_visitors_get_no_menu(self) -> None:
        response = self.client.get(reverse("login"))
        self.assertNotContains(response, 'id="site-nav"')
