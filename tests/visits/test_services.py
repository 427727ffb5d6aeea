from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import TestCase

from tests.helpers import build_county, make_household
from tests.visits.helpers import D, make_visit
from visits.models import Visit, VisitHousehold, VisitPerson
from visits.services import RoundLine, round_save, visit_save
from visits.signals import visit_saved


class VisitServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_a_household_outside_the_place_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_visit(self.c.county_leader, self.c.liuxi, households=[self.c.household_taoyuan])
        self.assertIn("households", caught.exception.message_dict)
        self.assertIn("张三", caught.exception.message_dict["households"][0])

    def test_a_township_visit_may_pick_households_of_its_villages(self) -> None:
        visit = make_visit(
            self.c.county_leader, self.c.qingshan, households=[self.c.household_taoyuan]
        )
        self.assertEqual(list(visit.households.all()), [self.c.household_taoyuan])

    def test_a_group_visit_picks_from_its_village(self) -> None:
        visit = make_visit(
            self.c.county_leader, self.c.taoyuan_g1, households=[self.c.household_taoyuan]
        )
        self.assertEqual(visit.households_area(), self.c.taoyuan)

    def test_a_call_takes_no_days_and_a_stay_at_least_one(self) -> None:
        call = make_visit(self.c.county_leader, self.c.taoyuan, "call", days="0.5")
        self.assertEqual(call.days, Decimal(0))
        with self.assertRaises(ValidationError) as caught:
            make_visit(self.c.county_leader, self.c.taoyuan, "village_stay", days="0.5")
        self.assertIn("days", caught.exception.message_dict)

    def test_days_come_in_half_days(self) -> None:
        with self.assertRaises(ValidationError):
            make_visit(self.c.county_leader, self.c.taoyuan, days="0.3")

    def test_a_visit_needs_a_person(self) -> None:
        with self.assertRaises(ValidationError):
            visit_save(
                visit=Visit(date=D(2025, 1, 6), kind="household", unit=self.c.taoyuan), people=[]
            )

    def test_editing_replaces_people_and_households_with_history(self) -> None:
        other = make_household("李四", self.c.taoyuan, "", code="H-LS")
        visit = make_visit(
            self.c.county_leader, self.c.taoyuan, households=[self.c.household_taoyuan]
        )
        visit.heard = "路灯坏了"
        visit_save(visit=visit, people=[self.c.qingshan_secretary], households=[other])
        self.assertEqual(list(visit.people.all()), [self.c.qingshan_secretary])
        self.assertEqual(list(visit.households.all()), [other])
        self.assertEqual(visit.history.count(), 2)
        self.assertEqual(VisitPerson.history.filter(history_type="-").count(), 1)
        self.assertEqual(VisitHousehold.history.filter(history_type="-").count(), 1)

    def test_the_people_and_households_of_a_visit_carry_its_date_when_it_moves(self) -> None:
        visit = make_visit(
            self.c.county_leader, self.c.taoyuan, households=[self.c.household_taoyuan]
        )
        self.assertEqual(set(VisitPerson.objects.values_list("date", flat=True)), {visit.date})
        visit.date = D(2025, 4, 7)
        visit_save(
            visit=visit, people=[self.c.county_leader], households=[self.c.household_taoyuan]
        )
        for model in (VisitPerson, VisitHousehold):
            with self.subTest(model=model.__name__):
                dates = set(model.objects.filter(visit=visit).values_list("date", flat=True))
                self.assertEqual(dates, {D(2025, 4, 7)})

    def test_the_signal_is_sent_after_commit(self) -> None:
        received = []

        def listener(**kwargs: object) -> None:
            received.append(kwargs)

        visit_saved.connect(listener)
        self.addCleanup(visit_saved.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            visit = make_visit(
                self.c.county_leader, self.c.taoyuan, households=[self.c.household_taoyuan]
            )
        self.assertEqual(received[0]["visit_id"], visit.pk)
        self.assertEqual(received[0]["household_ids"], [self.c.household_taoyuan.pk])

    def test_a_round_saves_every_stop_or_none(self) -> None:
        lines = [
            RoundLine(unit=self.c.taoyuan, households=[self.c.household_taoyuan]),
            RoundLine(unit=self.c.liuxi, households=[self.c.household_taoyuan]),  # wrong village
        ]
        with self.assertRaises(ValidationError):
            round_save(
                date=D(2025, 3, 3), people=[self.c.county_leader], lines=lines, days=Decimal(1)
            )
        self.assertFalse(Visit.objects.exists())
        lines[1] = RoundLine(unit=self.c.liuxi, kind="grassroots", heard="看灌溉渠")
        visits = round_save(
            date=D(2025, 3, 3), people=[self.c.county_leader], lines=lines, days=Decimal(1)
        )
        self.assertEqual(len(visits), 2)
        self.assertEqual({v.days for v in visits}, {Decimal(1)})
