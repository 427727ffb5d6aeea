"""The life of an appeal: reply limits per category on the working-day calendar, assignment by
instruction, a unit's return (the clock survives), replies frozen on time or late, feedback that
reopens, and the real-name step log."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase

from petitions.appeals import services as s
from petitions.models import Appeal, AppealCategory, AppealStatus, StepKind
from rules.models import Clock, ClockState, Rule
from tests.helpers import build_county

from .appeal_helpers import at, category, make_appeal, make_public_appeal, setup_appeals

D = dt.date
SEP_26 = D(2025, 9, 26)


def reply_clock(appeal: Appeal, step: str = "reply") -> Clock:
    return Clock.objects.for_item(appeal).get(rule__rule_id="TY-O2", step=step)


class DueDateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def test_five_days_count_the_adjusted_sunday_and_skip_the_national_day_holiday(self) -> None:
        # Fri 26 Sep 2025; Sun 28 Sep is an adjusted working day, 1–8 Oct a holiday.
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26, 16), code="construction")
        clock = reply_clock(appeal)
        self.assertEqual(appeal.limit_days, 5)
        self.assertEqual(clock.due, D(2025, 10, 10))
        self.assertEqual(appeal.due, D(2025, 10, 10))
        adjusted = [note["date"] for note in clock.computation["adjusted"]]
        self.assertEqual(adjusted, ["2025-09-28"])
        skipped = {note["date"] for note in clock.computation["skipped"]}
        self.assertIn("2025-10-01", skipped)
        self.assertIn("2025-10-08", skipped)

    def test_three_days_from_the_eve_of_the_holiday_end_on_the_adjusted_working_saturday(
        self,
    ) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 30), code="environment")
        self.assertEqual(appeal.limit_days, 3)
        self.assertEqual(reply_clock(appeal).due, D(2025, 10, 11))  # a Saturday, worked

    def test_an_appeal_received_on_a_rest_day_counts_from_the_next_working_day(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 27, 21), code="utilities")
        self.assertEqual(reply_clock(appeal).due, D(2025, 9, 28))  # limit 1: the adjusted Sunday

    def test_the_day_of_receipt_is_the_local_day_not_the_utc_day(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26, 0, 30))  # 25 Sep in UTC
        self.assertEqual(appeal.received_on, D(2025, 9, 26))

    def test_a_category_limit_outside_one_to_five_is_refused(self) -> None:
        for limit in (0, 6):
            with self.subTest(limit=limit), self.assertRaises(ValidationError):
                AppealCategory(code=f"x{limit}", name="试验", limit_days=limit).full_clean()

    def test_a_category_without_its_own_limit_uses_the_rules_amount(self) -> None:
        self.assertIsNone(category("other").limit_days)
        self.assertEqual(make_appeal(self.c, code="other").limit_days, 5)
        rule = Rule.objects.get(rule_id="TY-O2")
        rule.params = {**rule.params, "amount": 4}
        rule.save()
        self.assertEqual(make_appeal(self.c, code="other").limit_days, 4)

    def test_a_limit_given_with_the_item_overrides_the_category(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26), limit_days=2)
        self.assertEqual(reply_clock(appeal).due, D(2025, 9, 29))

    def test_a_leaders_mailbox_item_runs_hf_o1_for_the_leader_and_hotline_runs_hf_h1(self) -> None:
        setup_appeals("hefei")
        appeal = make_appeal(
            self.c, source="mailbox", to_leader=self.c.county_leader, code="construction"
        )
        clock = Clock.objects.for_item(appeal).get(rule__rule_id="HF-O1")
        self.assertEqual(clock.person, self.c.county_leader)
        self.assertEqual(clock.due, D(2025, 10, 10))
        hotline = make_appeal(self.c, source="hotline")
        rules = set(Clock.objects.for_item(hotline).values_list("rule__rule_id", flat=True))
        self.assertEqual(rules, {"TY-O2", "HF-H1"})


class LifecycleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def assign(self, appeal: Appeal, unit, on: dt.date = SEP_26) -> Appeal:
        return s.appeal_assign(
            appeal=appeal,
            unit=unit,
            on=on,
            acting_user=self.c.petition_clerk,
            instruction="请核实处理并按时回复",
            instructed_by=self.c.county_leader,
        )

    def test_assignment_records_the_leaders_instruction_and_moves_the_clock(self) -> None:
        appeal = make_appeal(self.c)
        self.assertEqual(reply_clock(appeal).unit, self.c.petition_bureau)  # with the office
        self.assign(appeal, self.c.qingshan)
        appeal.refresh_from_db()
        self.assertEqual(appeal.status, AppealStatus.ASSIGNED)
        self.assertEqual(appeal.instruction, "请核实处理并按时回复")
        self.assertEqual(appeal.instructed_by, self.c.county_leader)
        self.assertEqual(reply_clock(appeal).unit, self.c.qingshan)

    def test_a_returned_and_reassigned_appeal_keeps_its_original_clock(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26))
        original = reply_clock(appeal)
        self.assign(appeal, self.c.qingshan)

        s.appeal_return(
            appeal=appeal,
            reason="反映的是县城学校问题，不属于本乡职责",
            on=D(2025, 9, 28),
            acting_user=self.c.qingshan_staff,
        )
        appeal.refresh_from_db()
        self.assertEqual(appeal.status, AppealStatus.RETURNED)
        self.assertIsNone(appeal.unit)
        self.assertFalse(Appeal.objects.visible_to(self.c.qingshan_staff).exists())
        self.assertEqual(reply_clock(appeal).unit, self.c.petition_bureau)

        self.assign(appeal, self.c.education, on=D(2025, 9, 29))
        clocks = list(Clock.objects.for_item(appeal))
        self.assertEqual(len(clocks), 1)
        clock = clocks[0]
        self.assertEqual(clock.pk, original.pk)
        self.assertEqual((clock.start, clock.due), (original.start, original.due))
        self.assertEqual(clock.computation, original.computation)
        self.assertEqual(clock.unit, self.c.education)
        returned = appeal.steps.get(kind=StepKind.RETURNED)
        self.assertEqual(returned.unit, self.c.qingshan)
        self.assertEqual(returned.actor, "qingshan")

        s.appeal_reply(
            appeal=appeal, text="已协调解决", on=D(2025, 10, 9), acting_user=self.c.education_staff
        )
        clock.refresh_from_db()
        self.assertEqual((clock.state, clock.on_time), (ClockState.DONE, True))

    def test_a_reply_after_the_due_date_is_frozen_late(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26))
        self.assign(appeal, self.c.qingshan)
        reply = s.appeal_reply(
            appeal=appeal, text="已处理", on=D(2025, 10, 13), acting_user=self.c.qingshan_staff
        )
        clock = reply_clock(appeal)
        self.assertEqual((clock.done_on, clock.on_time), (D(2025, 10, 13), False))
        self.assertFalse(reply.on_time)
        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.due), (AppealStatus.REPLIED, None))

    def test_unsatisfied_reopens_for_a_second_reply_on_a_new_clock(self) -> None:
        appeal, _key = make_public_appeal(self.c, received_at=at(2025, 9, 26))
        self.assign(appeal, self.c.qingshan)
        s.appeal_reply(
            appeal=appeal, text="已处理", on=D(2025, 9, 29), acting_user=self.c.qingshan_staff
        )

        s.appeal_feedback(appeal=appeal, rating="不满意", on=D(2025, 9, 30), note="路灯仍未修好")
        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.round), (AppealStatus.REOPENED, 2))
        second = reply_clock(appeal, "second_reply")
        self.assertEqual((second.start, second.due), (D(2025, 9, 30), D(2025, 10, 14)))
        self.assertEqual(second.unit, self.c.qingshan)
        self.assertEqual(reply_clock(appeal).state, ClockState.DONE)  # the first stays frozen
        self.assertEqual(appeal.due, D(2025, 10, 14))

        s.appeal_reply(
            appeal=appeal, text="已更换灯具", on=D(2025, 10, 9), acting_user=self.c.qingshan_staff
        )
        s.appeal_feedback(appeal=appeal, rating="不满意", on=D(2025, 10, 10))
        appeal.refresh_from_db()
        # a second "unsatisfied" closes the appeal: one reopening only
        self.assertEqual((appeal.status, appeal.satisfaction), (AppealStatus.CLOSED, "不满意"))
        self.assertEqual(appeal.replies.count(), 2)

    def test_satisfied_closes_the_appeal(self) -> None:
        appeal = make_appeal(self.c)
        s.appeal_reply(
            appeal=appeal, text="答复", on=D(2025, 9, 29), acting_user=self.c.petition_clerk
        )
        s.appeal_feedback(appeal=appeal, rating="基本满意", on=D(2025, 9, 30))
        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.closed_on), (AppealStatus.CLOSED, D(2025, 9, 30)))
        with self.assertRaises(ValidationError):  # a reply is rated once
            s.appeal_feedback(appeal=appeal, rating="满意", on=D(2025, 9, 30))

    def test_every_step_carries_the_name_of_whoever_took_it(self) -> None:
        appeal, _key = make_public_appeal(self.c)
        self.assertIsNone(appeal.taken_by)
        self.assign(appeal, self.c.qingshan)
        s.appeal_reply(
            appeal=appeal, text="答复", on=D(2025, 9, 29), acting_user=self.c.qingshan_staff
        )
        appeal.refresh_from_db()
        # first-contact responsibility: the first staff member who acted on it
        self.assertEqual(appeal.taken_by, self.c.petition_clerk)
        steps = list(appeal.steps.order_by("at", "pk").values_list("kind", "actor", "unit__code"))
        self.assertEqual(
            steps,
            [
                ("received", "刘群众", "QH"),
                ("taken", "clerk", "QH-XFJ"),
                ("assigned", "clerk", "QH-XFJ"),
                ("replied", "qingshan", "QH-QS"),
            ],
        )

    def test_intake_records_who_took_it_in(self) -> None:
        appeal = make_appeal(self.c)
        self.assertEqual(appeal.taken_by, self.c.petition_clerk)
        self.assertEqual(appeal.receiving_unit, self.c.petition_bureau)
        self.assertEqual(appeal.steps.get().actor, "clerk")

    def test_steps_out_of_order_are_refused(self) -> None:
        appeal = make_appeal(self.c, received_at=at(2025, 9, 26))
        with self.assertRaises(ValidationError):
            s.appeal_return(appeal=appeal, reason="x", on=D(2025, 9, 26), acting_user=None)
        with self.assertRaises(ValidationError):
            s.appeal_reply(appeal=appeal, text="答复", on=D(2025, 9, 25), acting_user=None)
        with self.assertRaises(ValidationError):
            s.appeal_feedback(appeal=appeal, rating="满意", on=D(2025, 9, 26))
        self.assign(appeal, self.c.qingshan)
        with self.assertRaises(ValidationError):
            s.appeal_return(appeal=appeal, reason=" ", on=D(2025, 9, 26), acting_user=None)


class LeaderComplianceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals("hefei")
        cls.c = build_county()

    def test_hf_o1_rows_are_per_leader_per_month_and_per_year(self) -> None:
        from rules import compliance
        from rules.periods import Period

        leader = self.c.county_leader
        on_time = make_appeal(self.c, source="mailbox", to_leader=leader)  # due 10 Oct
        s.appeal_reply(appeal=on_time, text="答复", on=D(2025, 10, 9), acting_user=None)
        make_appeal(self.c, source="mailbox", to_leader=leader, received_at=at(2025, 11, 3))
        rows = compliance.evaluate(
            Period.year(2025), today=D(2026, 1, 5), rules=Rule.objects.filter(rule_id="HF-O1")
        )
        table = {(r.subject, r.period): (r.required, r.actual, r.status) for r in rows}
        self.assertEqual(
            table,
            {
                ("P-WJG", "2025-10"): (1, 1, "met"),
                ("P-WJG", "2025-11"): (1, 0, "short"),
                ("P-WJG", "2025"): (2, 1, "short"),
            },
        )
