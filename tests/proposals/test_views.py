"""The item pages: who sees what (permission triples), the actions of each party, the
deputies' page, the handling units' list with its next due date, and the export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from directory.ledger import run_import
from proposals.models import Proposal, Stage
from proposals.selectors import proposal_type
from proposals.services import (
    proposal_answer,
    proposal_assign,
    proposal_feedback,
    proposal_record_contact,
)
from tests.helpers import PASSWORD

from .helpers import build_proposals_county, load_proposal_rules, make_proposal

PDF = b"%PDF-1.4\n% answer letter\n"


class ProposalPagesTestCase(TestCase):
    def setUp(self) -> None:
        load_proposal_rules()
        self.c = build_proposals_county()
        self.item = make_proposal(self.c.session, [self.c.deputy], title="关于桃园村修路的建议")
        proposal_assign(
            proposal=self.item,
            lead_unit=self.c.base.qingshan,
            co_units=[self.c.base.education],
            assigned_on=dt.date(2025, 11, 30),
        )
        proposal_type()  # the content type cache is warm in a running server

    def login(self, user) -> None:
        self.client.login(username=user.username, password=PASSWORD)

    def detail(self, item=None) -> str:
        return reverse("proposal-detail", args=[(item or self.item).pk])


class DetailPermissionTests(ProposalPagesTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(self.detail())
        self.assertRedirects(response, f"/accounts/login/?next={self.detail()}")

    def test_a_unit_the_item_is_not_assigned_to_gets_404(self) -> None:
        self.login(self.c.base.chengguan_staff)
        self.assertEqual(self.client.get(self.detail()).status_code, 404)

    def test_a_deputy_who_is_not_an_author_gets_404(self) -> None:
        self.login(self.c.other_deputy_account)
        self.assertEqual(self.client.get(self.detail()).status_code, 404)

    def test_the_other_bodys_liaison_office_gets_404(self) -> None:
        self.login(self.c.cppcc_clerk)
        self.assertEqual(self.client.get(self.detail()).status_code, 404)

    def test_the_petition_office_sees_only_items_of_its_own_unit(self) -> None:
        self.login(self.c.base.petition_clerk)
        self.assertEqual(self.client.get(self.detail()).status_code, 404)

    def test_lead_unit_co_unit_author_office_and_supervisor_see_the_item(self) -> None:
        for user in (
            self.c.base.qingshan_staff,
            self.c.base.education_staff,
            self.c.deputy_account,
            self.c.congress_clerk,
            self.c.base.supervisor,
        ):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.detail())
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "关于桃园村修路的建议")

    def test_only_the_lead_unit_gets_the_contact_and_answer_forms(self) -> None:
        self.login(self.c.base.qingshan_staff)
        response = self.client.get(self.detail())
        self.assertContains(response, 'id="action-contact"')
        self.assertContains(response, 'id="action-answer"')
        self.assertNotContains(response, 'id="action-opinion"')
        self.login(self.c.base.education_staff)
        response = self.client.get(self.detail())
        self.assertContains(response, 'id="action-opinion"')
        self.assertNotContains(response, 'id="action-answer"')

    def test_a_co_unit_cannot_post_an_answer(self) -> None:
        self.login(self.c.base.education_staff)
        url = reverse("proposal-answer", args=[self.item.pk])
        self.assertEqual(self.client.post(url, {}).status_code, 403)

    def test_a_deputy_cannot_give_feedback_before_an_answer(self) -> None:
        self.login(self.c.deputy_account)
        url = reverse("proposal-feedback", args=[self.item.pk])
        self.assertEqual(self.client.post(url, {}).status_code, 403)


class HandlingActionTests(ProposalPagesTestCase):
    def answer_post(self, upload: SimpleUploadedFile):
        url = reverse("proposal-answer", args=[self.item.pk])
        data = {
            "answered_on": "2026-02-20",
            "result": "solved",
            "text": "已硬化",
            "document": upload,
        }
        return self.client.post(url, data)

    def test_lead_unit_records_contact_and_answer_with_its_document(self) -> None:
        self.login(self.c.base.qingshan_staff)
        response = self.client.post(
            reverse("proposal-contact", args=[self.item.pk]),
            {"contacted_on": "2025-12-03", "method": "phone", "note": "电话沟通"},
        )
        self.assertRedirects(response, self.detail())
        response = self.answer_post(SimpleUploadedFile("答复函.pdf", PDF))
        self.assertRedirects(response, self.detail())
        self.item.refresh_from_db()
        self.assertEqual(self.item.stage, Stage.ANSWERED)
        download = self.client.get(reverse("proposal-answer-document", args=[self.item.pk, 1]))
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(download.streaming_content), PDF)

    def test_a_renamed_file_that_is_not_a_pdf_is_refused(self) -> None:
        self.login(self.c.base.qingshan_staff)
        response = self.answer_post(SimpleUploadedFile("答复函.pdf", b"MZ\x90\x00 not a pdf"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "PDF", status_code=400)
        self.assertFalse(self.item.answers.exists())

    def test_a_file_of_another_type_is_refused(self) -> None:
        self.login(self.c.base.qingshan_staff)
        response = self.answer_post(SimpleUploadedFile("tool.exe", b"MZ\x90\x00"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.item.answers.exists())

    def test_a_file_over_the_size_limit_is_refused(self) -> None:
        self.login(self.c.base.qingshan_staff)
        big = PDF + b"0" * (10 * 1024 * 1024)
        response = self.answer_post(SimpleUploadedFile("big.pdf", big))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.item.answers.exists())

    def test_an_answer_dated_before_the_assignment_shows_the_error_on_the_form(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("proposal-answer", args=[self.item.pk])
        data = {
            "answered_on": "2025-11-01",
            "result": "solved",
            "document": SimpleUploadedFile("a.pdf", PDF),
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Proposal.objects.get(pk=self.item.pk).stage, Stage.ASSIGNED)

    def test_co_handling_unit_gives_its_opinion_to_the_lead_unit(self) -> None:
        self.login(self.c.base.education_staff)
        response = self.client.post(
            reverse("proposal-opinion", args=[self.item.pk]),
            {"opinion": "建议纳入学校周边道路改造", "given_on": "2025-12-10"},
        )
        self.assertRedirects(response, self.detail())
        self.login(self.c.base.qingshan_staff)
        self.assertContains(self.client.get(self.detail()), "建议纳入学校周边道路改造")

    def test_liaison_office_marks_an_item_complex_with_its_explanation(self) -> None:
        self.login(self.c.congress_clerk)
        response = self.client.post(
            reverse("proposal-complex", args=[self.item.pk]), {"explanation": "跨部门协调"}
        )
        self.assertRedirects(response, self.detail())
        clock = self.item_clock("TY-P2")
        self.assertEqual(clock.due, dt.date(2026, 6, 1))

    def item_clock(self, rule_id: str):
        from rules.clocks import clocks_for_item

        return next(c for c in clocks_for_item(self.item) if c.rule.rule_id == rule_id)

    def test_deputy_marks_the_answer_unsatisfied_and_the_unit_sees_the_second_handling(
        self,
    ) -> None:
        proposal_record_contact(
            proposal=self.item, contacted_on=dt.date(2025, 12, 2), method="visit"
        )
        proposal_answer(proposal=self.item, answered_on=dt.date(2026, 2, 20), result="planned")
        self.login(self.c.deputy_account)
        response = self.client.post(
            reverse("proposal-feedback", args=[self.item.pk]),
            {
                "attitude": "basic",
                "result": "unsatisfied",
                "comment": "没有实质进展",
                "given_on": "2026-03-02",
            },
        )
        self.assertRedirects(response, self.detail())
        feedback = self.item.feedbacks.get()
        self.assertTrue(feedback.by_author)
        self.login(self.c.base.qingshan_staff)
        response = self.client.get(reverse("proposal-list"))
        self.assertContains(response, 'datetime="2026-04-02"')
        self.assertContains(response, "TY-P3")


class ListPageTests(ProposalPagesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for n in range(3):
            item = make_proposal(
                self.c.session, [self.c.deputy, self.c.other_deputy], title=f"建议{n}"
            )
            proposal_assign(
                proposal=item, lead_unit=self.c.base.qingshan, assigned_on=dt.date(2025, 12, 1)
            )
        make_proposal(self.c.cppcc_session, [self.c.member], title="政协提案")

    def test_unit_sees_only_its_assigned_items_with_constant_queries(self) -> None:
        self.login(self.c.base.qingshan_staff)
        # session + account, its unit (scope), liaison-office lookup, the page of items with
        # their next deadline, co-handling units, authors, the session filter's options.
        with self.assertNumQueries(8):
            response = self.client.get(reverse("proposal-list"))
        self.assertEqual(len(response.context["page"].rows), 4)
        self.assertNotContains(response, "政协提案")

    def test_liaison_office_sees_all_of_its_bodys_items(self) -> None:
        self.login(self.c.cppcc_clerk)
        with self.assertNumQueries(8):
            response = self.client.get(reverse("proposal-list"))
        self.assertEqual([i.title for i in response.context["page"].rows], ["政协提案"])

    def test_a_deputy_account_lands_on_its_own_items(self) -> None:
        self.login(self.c.other_deputy_account)
        self.assertRedirects(self.client.get(reverse("proposal-home")), reverse("proposal-mine"))
        # session + account, the page of items, its answers and feedback (prefetched), the
        # clocks of the whole page in one query.
        with self.assertNumQueries(6):
            response = self.client.get(reverse("proposal-mine"))
        self.assertEqual(len(response.context["rows"]), 3)
        self.assertContains(response, 'data-rule="TY-P2"', count=3)

    def test_overdue_filter_keeps_items_past_their_next_due_date(self) -> None:
        self.login(self.c.base.supervisor)
        response = self.client.get(reverse("proposal-list"), {"overdue": "on"})
        self.assertEqual(len(response.context["page"].rows), 4)  # due dates in 2025/2026


class ExportTests(ProposalPagesTestCase):
    def test_the_export_reimports_as_a_ledger_and_holds_the_readable_sheet(self) -> None:
        proposal_record_contact(
            proposal=self.item, contacted_on=dt.date(2025, 12, 2), method="visit"
        )
        proposal_answer(proposal=self.item, answered_on=dt.date(2026, 2, 1), result="solved")
        proposal_feedback(
            proposal=self.item,
            given_on=dt.date(2026, 2, 5),
            attitude="satisfied",
            result="satisfied",
        )
        self.login(self.c.congress_clerk)
        response = self.client.get(reverse("proposal-export"))
        self.assertEqual(response.status_code, 200)
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["proposals", "办理台账"])
        self.assertEqual(workbook["proposals"]["A2"].value, self.item.ref)
        self.assertIn("TY-P2", workbook["办理台账"]["I2"].value)
        result = run_import(io.BytesIO(response.content), dry_run=True, filename="export.xlsx")
        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["proposals"].unchanged, 1)


class TodayPanelTests(ProposalPagesTestCase):
    def test_a_deputy_sees_the_answers_awaiting_feedback_on_the_today_page(self) -> None:
        proposal_answer(proposal=self.item, answered_on=dt.date(2026, 2, 1), result="solved")
        self.login(self.c.deputy_account)
        response = self.client.get(reverse("today"))
        self.assertContains(response, "关于桃园村修路的建议")
        self.assertContains(response, f"{self.detail()}#action-feedback")

    def test_unit_staff_get_no_deputy_panel(self) -> None:
        self.login(self.c.base.qingshan_staff)
        response = self.client.get(reverse("today"))
        self.assertNotContains(response, reverse("proposal-mine"))
