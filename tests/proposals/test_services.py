"""An item walked through its handling: assignment, contact, answer, 'unsatisfied', second
handling and second feedback, with the clocks' due dates (month ends included)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from proposals.models import Proposal, Stage
from proposals.services import (
    co_handling_opinion,
    proposal_answer,
    proposal_assign,
    proposal_feedback,
    proposal_mark_complex,
    proposal_record_contact,
)
from rules.clocks import clocks_for_item
from rules.models import CalendarYear, ClockState

from .helpers import build_proposals_county, load_proposal_rules, make_proposal, make_session

PDF = b"%PDF-1.4\n% answer\n"


def clock(proposal, rule_id):
    return next(c for c in clocks_for_item(proposal) if c.rule.rule_id == rule_id)


class HandlingWalkTests(TestCase):
    def setUp(self) -> None:
        load_proposal_rules()
        self.c = build_proposals_county()
        self.session = make_session(
            code="RD-2025B", opens=dt.date(2025, 11, 1), closes=dt.date(2025, 11, 4)
        )
        self.item = make_proposal(self.session, [self.c.deputy, self.c.other_deputy])

    def test_item_walks_from_assignment_to_second_feedback(self) -> None:
        item = self.item
        proposal_assign(
            proposal=item,
            lead_unit=self.c.base.qingshan,
            co_units=[self.c.base.education],
            assigned_on=dt.date(2025, 11, 30),
        )
        self.assertEqual(item.stage, Stage.ASSIGNED)
        # TY-P1: 7 days after 30 Nov is Sunday 7 Dec, a rest day: moved to Monday 8 Dec.
        contact = clock(item, "TY-P1")
        self.assertEqual(contact.due, dt.date(2025, 12, 8))
        self.assertEqual(contact.unit, self.c.base.qingshan)
        # TY-P2: 3 months after 30 Nov 2025 → 28 Feb 2026, an adjusted working Saturday: stays.
        answer = clock(item, "TY-P2")
        self.assertEqual(answer.due, dt.date(2026, 2, 28))
        self.assertEqual(answer.computation["moved"], [])
        self.assertEqual(answer.computation["adjusted"][0]["reason"], "adjusted_workday")

        proposal_record_contact(proposal=item, contacted_on=dt.date(2025, 12, 5), method="phone")
        contact.refresh_from_db()
        self.assertEqual((contact.state, contact.on_time), (ClockState.DONE, True))
        self.assertEqual(item.stage, Stage.CONTACTED)

        entry = item.co_handlings.get()
        co_handling_opinion(
            co_handling=entry, opinion="同意牵头单位方案", given_on=dt.date(2025, 12, 20)
        )
        proposal_answer(
            proposal=item,
            answered_on=dt.date(2026, 2, 26),
            result="planned",
            text="已列入2026年计划",
            document=SimpleUploadedFile("答复.pdf", PDF, content_type="application/pdf"),
        )
        answer.refresh_from_db()
        self.assertEqual((answer.state, answer.on_time), (ClockState.DONE, True))
        self.assertEqual(item.stage, Stage.ANSWERED)
        self.assertTrue(item.answers.get(round=1).document.name.endswith(".pdf"))

        proposal_feedback(
            proposal=item,
            given_on=dt.date(2026, 3, 2),
            attitude="satisfied",
            result="unsatisfied",
        )
        self.assertEqual(item.stage, Stage.SECOND_HANDLING)
        # TY-P3: one month after 2 Mar 2026 → Thursday 2 Apr 2026.
        second = clock(item, "TY-P3")
        self.assertEqual((second.start, second.due), (dt.date(2026, 3, 2), dt.date(2026, 4, 2)))
        self.assertEqual(second.unit, self.c.base.qingshan)

        proposal_answer(proposal=item, answered_on=dt.date(2026, 4, 7), result="solved")
        second.refresh_from_db()
        self.assertEqual((second.state, second.on_time), (ClockState.DONE, False))
        self.assertEqual(item.stage, Stage.SECOND_ANSWERED)

        feedback = proposal_feedback(
            proposal=item, given_on=dt.date(2026, 4, 10), attitude="basic", result="basic"
        )
        self.assertEqual(feedback.round, 2)
        self.assertEqual(item.stage, Stage.CLOSED)
        # The closed item owes nothing: no clock runs.
        self.assertFalse([c for c in clocks_for_item(item) if c.state == ClockState.OPEN])

    def test_item_assigned_30_november_2023_is_due_29_february_2024(self) -> None:
        session = make_session(
            code="RD-2023", opens=dt.date(2023, 11, 1), closes=dt.date(2023, 11, 3)
        )
        item = make_proposal(session, [self.c.deputy])
        proposal_assign(
            proposal=item, lead_unit=self.c.base.education, assigned_on=dt.date(2023, 11, 30)
        )
        self.assertEqual(clock(item, "TY-P2").due, dt.date(2024, 2, 29))

    def test_complex_item_gets_six_months_with_its_explanation(self) -> None:
        proposal_assign(
            proposal=self.item, lead_unit=self.c.base.education, assigned_on=dt.date(2025, 11, 30)
        )
        proposal_mark_complex(proposal=self.item, explanation="涉及多个部门和跨年度资金")
        answer = clock(self.item, "TY-P2")
        # 30 May 2026 is a Saturday: moved to Monday 1 June.
        self.assertEqual(answer.due, dt.date(2026, 6, 1))
        self.assertEqual(
            answer.computation["inputs"]["complex_explanation"], "涉及多个部门和跨年度资金"
        )
        self.assertTrue(self.item.complex)

    def test_satisfied_feedback_closes_the_item_without_second_handling(self) -> None:
        proposal_assign(
            proposal=self.item, lead_unit=self.c.base.education, assigned_on=dt.date(2025, 12, 1)
        )
        proposal_answer(proposal=self.item, answered_on=dt.date(2026, 1, 5), result="solved")
        proposal_feedback(
            proposal=self.item, given_on=dt.date(2026, 1, 9), attitude="satisfied", result="basic"
        )
        self.assertEqual(self.item.stage, Stage.CLOSED)
        self.assertFalse([c for c in clocks_for_item(self.item) if c.rule.rule_id == "TY-P3"])

    def test_second_answer_cannot_come_before_unsatisfied_feedback(self) -> None:
        with self.assertRaises(ValidationError):
            proposal_answer(proposal=self.item, answered_on=dt.date(2026, 1, 5), result="solved")

    def test_contact_before_assignment_is_refused(self) -> None:
        proposal_assign(
            proposal=self.item, lead_unit=self.c.base.education, assigned_on=dt.date(2025, 12, 1)
        )
        with self.assertRaises(ValidationError):
            proposal_record_contact(
                proposal=self.item, contacted_on=dt.date(2025, 11, 29), method="visit"
            )

    def test_assignment_into_an_unknown_calendar_year_gets_provisional_due_dates(self) -> None:
        CalendarYear.objects.filter(year__gte=2026).delete()
        proposal_assign(
            proposal=self.item, lead_unit=self.c.base.education, assigned_on=dt.date(2025, 12, 20)
        )
        self.item.refresh_from_db()
        self.assertEqual(self.item.stage, Stage.ASSIGNED)
        # the contact (7 days) stays in 2025; the answer (3 months) reaches into 2026
        provisional = {c.rule.rule_id: c.provisional for c in clocks_for_item(self.item)}
        self.assertEqual(provisional, {"TY-P1": False, "TY-P2": True})

    def test_a_congress_item_needs_deputies_as_authors(self) -> None:
        with self.assertRaises(ValidationError):
            make_proposal(self.session, [self.c.member])


class DoubleSubmitTests(TestCase):
    def test_an_assignment_sent_twice_assigns_once(self) -> None:
        load_proposal_rules()
        c = build_proposals_county()
        item = make_proposal(c.session, [c.deputy])
        stale = Proposal.objects.get(pk=item.pk)
        proposal_assign(proposal=item, lead_unit=c.base.education, assigned_on=dt.date(2025, 2, 1))
        with self.assertRaises(ValidationError):
            proposal_assign(
                proposal=stale, lead_unit=c.base.qingshan, assigned_on=dt.date(2025, 2, 1)
            )
        self.assertEqual(len(clocks_for_item(item)), 2)
