"""Dates and numbers that cannot be true are refused, with a message in Chinese, wherever they
enter: an extension dated 2099 and a supervision running to 2099, an ID number born in 2099, a
head count of 99,999,999,999 in a small-integer column, a household of 99, a visit of 1800 —
and the visit form speaks Chinese about a date in the future."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.models import Household
from petitions.identity import validate_id_number
from petitions.matters.services import petition_accept
from petitions.models import Petition, Supervision
from tests.helpers import build_county
from tests.petitions.helpers import load_rule_packs, make_id_number, make_petition
from visits.models import Visit

D = dt.date
TODAY = D(2025, 10, 20)


@override_settings(FROZEN_TODAY=TODAY)
class ImpossibleValuesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()
        cls.petition = make_petition(
            cls.c, received_on=D(2025, 9, 26), lead_unit=cls.c.qingshan, township=cls.c.qingshan
        )
        petition_accept(
            petition=cls.petition,
            on=D(2025, 9, 29),
            accepted=True,
            acting_user=cls.c.qingshan_staff,
        )

    def step(self, step: str, data: dict):
        self.client.force_login(self.c.petition_clerk)
        return self.client.post(reverse("petition-step", args=[self.petition.pk, step]), data)

    def test_an_extension_dated_2099_is_refused(self) -> None:
        response = self.step("extend", {"on": "2099-01-01", "days": "10", "reason": "复杂"})
        self.assertContains(response, "2099年1月1日 晚于今天")
        self.assertFalse(self.petition.events.filter(kind="extended").exists())

    def test_a_supervision_running_to_2099_is_refused(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.post(
            reverse("petition-step", args=[self.petition.pk, "supervise"]),
            {
                "on": "2025-10-20",
                "mode": "time_limited",
                "instructions": "限期办结",
                "due_on": "2099-12-31",
            },
        )
        self.assertContains(response, "2099年12月31日 不可能正确")
        self.assertFalse(Supervision.objects.exists())

    def test_an_id_number_born_in_2099_is_refused(self) -> None:
        number = make_id_number("20990101", serial=7)
        with self.assertRaisesMessage(ValidationError, "在将来"):
            validate_id_number(number)
        with self.assertRaisesMessage(ValidationError, "在将来"):
            make_petition(self.c, received_on=D(2025, 10, 1), id_number=number)
        validate_id_number(make_id_number("20251019", serial=8))  # born yesterday: possible

    def test_a_head_count_beyond_the_column_is_refused_by_the_form_and_the_service(
        self,
    ) -> None:
        with self.assertRaisesMessage(ValidationError, "32767"):
            make_petition(self.c, received_on=D(2025, 10, 2), headcount=99_999_999_999)
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("petition-register"),
            {
                "received_on": "2025-10-02",
                "channel": "visit",
                "headcount": "99999999999",
                "summary": "群体访",
                "content": "反映征地补偿问题。",
                "category": "land",
                "p-TOTAL_FORMS": "1",
                "p-INITIAL_FORMS": "0",
                "p-0-name": "赵某",
                "p-0-id_number": make_id_number(serial=9),
            },
        )
        self.assertContains(response, "32767")
        self.assertEqual(Petition.objects.count(), 1)

    def test_a_visit_with_99999999999_people_travelling_along_is_refused(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.post(
            reverse("visit-new"),
            {
                "date": "2025-10-10",
                "kind": "household",
                "unit": self.c.taoyuan.pk,
                "days": "1",
                "people": [self.c.county_leader.pk],
                "entourage": "99999999999",
            },
        )
        self.assertContains(response, "32767")
        self.assertFalse(Visit.objects.exists())

    def test_a_visit_of_1800_is_refused(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.post(
            reverse("visit-new"),
            {
                "date": "1800-01-01",
                "kind": "household",
                "unit": self.c.taoyuan.pk,
                "days": "1",
                "people": [self.c.county_leader.pk],
            },
        )
        self.assertContains(response, "不可能正确")
        self.assertFalse(Visit.objects.exists())

    def test_the_visit_form_says_in_chinese_that_a_visit_cannot_be_in_the_future(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.post(
            reverse("visit-new"),
            {
                "date": "2025-10-21",
                "kind": "household",
                "unit": self.c.taoyuan.pk,
                "days": "1",
                "people": [self.c.county_leader.pk],
            },
        )
        self.assertContains(response, "走访日期不能晚于今天")
        self.assertNotContains(response, "cannot be dated in the future")

    def test_a_household_of_99_people_is_refused(self) -> None:
        self.client.force_login(self.c.admin)
        household = self.c.household_taoyuan
        response = self.client.post(
            reverse("household-edit", args=[household.pk]),
            {
                "code": household.code,
                "head": household.head,
                "village": household.village_id,
                "size": "99",
                "reason": "核对人口",
            },
        )
        self.assertContains(response, "超过任何实际家庭")
        self.assertEqual(Household.objects.get(pk=household.pk).size, 1)
