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
