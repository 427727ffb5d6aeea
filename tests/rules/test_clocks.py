from __future__ import annotations

import datetime as dt
import itertools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from rules.clocks import (
    clock_cancel,
    clock_complete,
    clock_extend,
    clock_mark_complex,
    clock_pause,
    clock_resume,
    clock_start,
    clocks_for_item,
    clocks_recompute_open,
)
from rules.models import CalendarDay, Clock, ClockState
from rules.workdays import UnknownCalendarYear, is_workday
from tests.helpers import build_county, make_rule

D = dt.date
STEPS = itertools.count(1)


class ClockTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.item = cls.c.household_taoyuan
        cls.reply = make_rule(
            "T-REPLY",
            params={
                "start_event": "received",
                "end_event": "replied",
                "amount": 3,
                "unit": "workdays",
            },
        )
        cls.conclude = make_rule(
            "T-CONCLUDE",
            params={
                "start_event": "accepted",
                "end_event": "concluded",
                "amount": 60,
                "unit": "days",
                "extension_amount": 30,
                "max_extensions": 1,
            },
        )
        cls.answer = make_rule(
            "T-ANSWER",
            params={
                "start_event": "assigned",
                "end_event": "answered",
                "amount": 3,
                "unit": "months",
                "complex_amount": 6,
            },
        )

    def start(self, rule, start: dt.date, **kwargs) -> Clock:
        # A step of its own per clock: one step of one item runs one clock at a time.
        return clock_start(
            rule=rule,
            item=self.item,
            step=f"reply-{next(STEPS)}",
            start=start,
            unit=self.c.qingshan,
            **kwargs,
        )

    def test_working_day_clock_skips_national_day_and_counts_the_adjusted_saturday(self) -> None:
        clock = self.start(self.reply, D(2026, 9, 30))
        self.assertEqual(clock.due, D(2026, 10, 10))
        skipped = [entry["date"] for entry in clock.computation["skipped"]]
        self.assertIn("2026-10-01", skipped)
        self.assertEqual(clock.computation["adjusted"][0]["date"], "2026-10-10")

    def test_calendar_clock_landing_on_a_rest_day_moves_to_the_next_working_day(self) -> None:
        # 2026-08-02 + 60 days = 2026-10-01, National Day: moves to Thursday 2026-10-08.
        clock = self.start(self.conclude, D(2026, 8, 2))
        self.assertEqual(clock.computation["raw_due"], "2026-10-01")
        self.assertEqual(clock.due, D(2026, 10, 8))

    def test_month_clock_clips_to_month_end_and_keeps_an_adjusted_saturday(self) -> None:
        self.assertEqual(self.start(self.answer, D(2025, 11, 30)).due, D(2026, 2, 28))
        self.assertEqual(self.start(self.answer, D(2023, 11, 30)).due, D(2024, 2, 29))

    def test_completing_on_the_due_date_is_on_time_and_freezes(self) -> None:
        clock = clock_complete(
            clock=self.start(self.reply, D(2026, 9, 30)), done_on=D(2026, 10, 10)
        )
        self.assertEqual((clock.state, clock.on_time), (ClockState.DONE, True))
        with self.assertRaises(ValidationError):
            clock_complete(clock=clock, done_on=D(2026, 10, 12))

    def test_completing_after_the_due_date_is_late(self) -> None:
        clock = clock_complete(
            clock=self.start(self.reply, D(2026, 9, 30)), done_on=D(2026, 10, 12)
        )
        self.assertIs(clock.on_time, False)

    def test_one_extension_of_up_to_thirty_days_with_a_reason(self) -> None:
        clock = self.start(
            self.conclude, D(2026, 3, 2)
        )  # +60 days = 2026-05-01 (Labour Day) → 05-06
        self.assertEqual(clock.due, D(2026, 5, 6))
        with self.assertRaises(ValidationError):
            clock_extend(clock=clock, amount=31, reason="complex")
        with self.assertRaises(ValidationError):
            clock_extend(clock=clock, amount=30, reason=" ")
        clock = clock_extend(clock=clock, amount=30, reason="needs a site survey")
        self.assertEqual(
            clock.due, D(2026, 5, 31) + dt.timedelta(days=1)
        )  # 05-31 is a Sunday → 06-01
        self.assertEqual(clock.computation["extension"]["reason"], "needs a site survey")
        with self.assertRaises(ValidationError):
            clock_extend(clock=clock, amount=1, reason="again")

    def test_pause_adds_the_paused_working_days(self) -> None:
        clock = self.start(self.reply, D(2026, 6, 1))  # Mon → due Thu 06-04
        self.assertEqual(clock.due, D(2026, 6, 4))
        clock = clock_pause(
            clock=clock, on=D(2026, 6, 2), reason="waiting for the petitioner's papers"
        )
        clock = clock_resume(clock=clock, on=D(2026, 6, 5))  # 3 working days paused
        self.assertEqual(clock.due, D(2026, 6, 9))
        self.assertEqual(clock.computation["pauses"][0]["days"], 3)

    def test_marking_complex_uses_the_longer_limit_with_the_explanation(self) -> None:
        clock = clock_mark_complex(
            clock=self.start(self.answer, D(2025, 11, 30)), explanation="several departments"
        )
        self.assertEqual(clock.due, D(2026, 5, 30) + dt.timedelta(days=2))  # 05-30 Sat → Mon 06-01
        self.assertEqual(clock.computation["inputs"]["complex_explanation"], "several departments")

    def test_cancel_needs_a_reason(self) -> None:
        clock = self.start(self.reply, D(2026, 6, 1))
        with self.assertRaises(ValidationError):
            clock_cancel(clock=clock, reason="")
        self.assertEqual(clock_cancel(clock=clock, reason="withdrawn").state, ClockState.CANCELLED)

    def test_a_clock_reaching_into_an_unknown_year_is_provisional(self) -> None:
        # Wed 30 and Thu 31 Dec, then (2027 not entered) New Year's Day, the weekend, Mon 4 Jan
        clock = self.start(self.reply, D(2026, 12, 29))
        self.assertEqual((clock.due, clock.provisional), (D(2027, 1, 4), True))
        self.assertEqual(clock.computation["provisional"]["years"], [2027])
        with self.assertRaises(UnknownCalendarYear):  # the calendar itself still refuses
            is_workday(D(2027, 1, 4))

    def test_a_clock_within_known_years_is_not_provisional(self) -> None:
        clock = self.start(self.reply, D(2026, 12, 1))
        self.assertEqual((clock.due, clock.provisional), (D(2026, 12, 4), False))
        self.assertNotIn("provisional", clock.computation)

    def test_calendar_change_recomputes_open_clocks_but_never_frozen_ones(self) -> None:
        open_clock = self.start(self.reply, D(2026, 6, 1))
        done_clock = clock_complete(
            clock=self.start(self.reply, D(2026, 6, 1)), done_on=D(2026, 6, 3)
        )
        CalendarDay.objects.create(date=D(2026, 6, 3), kind="holiday", name="test")
        self.assertEqual(clocks_recompute_open(years=[2026]), 1)
        open_clock.refresh_from_db()
        done_clock.refresh_from_db()
        self.assertEqual(open_clock.due, D(2026, 6, 5))
        self.assertEqual(done_clock.due, D(2026, 6, 4))

    def test_rule_change_recomputes_its_open_clocks(self) -> None:
        clock = self.start(self.reply, D(2026, 6, 1))
        self.reply.params = {**self.reply.params, "amount": 5}
        self.reply.save()
        self.assertEqual(clocks_recompute_open(rule=self.reply), 1)
        clock.refresh_from_db()
        self.assertEqual(clock.due, D(2026, 6, 8))

    def test_an_item_may_run_several_clocks_with_history(self) -> None:
        self.start(self.reply, D(2026, 6, 1))
        self.start(self.conclude, D(2026, 6, 1))
        clocks = list(clocks_for_item(self.item))
        self.assertEqual([c.rule.rule_id for c in clocks], ["T-REPLY", "T-CONCLUDE"])
        self.assertEqual(clocks[0].history.count(), 1)

    def test_one_step_runs_one_clock_at_a_time(self) -> None:
        first = clock_start(
            rule=self.reply, item=self.item, step="reply", start=D(2026, 6, 1), unit=self.c.qingshan
        )
        with self.assertRaisesMessage(ValidationError, "此环节已有一个进行中的时限"):
            clock_start(
                rule=self.reply,
                item=self.item,
                step="reply",
                start=D(2026, 6, 2),
                unit=self.c.qingshan,
            )
        # The database refuses it too, whatever skips the model's validation.
        with self.assertRaises(IntegrityError), transaction.atomic():
            Clock.objects.create(
                rule=self.reply,
                content_type=first.content_type,
                object_id=first.object_id,
                step="reply",
                unit=self.c.qingshan,
                start=D(2026, 6, 2),
                due=D(2026, 6, 5),
            )
        clock_complete(clock=first, done_on=D(2026, 6, 2))
        again = clock_start(
            rule=self.reply, item=self.item, step="reply", start=D(2026, 6, 3), unit=self.c.qingshan
        )
        self.assertEqual(again.state, ClockState.OPEN)

    def test_a_step_may_run_one_clock_per_unit_person_and_rule(self) -> None:
        for unit in (self.c.qingshan, self.c.chengguan, None):
            clock_start(
                rule=self.reply, item=self.item, step="object", start=D(2026, 6, 1), unit=unit
            )
        clock_start(rule=self.conclude, item=self.item, step="object", start=D(2026, 6, 1))
        clock_start(
            rule=self.reply,
            item=self.item,
            step="object",
            start=D(2026, 6, 1),
            person=self.c.county_leader,
        )
        self.assertEqual(Clock.objects.open().filter(step="object").count(), 5)
        with self.assertRaises(ValidationError):
            clock_start(rule=self.reply, item=self.item, step="object", start=D(2026, 6, 2))


class DeadlineScanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule("T-SCAN")

    def test_the_scan_of_open_clocks_is_one_query_whatever_the_number_of_clocks(self) -> None:
        for day in (1, 2, 3, 8, 9):
            clock_start(
                rule=self.rule,
                item=self.c.household_taoyuan,
                step=f"reply-{day}",
                start=D(2026, 6, day),
            )
        done = Clock.objects.first()
        clock_complete(clock=done, done_on=D(2026, 6, 2))
        with self.assertNumQueries(1):
            due = list(Clock.objects.open().due_before(D(2026, 6, 12)))
        # Open clocks due before 12 June: those started 1–3 June (due 8–10 June), not the done one.
        self.assertEqual([c.due for c in due], [D(2026, 6, 9), D(2026, 6, 10)])

    def test_the_open_due_date_index_is_partial(self) -> None:
        index = next(i for i in Clock._meta.indexes if i.name == "clock_open_due")
        self.assertEqual(index.fields, ["due"])
        self.assertEqual(str(index.condition), "(AND: ('state', 'open'))")
