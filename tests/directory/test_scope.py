from __future__ import annotations

from django.test import TestCase

from directory.access import scope_for
from directory.models import Household
from tests.helpers import build_county


class ScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_township_staff_sees_only_their_township_households(self) -> None:
        visible = Household.objects.visible_to(self.c.qingshan_staff)
        self.assertEqual(list(visible), [self.c.household_taoyuan])

    def test_petition_office_sees_the_whole_county(self) -> None:
        self.assertEqual(Household.objects.visible_to(self.c.petition_clerk).count(), 2)

    def test_leader_sees_own_unit_subtree(self) -> None:
        self.assertTrue(scope_for(self.c.leader).covers(self.c.taoyuan))

    def test_leader_also_sees_linked_units_outside_own_unit(self) -> None:
        from directory.models import Role
        from tests.helpers import make_link, make_person, make_user

        person = make_person("周强", self.c.education, "unit_head", "section_chief")
        make_link(person, self.c.qingshan, "linked_township")
        user = make_user("zhou", self.c.education, Role.LEADER, person=person)
        self.assertEqual(list(Household.objects.visible_to(user)), [self.c.household_taoyuan])

    def test_department_staff_see_no_village_households(self) -> None:
        self.assertEqual(Household.objects.visible_to(self.c.education_staff).count(), 0)

    def test_an_account_without_a_unit_sees_nothing(self) -> None:
        from tests.helpers import make_user

        self.assertFalse(Household.objects.visible_to(make_user("nobody", None)).exists())

    def test_anonymous_sees_nothing(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        self.assertFalse(Household.objects.visible_to(AnonymousUser()).exists())
