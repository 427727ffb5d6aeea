"""Staff pages of appeals: who sees what (anonymous → login, out of scope → 404, allowed → 200),
the list at a constant number of queries, intake, the step pages and the Excel export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from petitions.appeals import services as s
from petitions.models import Appeal, AppealCategory, AppealStatus
from rules.models import Clock
from tests.helpers import build_county

from .appeal_helpers import at, category, make_appeal, setup_appeals

D = dt.date


class AccessTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()
        cls.appeal = make_appeal(cls.c)
        s.appeal_assign(
            appeal=cls.appeal,
            unit=cls.c.education,
            on=D(2025, 9, 26),
            acting_user=cls.c.petition_clerk,
            instruction="请教育局办理",
        )

    def test_anonymous_is_sent_to_login(self) -> None:
        for url in (reverse("appeal-list"), reverse("appeal-detail", args=[self.appeal.pk])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response["Location"])

    def test_a_unit_the_appeal_is_not_assigned_to_gets_404(self) -> None:
        self.client.force_login(self.c.qingshan_staff)  # the appeal is from 青山乡, not theirs
        url = reverse("appeal-detail", args=[self.appeal.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        step = reverse("appeal-step", args=[self.appeal.pk, "reply"])
        self.assertEqual(self.client.post(step, {"text": "x", "on": "2025-09-29"}).status_code, 404)
        self.assertNotContains(self.client.get(reverse("appeal-list")), self.appeal.ref)

    def test_the_assigned_unit_the_office_and_the_supervisor_see_it(self) -> None:
        url = reverse("appeal-detail", args=[self.appeal.pk])
        for user in (self.c.education_staff, self.c.petition_clerk, self.c.supervisor):
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, user)
            self.assertContains(response, self.appeal.ref)

    def test_the_unit_sees_a_masked_phone_and_the_office_the_full_one(self) -> None:
        appeal = make_appeal(self.c, contact_phone="13812345678")
        url = reverse("appeal-detail", args=[appeal.pk])
        self.client.force_login(self.c.supervisor)
        self.assertContains(self.client.get(url), "138****5678")
        self.client.force_login(self.c.petition_clerk)
        self.assertContains(self.client.get(url), "13812345678")

    def test_unit_staff_may_not_assign_or_take_appeals_in(self) -> None:
        self.client.force_login(self.c.education_staff)
        step = reverse("appeal-step", args=[self.appeal.pk, "assign"])
        self.assertEqual(self.client.get(step).status_code, 403)
        self.assertEqual(self.client.get(reverse("appeal-new")).status_code, 403)


class ListTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def test_the_list_costs_the_same_queries_for_three_appeals_or_twelve(self) -> None:
        for n in range(3):
            make_appeal(self.c, received_at=at(2025, 9, 26, 9 + n))
        self.client.force_login(self.c.petition_clerk)
        url = reverse("appeal-list")
        # session + user + the user's unit (scope) + one page of appeals joined with category,
        # township and unit + the filter's category choices (its township is typed) — whatever
        # the number of appeals.
        with self.assertNumQueries(5):
            self.assertEqual(self.client.get(url).status_code, 200)
        for n in range(9):
            make_appeal(self.c, received_at=at(2025, 9, 29, 8 + n), code="education")
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].rows), 12)

    def test_filters_narrow_the_list(self) -> None:
        late = make_appeal(self.c, received_at=at(2025, 9, 1))
        make_appeal(self.c, received_at=at(2025, 9, 26), code="education")
        self.client.force_login(self.c.petition_clerk)
        with override_settings(FROZEN_TODAY="2025-09-30"):
            response = self.client.get(reverse("appeal-list"), {"overdue": "on"})
        self.assertEqual([a.pk for a in response.context["page"].rows], [late.pk])
        response = self.client.get(reverse("appeal-list"), {"category": category("education").pk})
        self.assertEqual(len(response.context["page"].rows), 1)

    def test_the_export_has_the_ledger_columns_and_masks_nothing_it_does_not_carry(self) -> None:
        appeal = make_appeal(self.c, contact_phone="13812345678")
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("appeal-export"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["appeals"]
        rows = list(sheet.values)
        self.assertEqual(
            rows[0][:7],
            ("ref", "received", "platform", "category", "unit", "limit_days", "replied"),
        )
        self.assertEqual(rows[1][:4], (appeal.ref, "2025-09-26 10:00", "hotline", "construction"))
        self.assertNotIn("13812345678", str(rows))


@override_settings(FROZEN_TODAY="2025-09-30")
class StepPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def setUp(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # the middleware activates English in this thread: give later tests the default back
        self.addCleanup(translation.deactivate)

    def test_the_office_takes_in_a_hotline_item_and_becomes_its_first_contact(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("appeal-new"),
            {
                "source": "hotline",
                "external_ref": "12345-0926-001",
                "received_at": "2025-09-26T09:30",
                "category": category("environment").pk,
                "township": self.c.chengguan.pk,
                "text": "反映城关镇某餐馆油烟扰民。",
                "contact_phone": "13900001111",
            },
        )
        appeal = Appeal.objects.get()
        self.assertRedirects(response, reverse("appeal-detail", args=[appeal.pk]))
        self.assertEqual(appeal.taken_by, self.c.petition_clerk)
        self.assertEqual(appeal.due, D(2025, 9, 30))  # 3 working days: Sun 28 (worked), 29, 30

    def test_assign_reply_and_return_through_the_pages(self) -> None:
        appeal = make_appeal(self.c)
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("appeal-step", args=[appeal.pk, "assign"]),
            {"unit": self.c.qingshan.pk, "instruction": "", "on": "2025-09-26"},
        )
        self.assertContains(response, "This field is required.")  # the instruction is required
        self.client.post(
            reverse("appeal-step", args=[appeal.pk, "assign"]),
            {
                "unit": self.c.qingshan.pk,
                "instruction": "请青山乡核实",
                "instructed_by": self.c.county_leader.pk,
                "on": "2025-09-26",
            },
        )
        self.client.force_login(self.c.qingshan_staff)
        detail = self.client.get(reverse("appeal-detail", args=[appeal.pk]))
        self.assertContains(detail, reverse("appeal-step", args=[appeal.pk, "return"]))
        self.assertContains(detail, "请青山乡核实")
        response = self.client.post(
            reverse("appeal-step", args=[appeal.pk, "return"]),
            {"reason": "属县教育局职责", "on": "2025-09-29"},
        )
        self.assertRedirects(response, reverse("appeal-list"))  # no longer theirs to see
        self.client.force_login(self.c.petition_clerk)
        self.client.post(
            reverse("appeal-step", args=[appeal.pk, "assign"]),
            {"unit": self.c.education.pk, "instruction": "改由教育局办理", "on": "2025-09-29"},
        )
        self.client.force_login(self.c.education_staff)
        response = self.client.post(
            reverse("appeal-step", args=[appeal.pk, "reply"]),
            {"text": "已答复群众", "on": "2025-09-30"},
        )
        self.assertRedirects(response, reverse("appeal-detail", args=[appeal.pk]))
        appeal.refresh_from_db()
        self.assertEqual(appeal.status, AppealStatus.REPLIED)
        self.assertEqual(Clock.objects.for_item(appeal).get().on_time, True)
        page = self.client.get(reverse("appeal-detail", args=[appeal.pk]))
        for text in ("属县教育局职责", "改由教育局办理", "qingshan", "education"):
            self.assertContains(page, text)

    def test_a_reply_dated_before_receipt_shows_the_error_on_the_form(self) -> None:
        appeal = make_appeal(self.c)
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("appeal-step", args=[appeal.pk, "reply"]),
            {"text": "答复", "on": "2025-09-01"},
        )
        self.assertContains(response, "before the appeal was received")

    def test_the_office_marks_an_item_for_the_bulletin(self) -> None:
        appeal = make_appeal(self.c)
        self.client.force_login(self.c.petition_clerk)
        self.client.post(
            reverse("appeal-step", args=[appeal.pk, "notable"]),
            {"notable": "on", "note": "涉及群体性诉求"},
        )
        appeal.refresh_from_db()
        self.assertEqual((appeal.notable, appeal.notable_on), (True, D(2025, 9, 30)))

    def test_categories_are_edited_within_one_to_five_days(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        cat = category("education")
        url = reverse("appeal-category-edit", args=[cat.pk])
        response = self.client.post(url, {"name": "教育", "limit_days": "7", "sort_order": "0"})
        self.assertContains(response, "less than or equal to 5")
        self.client.post(
            url, {"name": "教育", "limit_days": "2", "active": "on", "sort_order": "0"}
        )
        self.assertEqual(AppealCategory.objects.get(pk=cat.pk).limit_days, 2)
        self.assertEqual(make_appeal(self.c, code="education").limit_days, 2)
        self.client.force_login(self.c.education_staff)
        self.assertEqual(self.client.get(url).status_code, 403)


@override_settings(FROZEN_TODAY="2025-10-09")
class OfficeFeedbackAndPanelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def test_the_office_records_feedback_given_on_the_hotlines_return_call(self) -> None:
        appeal = make_appeal(self.c)
        s.appeal_reply(
            appeal=appeal, text="已答复", on=D(2025, 9, 29), acting_user=self.c.petition_clerk
        )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("appeal-step", args=[appeal.pk, "feedback"]),
            {"rating": "满意", "note": "回访满意", "on": "2025-09-30"},
        )
        self.assertRedirects(response, reverse("appeal-detail", args=[appeal.pk]))
        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.satisfaction), (AppealStatus.CLOSED, "满意"))
        self.assertEqual(appeal.steps.get(kind="feedback").actor, "clerk")

    def test_a_units_today_page_lists_the_appeals_it_must_answer(self) -> None:
        appeal = make_appeal(self.c)
        s.appeal_assign(
            appeal=appeal,
            unit=self.c.qingshan,
            on=D(2025, 9, 26),
            acting_user=self.c.petition_clerk,
            instruction="请办理",
        )
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("today"))
        self.assertContains(response, reverse("appeal-detail", args=[appeal.pk]))
        self.client.force_login(self.c.chengguan_staff)
        self.assertNotContains(self.client.get(reverse("today")), appeal.ref)
