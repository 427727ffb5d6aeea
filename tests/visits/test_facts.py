from __future__ import annotations

from django.test import TestCase

from directory.models import Household, Person
from tests.helpers import build_county, make_household, make_person
from tests.visits.helpers import D, make_visit
from visits.facts import (
    IN_PERSON_KINDS,
    Contact,
    household_contacts,
    household_diary,
    last_contacts,
)


class HouseholdContactTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.cadre = make_person("高峰", cls.c.qingshan, "cadre", code="P-GF")
        cls.other = make_household("李四", cls.c.taoyuan, "monitored", code="H-LS")
        cls.visit = make_visit(
            [cls.c.county_leader, cls.cadre],
            cls.c.taoyuan,
            households=[cls.c.household_taoyuan, cls.other],
            date=D(2025, 3, 3),
            heard="盼修路",
        )
        cls.call = make_visit(
            cls.cadre, cls.c.taoyuan, "call", households=[cls.other], date=D(2025, 4, 1)
        )

    def test_contacts_per_person_and_household_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            contacts = household_contacts(
                [self.cadre.pk], [self.other.pk], D(2025, 1, 1), D(2025, 12, 31)
            )
        self.assertEqual(
            contacts,
            {
                (self.cadre.pk, self.other.pk): [
                    Contact(D(2025, 3, 3), "household", self.visit.pk),
                    Contact(D(2025, 4, 1), "call", self.call.pk),
                ]
            },
        )

    def test_only_in_person_kinds_leave_the_call_out(self) -> None:
        contacts = household_contacts(
            [self.cadre.pk], [self.other.pk], D(2025, 1, 1), D(2025, 12, 31), IN_PERSON_KINDS
        )
        self.assertEqual([c.kind for c in contacts[(self.cadre.pk, self.other.pk)]], ["household"])

    def test_querysets_work_as_subqueries_and_the_period_bounds(self) -> None:
        people = Person.objects.filter(code__in=["P-GF", "P-WJG"]).values("pk")
        households = Household.objects.filter(village=self.c.taoyuan).values("pk")
        contacts = household_contacts(people, households, D(2025, 3, 3), D(2025, 3, 31))
        self.assertEqual(
            set(contacts),
            {
                (self.cadre.pk, self.other.pk),
                (self.cadre.pk, self.c.household_taoyuan.pk),
                (self.c.county_leader.pk, self.other.pk),
                (self.c.county_leader.pk, self.c.household_taoyuan.pk),
            },
        )

    def test_a_person_not_asked_about_is_left_out(self) -> None:
        contacts = household_contacts(
            [self.c.county_leader.pk], [self.other.pk], D(2025, 1, 1), D(2025, 12, 31)
        )
        self.assertEqual(list(contacts), [(self.c.county_leader.pk, self.other.pk)])
        self.assertEqual(len(contacts[(self.c.county_leader.pk, self.other.pk)]), 1)

    def test_deleted_visits_are_not_facts(self) -> None:
        self.call.soft_delete(reason="wrong household")
        contacts = last_contacts([self.cadre.pk], [self.other.pk])
        self.assertEqual(contacts, {(self.cadre.pk, self.other.pk): D(2025, 3, 3)})

    def test_last_contact_before_a_date(self) -> None:
        with self.assertNumQueries(1):
            contacts = last_contacts([self.cadre.pk], [self.other.pk], before=D(2025, 3, 31))
        self.assertEqual(contacts, {(self.cadre.pk, self.other.pk): D(2025, 3, 3)})

    def test_diary_names_the_people_and_what_was_heard(self) -> None:
        with self.assertNumQueries(1):
            diary = household_diary([self.other.pk])
        entries = diary[self.other.pk]
        self.assertEqual([e.date for e in entries], [D(2025, 4, 1), D(2025, 3, 3)])
        self.assertEqual(entries[1].heard, "盼修路")
        self.assertEqual(set(entries[1].people), {"王建国", "高峰"})
