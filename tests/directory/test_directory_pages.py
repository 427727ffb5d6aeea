from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Household
from tests.helpers import build_county, make_household


class DirectoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for name, args in (
            ("household-list", []),
            ("household-detail", [self.c.household_taoyuan.pk]),
            ("person-list", []),
            ("unit-list", []),
            ("today", []),
        ):
            response = self.client.get(reverse(name, args=args))
            self.assertRedirects(
                response,
                f"{reverse('login')}?next={reverse(name, args=args)}",
                fetch_redirect_response=False,
            )

    def test_other_township_gets_404_for_a_household(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.get(reverse("household-detail", args=[self.c.household_taoyuan.pk]))
        self.assertEqual(response.status_code, 404)

    def test_other_township_gets_404_when_editing_a_household(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.post(
            reverse("household-edit", args=[self.c.household_taoyuan.pk]), {"head": "x"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Household.objects.get(pk=self.c.household_taoyuan.pk).head, "张三")

    def test_own_township_sees_its_household(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("household-detail", args=[self.c.household_taoyuan.pk]))
        self.assertContains(response, "张三")

    def test_household_list_shows_only_households_in_scope(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.get(reverse("household-list"))
        self.assertContains(response, "陈四")
        self.assertNotContains(response, "张三")

    def test_household_list_query_count_is_constant(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        # session, user, the user's unit (for the scope), households joined with their village
        # and group (the village is typed in the filter, not chosen from a list of every
        # village) — the same for 1 row as for 40.
        with self.assertNumQueries(4) as first:
            self.client.get(reverse("household-list"))
        for i in range(40):
            make_household(f"户主{i}", self.c.liuxi, "other")
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("household-list"))
        self.assertContains(response, "户主39")

    def test_household_list_pages_by_cursor_without_offset_and_back(self) -> None:
        for i in range(120):
            make_household(f"翻页{i:03}", self.c.liuxi, "other")
        self.client.force_login(self.c.qingshan_staff)
        expected = list(
            Household.objects.visible_to(self.c.qingshan_staff)
            .order_by("village__path", "code", "pk")
            .values_list("pk", flat=True)
        )
        first = self.client.get(reverse("household-list"))
        cursor = first.context["page"].next_cursor
        self.assertTrue(cursor)
        with CaptureQueriesContext(connection) as queries:
            second = self.client.get(reverse("household-list"), {"page": 2, "after": cursor})
        self.assertEqual([h.pk for h in second.context["page"].rows], expected[50:100])
        self.assertFalse(any("OFFSET" in q["sql"] for q in queries.captured_queries))
        self.assertContains(second, f"after={second.context['page'].next_cursor}")
        back = self.client.get(
            reverse("household-list"),
            {"page": 1, "before": second.context["page"].previous_cursor},
        )
        self.assertEqual([h.pk for h in back.context["page"].rows], expected[:50])
        typed = self.client.get(reverse("household-list"), {"page": 3})  # no cursor: by OFFSET
        self.assertEqual([h.pk for h in typed.context["page"].rows], expected[100:150])

    def test_a_forged_cursor_falls_back_to_the_page_number_within_the_users_own_rows(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.get(reverse("household-list"), {"page": 2, "after": "bm90IGpzb24"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "张三")

    def test_person_list_query_count_is_constant(self) -> None:
        self.client.force_login(self.c.supervisor)
        with self.assertNumQueries(4):  # session, user, unit, people joined with their unit
            response = self.client.get(reverse("person-list"))
        self.assertContains(response, "王建国")

    def test_unit_list_query_count_is_constant_and_scoped(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        with self.assertNumQueries(4):  # session, user, unit, units joined with their parent
            response = self.client.get(reverse("unit-list"))
        self.assertContains(response, "柳溪村")
        self.assertNotContains(response, "东街社区")

    def test_staff_edits_a_household_with_history(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        household = self.c.household_taoyuan
        response = self.client.post(
            reverse("household-edit", args=[household.pk]),
            {
                "code": household.code,
                "head": "张三丰",
                "village": self.c.taoyuan.pk,
                "group": self.c.taoyuan_g1.pk,
                "size": 4,
                "category_choices": ["party_member", "monitored"],
                "reason": "户主变更",
            },
        )
        self.assertRedirects(response, reverse("household-detail", args=[household.pk]))
        household.refresh_from_db()
        self.assertEqual(
            (household.head, household.categories), ("张三丰", "party_member;monitored")
        )
        self.assertEqual(household.history.first().history_change_reason, "户主变更")

    def test_staff_cannot_move_a_household_to_another_township(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        household = self.c.household_taoyuan
        response = self.client.post(
            reverse("household-edit", args=[household.pk]),
            {"code": household.code, "head": "张三", "village": self.c.dongjie.pk, "size": 3},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["village"])
        household.refresh_from_db()
        self.assertEqual(household.village, self.c.taoyuan)

    def test_a_leader_cannot_edit_households(self) -> None:
        self.client.force_login(self.c.leader)
        response = self.client.get(reverse("household-edit", args=[self.c.household_taoyuan.pk]))
        self.assertEqual(response.status_code, 403)

    def test_soft_deleted_households_vanish_from_lists_and_answer_404(self) -> None:
        self.c.household_taoyuan.soft_delete(reason="moved away")
        self.client.force_login(self.c.qingshan_staff)
        self.assertNotContains(self.client.get(reverse("household-list")), "张三")
        self.assertEqual(
            self.client.get(
                reverse("household-detail", args=[self.c.household_taoyuan.pk])
            ).status_code,
            404,
        )
        self.assertTrue(Household.all_objects.filter(pk=self.c.household_taoyuan.pk).exists())
