"""Petition pages: the one-form registration, repeats, the list (constant queries), detail and steps."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from petitions.matters.services import PetitionerData, petition_register
from petitions.models import Petition, PetitionRepeat, PetitionStatus
from rules.models import Rule
from tests.helpers import build_county

from .helpers import load_rule_packs, make_id_number, make_petition

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def registration(county, **overrides):
    data = {
        "received_on": "2025-09-26",
        "channel": "visit",
        "headcount": "7",
        "summary": "征地补偿款未发放",
        "content": "桃园村七户村民反映征地补偿款至今未发放到位。",
        "category": "land",
        "township": county.qingshan.pk,
        "subject_unit": "",
        "subject_person": "",
        "subject_text": "",
        "lead_unit": county.qingshan.pk,
        "co_units": [county.education.pk],
        "instructions": "请核实并答复",
        "p-TOTAL_FORMS": "5",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "5",
        "p-0-name": "赵大山",
        "p-0-id_number": make_id_number("19680512", serial=11),
        "p-0-phone": "13807311234",
        "p-0-address": "桃园村一组",
        "p-1-name": "钱小河",
        "p-1-id_number": make_id_number("19720808", serial=12),
        "p-1-phone": "",
        "p-1-address": "桃园村二组",
    }
    data.update(overrides)
    return data


class RegistrationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()

    def test_anonymous_is_sent_to_login_and_unit_staff_may_not_register(self) -> None:
        url = reverse("petition-register")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_clerk_registers_a_group_visit_in_one_form_and_routes_it(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        self.assertEqual(self.client.get(reverse("petition-register")).status_code, 200)
        data = registration(self.c)
        data["attachments"] = SimpleUploadedFile("letter.png", PNG, content_type="image/png")
        response = self.client.post(reverse("petition-register"), data)
        petition = Petition.objects.get()
        self.assertRedirects(response, reverse("petition-detail", args=[petition.pk]))
        self.assertEqual(petition.status, PetitionStatus.ROUTED)
        self.assertEqual(petition.headcount, 7)
        self.assertEqual(
            list(petition.petitioners.values_list("name", flat=True)), ["赵大山", "钱小河"]
        )
        self.assertEqual(petition.attachments.get().content_type, "image/png")
        self.assertEqual(petition.lead_unit, self.c.qingshan)
        self.assertEqual(petition.assignments.count(), 2)
        detail = self.client.get(response["Location"])
        self.assertContains(detail, "NAT-ACCEPT")
        self.assertContains(detail, "2025年10月11日")  # the acceptance notice's due date
        self.assertContains(detail, "138****1234")

    def test_a_mistyped_id_number_is_shown_next_to_the_form(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        bad = make_id_number("19680512", serial=11)[:-1] + "0"
        bad = bad if bad != make_id_number("19680512", serial=11) else bad[:-1] + "1"
        response = self.client.post(
            reverse("petition-register"), registration(self.c, **{"p-0-id_number": bad})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "校验码不符")
        self.assertFalse(Petition.objects.exists())

    def test_group_representatives_are_limited_by_the_rule_row(self) -> None:
        rule = Rule.objects.get(rule_id="NAT-GROUP-REPS")
        rule.params = {**rule.params, "max": 1}
        rule.save()
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(reverse("petition-register"), registration(self.c))
        self.assertContains(response, "NAT-GROUP-REPS")
        six = [PetitionerData(f"代表{i}", make_id_number(serial=100 + i)) for i in range(6)]
        rule.params = {**rule.params, "max": 5}
        rule.save()
        with self.assertRaisesMessage(ValidationError, "5"):
            petition_register(
                acting_user=self.c.petition_clerk,
                receiving_unit=self.c.petition_bureau,
                received_on=D(2025, 9, 1),
                today=D(2025, 9, 1),
                channel="visit",
                summary="x",
                content="x",
                category="land",
                petitioners=six,
                headcount=20,
            )

    def test_a_repeat_of_an_open_matter_is_flagged_and_recorded_on_it_not_registered_twice(
        self,
    ) -> None:
        first = make_petition(
            self.c, id_number=make_id_number("19680512", serial=11), received_on=D(2025, 9, 1)
        )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(reverse("petition-register"), registration(self.c))
        self.assertContains(response, first.ref)
        self.assertEqual(Petition.objects.count(), 1)
        response = self.client.post(
            reverse("petition-register"), registration(self.c, repeat_action=f"repeat:{first.pk}")
        )
        self.assertRedirects(response, reverse("petition-detail", args=[first.pk]))
        self.assertEqual(Petition.objects.count(), 1)
        first.refresh_from_db()
        self.assertEqual(first.repeat_count, 1)
        self.assertEqual(PetitionRepeat.objects.get().received_on, D(2025, 9, 26))

    def test_a_different_matter_of_the_same_petitioner_is_registered_linked(self) -> None:
        first = make_petition(
            self.c, id_number=make_id_number("19680512", serial=11), received_on=D(2025, 9, 1)
        )
        self.client.force_login(self.c.petition_clerk)
        self.client.post(
            reverse("petition-register"), registration(self.c, repeat_action=f"new:{first.pk}")
        )
        second = Petition.objects.exclude(pk=first.pk).get()
        self.assertEqual(second.repeat_of, first)
        self.assertContains(
            self.client.get(reverse("petition-detail", args=[first.pk])), second.ref
        )


class ListTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()

    def test_list_query_count_is_constant(self) -> None:
        make_petition(self.c, received_on=D(2025, 9, 1), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.petition_clerk)
        # session, user, the user's unit (scope), one page of petitions joined with township,
        # lead unit and subject unit, and their petitioners (one prefetch); the filter form's
        # units are typed, not listed — the same for 1 row as for 30, and no COUNT(*).
        with self.assertNumQueries(5) as first:
            self.client.get(reverse("petition-list"))
        for i in range(30):
            make_petition(
                self.c, received_on=D(2025, 9, 2), summary=f"事项{i}", lead_unit=self.c.education
            )
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("petition-list"), {"state": "open", "sort": "due"})
        self.assertContains(response, "事项29")
        self.assertFalse(any("COUNT(" in q["sql"].upper() for q in first.captured_queries))

    def test_unit_staff_list_query_count_is_constant(self) -> None:
        make_petition(self.c, received_on=D(2025, 9, 1), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.qingshan_staff)
        # as for the clerk: the confidentiality and routing conditions are inside the one
        # petition query (EXISTS over assignments), not extra queries per row
        with self.assertNumQueries(5):
            response = self.client.get(reverse("petition-list"))
        self.assertContains(response, "宅基地纠纷")

    def test_overdue_filter_uses_the_next_due_date(self) -> None:
        late = make_petition(
            self.c, received_on=D(2025, 3, 3), lead_unit=self.c.qingshan, summary="逾期事项"
        )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("petition-list"), {"state": "overdue"})
        self.assertContains(response, late.ref)


class StepPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()

    def test_lead_unit_staff_accept_and_answer_through_the_pages(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.qingshan_staff)
        url = reverse("petition-step", args=[petition.pk, "accept"])
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, {"on": "2025-09-30", "accepted": "1", "reason": ""})
        self.assertRedirects(response, reverse("petition-detail", args=[petition.pk]))
        answer = reverse("petition-step", args=[petition.pk, "answer"])
        self.client.post(answer, {"on": "2025-10-20", "answer": "已协调解决。"})
        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.ANSWERED)

    def test_a_step_not_open_to_the_user_is_forbidden(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(
            self.client.get(reverse("petition-step", args=[petition.pk, "route"])).status_code, 403
        )
        self.assertEqual(
            self.client.get(reverse("petition-step", args=[petition.pk, "nope"])).status_code, 404
        )

    @override_settings(FROZEN_TODAY="2026-12-21")  # a step is never dated after today
    def test_a_date_reaching_into_an_unknown_year_is_accepted_with_a_provisional_due_date(
        self,
    ) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post(
            reverse("petition-step", args=[petition.pk, "accept"]),
            {"on": "2026-12-20", "accepted": "1"},
        )
        self.assertRedirects(response, reverse("petition-detail", args=[petition.pk]))
        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.ACCEPTED)
        # 60 days after 20 Dec 2026: Thu 18 Feb 2027, a working day under the statutory holidays
        self.assertEqual(petition.due, D(2027, 2, 18))
        page = self.client.get(reverse("petition-detail", args=[petition.pk]))
        self.assertContains(page, 'class="badge provisional"')

    def test_a_date_in_a_year_beyond_the_statutory_tables_is_a_form_error(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post(
            reverse("petition-step", args=[petition.pk, "accept"]),
            {"on": "2100-12-20", "accepted": "1"},
        )
        self.assertContains(response, "2100")
        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.ROUTED)

    def test_supervision_and_return_visit_and_history(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        self.client.force_login(self.c.supervisor)
        self.client.post(
            reverse("petition-step", args=[petition.pk, "supervise"]),
            {
                "on": "2025-10-09",
                "mode": "time_limited",
                "instructions": "10日内报结果",
                "due_on": "2025-10-20",
            },
        )
        self.assertEqual(petition.supervisions.get().mode, "time_limited")
        history = self.client.get(reverse("petition-history", args=[petition.pk]))
        self.assertContains(history, "10日内报结果")
