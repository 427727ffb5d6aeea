"""The whole life of a matter, intake to re-review, with every clock's due date checked on
dates around the 2025 National Day holiday (1–8 Oct, adjusted working days 28 Sep and 11 Oct)
and the 2026 Spring Festival (adjusted working Saturday 14 Feb)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase

from petitions.matters.services import (
    petition_accept,
    petition_answer,
    petition_answer_recheck,
    petition_answer_review,
    petition_close,
    petition_extend,
    petition_object,
    petition_request_recheck,
    petition_request_review,
    petition_return_visit,
    petition_route,
    petition_supervise,
)
from petitions.models import AssignmentState, PetitionEvent, PetitionStatus
from rules.clocks import clocks_for_item
from rules.models import ClockState
from tests.helpers import build_county

from .helpers import load_rule_packs, make_petition

D = dt.date


def clock(petition, step, unit=None):
    clocks = [c for c in clocks_for_item(petition) if c.step == step]
    if unit is not None:
        clocks = [c for c in clocks if c.unit_id == unit.pk]
    assert len(clocks) == 1, clocks
    return clocks[0]


class PetitionLifeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()

    def test_registration_starts_the_routing_clock_landing_on_an_adjusted_saturday(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26))
        register = clock(petition, "register")
        # 15 days after Fri 26 Sep is Sat 11 Oct, an adjusted working day: it does not move.
        self.assertEqual(register.due, D(2025, 10, 11))
        self.assertEqual(register.rule.rule_id, "NAT-REGISTER")
        self.assertEqual(register.unit, self.c.petition_bureau)
        self.assertEqual(petition.status, PetitionStatus.REGISTERED)
        self.assertEqual(petition.due, D(2025, 10, 11))
        self.assertEqual(petition.ref, "QH-XF-2025-000001")

    def test_whole_life_from_intake_to_re_review(self) -> None:
        c, clerk = self.c, self.c.petition_clerk
        petition = make_petition(c, received_on=D(2025, 9, 26))

        petition_route(
            petition=petition,
            lead_unit=c.qingshan,
            co_units=[c.education],
            on=D(2025, 9, 26),
            instructions="请依法办理",
            acting_user=clerk,
        )
        register = clock(petition, "register")
        self.assertEqual(
            (register.state, register.done_on, register.on_time),
            (ClockState.DONE, D(2025, 9, 26), True),
        )
        self.assertEqual(clock(petition, "accept").due, D(2025, 10, 11))
        # 5 working days after Fri 26 Sep: Sun 28 Sep (adjusted), 29, 30 Sep, then the holiday
        # 1–8 Oct is skipped: 9 and 10 Oct. Due Fri 10 Oct.
        self.assertEqual(clock(petition, "object", c.qingshan).due, D(2025, 10, 10))
        self.assertEqual(clock(petition, "object", c.education).due, D(2025, 10, 10))
        self.assertEqual(petition.status, PetitionStatus.ROUTED)

        # The co-handling department objects on 9 Oct, within its window.
        petition_object(
            petition=petition,
            unit=c.education,
            on=D(2025, 10, 9),
            reason="不属本部门职责",
            acting_user=c.education_staff,
        )
        objection = clock(petition, "object", c.education)
        self.assertEqual((objection.state, objection.on_time), (ClockState.DONE, True))

        petition_accept(
            petition=petition, on=D(2025, 9, 30), accepted=True, acting_user=c.qingshan_staff
        )
        accept = clock(petition, "accept")
        self.assertEqual((accept.done_on, accept.on_time), (D(2025, 9, 30), True))
        # Routing settled: the lead unit's objection window is withdrawn, not counted late.
        self.assertEqual(clock(petition, "object", c.qingshan).state, ClockState.CANCELLED)
        conclude = clock(petition, "conclude")
        # 60 days after 30 Sep is Sat 29 Nov, a rest day: moved to Mon 1 Dec.
        self.assertEqual(conclude.due, D(2025, 12, 1))

        petition_extend(
            petition=petition,
            days=30,
            reason="需现场勘测",
            on=D(2025, 11, 20),
            acting_user=c.qingshan_staff,
        )
        conclude.refresh_from_db()
        self.assertEqual(conclude.due, D(2025, 12, 29))  # 90 days after 30 Sep, a Monday
        with self.assertRaises(ValidationError):  # one extension only
            petition_extend(
                petition=petition,
                days=5,
                reason="again",
                on=D(2025, 11, 21),
                acting_user=c.qingshan_staff,
            )

        petition_answer(
            petition=petition, on=D(2025, 12, 26), answer="经调查，……", acting_user=c.qingshan_staff
        )
        conclude.refresh_from_db()
        self.assertEqual((conclude.done_on, conclude.on_time), (D(2025, 12, 26), True))
        # 30 days after 26 Dec is Sun 25 Jan 2026: moved to Mon 26 Jan.
        self.assertEqual(clock(petition, "review_ask").due, D(2026, 1, 26))

        petition_request_review(
            petition=petition, on=D(2026, 1, 15), unit=c.county, acting_user=clerk
        )
        self.assertEqual(clock(petition, "review_ask").on_time, True)
        # 30 days after 15 Jan is Sat 14 Feb 2026, an adjusted working day: stays.
        self.assertEqual(clock(petition, "review_answer").due, D(2026, 2, 14))

        petition_answer_review(
            petition=petition, on=D(2026, 2, 14), answer="维持原意见", acting_user=clerk
        )
        self.assertEqual(clock(petition, "review_answer").on_time, True)
        # 30 days after 14 Feb is Mon 16 Mar.
        self.assertEqual(clock(petition, "recheck_ask").due, D(2026, 3, 16))

        petition_request_recheck(
            petition=petition, on=D(2026, 3, 2), unit=c.county, acting_user=clerk
        )
        self.assertEqual(clock(petition, "recheck_answer").due, D(2026, 4, 1))
        petition_answer_recheck(
            petition=petition, on=D(2026, 4, 3), answer="复核维持", acting_user=clerk
        )
        recheck = clock(petition, "recheck_answer")
        self.assertEqual((recheck.done_on, recheck.on_time), (D(2026, 4, 3), False))

        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.CLOSED)
        self.assertEqual(petition.closed_on, D(2026, 4, 3))
        self.assertIsNone(petition.due)
        kinds = list(PetitionEvent.objects.filter(petition=petition).values_list("kind", flat=True))
        self.assertEqual(kinds[:3], ["registered", "routed", "accepted"])
        self.assertIn("recheck_answered", kinds)

    def test_a_late_objection_is_refused(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26), lead_unit=self.c.qingshan)
        with self.assertRaisesMessage(ValidationError, "2025-10-10"):
            petition_object(
                petition=petition,
                unit=self.c.qingshan,
                on=D(2025, 10, 13),
                reason="x",
                acting_user=self.c.qingshan_staff,
            )

    def test_a_co_handling_unit_may_object_within_its_window_after_the_lead_accepted(self) -> None:
        c = self.c
        petition = make_petition(
            c, received_on=D(2025, 9, 26), lead_unit=c.qingshan, co_units=[c.education]
        )
        petition_accept(
            petition=petition, on=D(2025, 9, 29), accepted=True, acting_user=c.qingshan_staff
        )
        # acceptance withdraws the unused windows: they are not counted as late objections
        self.assertEqual(clock(petition, "object", c.education).state, ClockState.CANCELLED)
        petition_object(
            petition=petition,
            unit=c.education,
            on=D(2025, 10, 10),
            reason="非本部门职责",
            acting_user=c.education_staff,
        )
        with self.assertRaisesMessage(ValidationError, "2025-10-10"):
            petition_object(
                petition=make_petition(
                    c,
                    received_on=D(2025, 9, 26),
                    lead_unit=c.qingshan,
                    co_units=[c.chengguan],
                    summary="另一事项",
                ),
                unit=c.chengguan,
                on=D(2025, 10, 11),
                reason="x",
                acting_user=c.chengguan_staff,
            )

    def test_lead_objection_sends_the_matter_back_for_new_routing(self) -> None:
        c = self.c
        petition = make_petition(c, received_on=D(2025, 9, 26), lead_unit=c.qingshan)
        petition_object(
            petition=petition,
            unit=c.qingshan,
            on=D(2025, 9, 29),
            reason="非本乡",
            acting_user=c.qingshan_staff,
        )
        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.REGISTERED)
        self.assertIsNone(petition.lead_unit)
        self.assertEqual(clock(petition, "accept", c.qingshan).state, ClockState.CANCELLED)
        petition_route(
            petition=petition,
            lead_unit=c.chengguan,
            on=D(2025, 9, 30),
            acting_user=c.petition_clerk,
        )
        self.assertEqual(clock(petition, "accept", c.chengguan).due, D(2025, 10, 15))
        self.assertEqual(petition.assignments.get(unit=c.qingshan).state, AssignmentState.OBJECTED)

    def test_not_accepted_closes_the_matter_and_cancels_open_clocks(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 3, 3), lead_unit=self.c.qingshan)
        petition_accept(
            petition=petition,
            on=D(2025, 3, 5),
            accepted=False,
            reason="已进入诉讼程序",
            acting_user=self.c.qingshan_staff,
        )
        petition.refresh_from_db()
        self.assertEqual(petition.status, PetitionStatus.NOT_ACCEPTED)
        self.assertEqual(clock(petition, "object", self.c.qingshan).state, ClockState.CANCELLED)
        self.assertIsNone(petition.due)

    def test_review_asked_after_thirty_days_is_refused_and_closing_cancels_the_window(self) -> None:
        c = self.c
        petition = make_petition(c, received_on=D(2025, 3, 3), lead_unit=c.qingshan)
        petition_accept(
            petition=petition, on=D(2025, 3, 4), accepted=True, acting_user=c.qingshan_staff
        )
        petition_answer(
            petition=petition, on=D(2025, 4, 1), answer="答复", acting_user=c.qingshan_staff
        )
        self.assertEqual(clock(petition, "review_ask").due, D(2025, 5, 6))  # 1 May + holiday
        with self.assertRaises(ValidationError):
            petition_request_review(
                petition=petition, on=D(2025, 5, 7), unit=c.county, acting_user=c.petition_clerk
            )
        petition_close(petition=petition, on=D(2025, 5, 7), reason="", acting_user=c.petition_clerk)
        self.assertEqual(clock(petition, "review_ask").state, ClockState.CANCELLED)

    def test_late_conclusion_is_frozen_as_late(self) -> None:
        c = self.c
        petition = make_petition(c, received_on=D(2025, 3, 3), lead_unit=c.qingshan)
        petition_accept(
            petition=petition, on=D(2025, 3, 3), accepted=True, acting_user=c.qingshan_staff
        )
        self.assertEqual(clock(petition, "conclude").due, D(2025, 5, 6))  # 2 May → after 1–5 May
        petition_answer(
            petition=petition, on=D(2025, 5, 7), answer="答复", acting_user=c.qingshan_staff
        )
        conclude = clock(petition, "conclude")
        self.assertEqual((conclude.done_on, conclude.on_time), (D(2025, 5, 7), False))


class SupervisionAndReturnVisitTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("hefei")
        cls.c = build_county()

    def test_time_limited_supervision_runs_a_clock_frozen_by_the_answer(self) -> None:
        c = self.c
        petition = make_petition(c, received_on=D(2025, 9, 26), lead_unit=c.qingshan)
        petition_accept(
            petition=petition, on=D(2025, 9, 29), accepted=True, acting_user=c.qingshan_staff
        )
        petition_supervise(
            petition=petition,
            mode="time_limited",
            instructions="10月10日前报送办理结果",
            unit=c.petition_bureau,
            on=D(2025, 9, 30),
            due_on=D(2025, 10, 4),
            acting_user=c.supervisor,
        )
        supervise = clock(petition, "supervise")
        # 4 Oct 2025 falls in the National Day holiday: the limit moves to Thu 9 Oct.
        self.assertEqual((supervise.rule.rule_id, supervise.due), ("HF-S1", D(2025, 10, 9)))
        petition_answer(
            petition=petition, on=D(2025, 10, 9), answer="已办结", acting_user=c.qingshan_staff
        )
        supervise.refresh_from_db()
        self.assertEqual((supervise.done_on, supervise.on_time), (D(2025, 10, 9), True))
        petition_return_visit(
            petition=petition,
            on=D(2025, 10, 15),
            satisfaction="基本满意",
            note="电话回访",
            acting_user=c.petition_clerk,
        )
        petition.refresh_from_db()
        self.assertEqual(petition.satisfaction, "基本满意")
        with self.assertRaises(ValidationError):
            petition_supervise(
                petition=petition,
                mode="time_limited",
                instructions="x",
                unit=c.petition_bureau,
                on=D(2025, 10, 16),
                acting_user=c.supervisor,
            )

    def test_a_return_visit_needs_an_answer(self) -> None:
        petition = make_petition(self.c, received_on=D(2025, 9, 26))
        with self.assertRaises(ValidationError):
            petition_return_visit(
                petition=petition,
                on=D(2025, 10, 1),
                satisfaction="满意",
                note="",
                acting_user=self.c.petition_clerk,
            )
