"""The working-day engine against the official 2026 schedule (国办发明电〔2025〕7号):
National Day 1–7 Oct with 20 Sep and 10 Oct (Sat) worked; Spring Festival 15–23 Feb with 14 Feb
and 28 Feb (both Saturdays) worked. Expectations are counted by hand on a paper calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from rules.clocks import clock_start
from rules.models import CalendarDay, CalendarSource, CalendarYear, DayKind, Rule, RuleKind
from rules.services_calendar import calendar_day_set, calendar_year_replace
from rules.workdays import (
    DAYS,
    MONTHS,
    WEEKS,
    WORKDAYS,
    UnknownCalendarYear,
    WorkCalendar,
    add_workdays,
    describe_computation,
    explain_due,
    workdays_between,
)
from tests.helpers import make_unit, make_user

D = dt.date

# Not the official 2027 schedule (not yet published when this was written): a plausible one,
# enough to show that entering a year makes it computable.
HOLIDAYS_2027 = {
    D(2027, 1, 1): "元旦",
    D(2027, 1, 2): "元旦",
    D(2027, 1, 3): "元旦",
    D(2027, 2, 6): "春节",
    D(2027, 2, 7): "春节",
}
WORKDAYS_2027 = {D(2027, 2, 20): "春节"}


def _admin():
    return make_user("cal-admin", make_unit("测试县", "county"), "admin")


class AddWorkdaysTests(TestCase):
    def test_one_working_day_after_30_september_skips_the_national_day_break(self) -> None:
        self.assertEqual(add_workdays(D(2026, 9, 30), 1), D(2026, 10, 8))

    def test_the_third_working_day_is_the_adjusted_saturday_10_october(self) -> None:
        # 8 Oct (Thu) = 1, 9 Oct (Fri) = 2, 10 Oct (Sat, worked) = 3
        self.assertEqual(add_workdays(D(2026, 9, 30), 3), D(2026, 10, 10))

    def test_the_fourth_working_day_after_30_september_skips_sunday_11_october(self) -> None:
        self.assertEqual(add_workdays(D(2026, 9, 30), 4), D(2026, 10, 12))

    def test_adjusted_saturday_14_february_counts_before_spring_festival(self) -> None:
        self.assertEqual(add_workdays(D(2026, 2, 13), 1), D(2026, 2, 14))

    def test_spring_festival_break_15_to_23_february_is_skipped(self) -> None:
        # 14 Feb (Sat, worked) = 1, 15–23 Feb off, 24 Feb (Tue) = 2
        self.assertEqual(add_workdays(D(2026, 2, 13), 2), D(2026, 2, 24))

    def test_adjusted_saturday_28_february_counts_after_spring_festival(self) -> None:
        # 27 Feb (Fri) = 1, 28 Feb (Sat, worked) = 2
        self.assertEqual(add_workdays(D(2026, 2, 26), 2), D(2026, 2, 28))

    def test_an_ordinary_weekend_is_skipped(self) -> None:
        # 2026-03-06 is a Friday: Sat 7 and Sun 8 are rest days
        self.assertEqual(add_workdays(D(2026, 3, 6), 1), D(2026, 3, 9))

    def test_zero_working_days_is_the_start_itself(self) -> None:
        self.assertEqual(add_workdays(D(2026, 10, 3), 0), D(2026, 10, 3))

    def test_negative_count_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            add_workdays(D(2026, 10, 3), -1)


class WorkdaysBetweenTests(TestCase):
    def test_national_day_week_has_three_working_days_up_to_10_october(self) -> None:
        self.assertEqual(workdays_between(D(2026, 9, 30), D(2026, 10, 10)), 3)

    def test_spring_festival_february_counts_both_adjusted_saturdays(self) -> None:
        # 1–28 Feb 2026: 20 weekdays, minus the weekdays of the break (16–20 and 23 Feb: 6),
        # plus the worked Saturdays 14 and 28 Feb: 16
        self.assertEqual(workdays_between(D(2026, 1, 31), D(2026, 2, 28)), 16)

    def test_reversed_dates_give_a_negative_count(self) -> None:
        self.assertEqual(workdays_between(D(2026, 10, 10), D(2026, 9, 30)), -3)

    def test_same_day_is_zero(self) -> None:
        self.assertEqual(workdays_between(D(2026, 10, 9), D(2026, 10, 9)), 0)

    def test_a_calendar_loads_many_years_in_two_queries_and_counts_as_year_by_year(self) -> None:
        known = sorted(CalendarYear.objects.values_list("year", flat=True))
        self.assertIn(2026, known)
        first, last = D(known[0], 1, 5), D(2026, 12, 20)
        year_by_year = workdays_between(first, last, WorkCalendar())
        calendar = WorkCalendar()
        with self.assertNumQueries(2):
            calendar.load(range(first.year, last.year + 1))
        with self.assertNumQueries(0):
            self.assertEqual(workdays_between(first, last, calendar), year_by_year)
            self.assertEqual(calendar.with_provisional().is_workday(D(2026, 10, 10)), True)


class ExplainDueTests(TestCase):
    def test_working_days_computation_lists_skipped_and_adjusted_days(self) -> None:
        result = explain_due(D(2026, 9, 30), 3, WORKDAYS)
        self.assertEqual(result.due, D(2026, 10, 10))
        skipped = [note["date"] for note in result.computation["skipped"]]
        self.assertEqual(skipped, [f"2026-10-0{n}" for n in range(1, 8)])
        self.assertEqual(result.computation["adjusted"][0]["date"], "2026-10-10")

    def test_fifteen_days_landing_on_national_day_moves_to_8_october(self) -> None:
        result = explain_due(D(2026, 9, 16), 15, DAYS)
        self.assertEqual(result.computation["raw_due"], "2026-10-01")
        self.assertEqual(result.due, D(2026, 10, 8))
        self.assertEqual(len(result.computation["moved"]), 7)

    def test_fifteen_days_on_a_rest_day_stay_when_the_rule_does_not_move_them(self) -> None:
        result = explain_due(D(2026, 9, 16), 15, DAYS, roll_to_workday=False)
        self.assertEqual(result.due, D(2026, 10, 1))

    def test_one_week_landing_on_a_saturday_moves_to_monday(self) -> None:
        self.assertEqual(explain_due(D(2026, 2, 28), 1, WEEKS).due, D(2026, 3, 9))

    def test_one_week_landing_on_spring_festival_moves_past_the_break(self) -> None:
        self.assertEqual(explain_due(D(2026, 2, 8), 1, WEEKS).due, D(2026, 2, 24))

    def test_three_months_from_30_november_clip_to_28_february_which_is_worked(self) -> None:
        # 28 Feb 2026 is a Saturday but an adjusted working day: it does not move.
        result = explain_due(D(2025, 11, 30), 3, MONTHS)
        self.assertEqual(result.due, D(2026, 2, 28))
        self.assertEqual(result.computation["moved"], [])
        self.assertEqual(result.computation["adjusted"][0]["date"], "2026-02-28")

    def test_three_months_from_30_november_2023_clip_to_leap_day(self) -> None:
        self.assertEqual(explain_due(D(2023, 11, 30), 3, MONTHS).due, D(2024, 2, 29))

    def test_unknown_unit_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            explain_due(D(2026, 1, 5), 3, "fortnights")


class UnknownYearTests(TestCase):
    def test_a_count_reaching_into_2027_raises_naming_the_year(self) -> None:
        with self.assertRaises(UnknownCalendarYear) as caught:
            add_workdays(D(2026, 12, 30), 3)
        self.assertEqual(caught.exception.year, 2027)
        self.assertIn("2027", str(caught.exception))

    def test_a_calendar_duration_ending_in_2027_raises(self) -> None:
        with self.assertRaises(UnknownCalendarYear):
            explain_due(D(2026, 12, 15), 1, MONTHS, roll_to_workday=False)

    def test_after_an_administrator_enters_2027_the_same_count_works(self) -> None:
        calendar_year_replace(
            year=2027,
            holidays=HOLIDAYS_2027,
            workdays=WORKDAYS_2027,
            acting_user=_admin(),
            note="test",
        )
        # 31 Dec (Thu) = 1, 1–3 Jan off, 4 Jan (Mon) = 2, 5 Jan (Tue) = 3
        self.assertEqual(add_workdays(D(2026, 12, 30), 3), D(2027, 1, 5))
        self.assertTrue(WorkCalendar().is_workday(D(2027, 2, 20)))


class CalendarYearReplaceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = _admin()

    def _enter_2027(self, **overrides):
        values = {
            "year": 2027,
            "holidays": HOLIDAYS_2027,
            "workdays": WORKDAYS_2027,
            "acting_user": self.admin,
            "note": "国办发明电〔2026〕x号",
        }
        return calendar_year_replace(**{**values, **overrides})

    def test_entering_a_year_creates_it_as_entered_by_an_administrator(self) -> None:
        result = self._enter_2027()
        self.assertTrue(result.created)
        self.assertEqual((result.added, result.changed, result.removed), (6, 0, 0))
        year = CalendarYear.objects.get(year=2027)
        self.assertEqual(year.source, CalendarSource.ADMIN)
        self.assertEqual(year.history.latest().history_user, self.admin)

    def test_replacing_deletes_the_days_left_out_and_keeps_their_history(self) -> None:
        self._enter_2027()
        holidays = {day: name for day, name in HOLIDAYS_2027.items() if day.month == 1}
        result = self._enter_2027(holidays=holidays, workdays={})
        self.assertEqual((result.added, result.changed, result.removed), (0, 0, 3))
        self.assertFalse(CalendarDay.objects.filter(date=D(2027, 2, 6)).exists())
        removal = CalendarDay.history.filter(date=D(2027, 2, 6), history_type="-").get()
        self.assertEqual(removal.history_user, self.admin)

    def test_replacing_an_unchanged_day_writes_no_history(self) -> None:
        self._enter_2027()
        self._enter_2027()
        self.assertEqual(CalendarDay.history.filter(date=D(2027, 1, 1)).count(), 1)

    def test_a_date_outside_the_year_saves_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            self._enter_2027(holidays={**HOLIDAYS_2027, D(2026, 12, 31): "元旦"})
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        self.assertFalse(CalendarDay.objects.filter(year=2027).exists())

    def test_an_adjusted_working_day_on_a_weekday_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self._enter_2027(workdays={D(2027, 2, 22): "春节"})  # a Monday
        self.assertIn("workdays", caught.exception.message_dict)

    def test_a_day_both_holiday_and_working_day_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self._enter_2027(workdays={D(2027, 1, 2): "元旦"})

    def test_a_holiday_on_a_weekend_is_accepted(self) -> None:
        self._enter_2027()  # 2–3 Jan 2027 are Saturday and Sunday
        self.assertEqual(CalendarDay.objects.get(date=D(2027, 1, 3)).kind, DayKind.HOLIDAY)

    def test_editing_a_package_year_marks_it_as_entered_by_an_administrator(self) -> None:
        calendar_day_set(
            year=2026,
            day=D(2026, 12, 31),
            kind=DayKind.HOLIDAY,
            name="测试",
            acting_user=self.admin,
        )
        self.assertEqual(CalendarYear.objects.get(year=2026).source, CalendarSource.ADMIN)
        self.assertFalse(WorkCalendar().is_workday(D(2026, 12, 31)))

    def test_a_single_day_can_be_made_ordinary_again(self) -> None:
        calendar_day_set(
            year=2026, day=D(2026, 10, 10), kind="ordinary", name="", acting_user=self.admin
        )
        self.assertFalse(CalendarDay.objects.filter(date=D(2026, 10, 10)).exists())
        self.assertEqual(add_workdays(D(2026, 9, 30), 3), D(2026, 10, 12))

    def test_changing_a_day_recomputes_open_deadlines_of_the_year(self) -> None:
        rule = Rule.objects.create(
            rule_id="T-CAL1",
            pack="taoyuan",
            kind=RuleKind.DEADLINE,
            title="test deadline",
            params={"amount": 3, "unit": WORKDAYS},
        )
        clock = clock_start(rule=rule, item=self.admin, step="answer", start=D(2026, 9, 30))
        self.assertEqual(clock.due, D(2026, 10, 10))
        result = calendar_day_set(
            year=2026, day=D(2026, 10, 10), kind="ordinary", name="", acting_user=self.admin
        )
        self.assertEqual(result.clocks_changed, 1)
        clock.refresh_from_db()
        self.assertEqual(clock.due, D(2026, 10, 12))

    def test_a_single_day_of_an_unknown_year_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            calendar_day_set(
                year=2027,
                day=D(2027, 1, 1),
                kind=DayKind.HOLIDAY,
                name="元旦",
                acting_user=self.admin,
            )


class DescribeComputationTests(TestCase):
    def test_working_days_across_national_day(self) -> None:
        computation = explain_due(D(2026, 9, 30), 3, WORKDAYS).computation
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertEqual(
            lines,
            [
                "Start: Sept. 30, 2026; period: 3 working days (day 1 is the first working day "
                "after the start).",
                "Skipped Oct. 1, 2026 – Oct. 7, 2026: 国庆节 holiday.",
                "Counted Oct. 10, 2026: adjusted working day for 国庆节.",
                "Due: Oct. 10, 2026.",
            ],
        )

    def test_dates_are_written_the_chinese_way_in_chinese(self) -> None:
        computation = explain_due(D(2026, 9, 30), 1, WORKDAYS).computation
        with translation.override("zh-hans"):
            text = " ".join(describe_computation(computation))
        self.assertIn("2026年10月1日", text)
        self.assertIn("2026年10月8日", text)

    def test_adjusted_saturday_is_listed_in_date_order_before_the_break(self) -> None:
        computation = explain_due(D(2026, 2, 13), 2, WORKDAYS).computation
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertTrue(lines[1].startswith("Counted Feb. 14, 2026"))
        self.assertTrue(lines[2].startswith("Skipped Feb. 15, 2026 – Feb. 23, 2026"))

    def test_weekends_are_counted_and_listed(self) -> None:
        computation = explain_due(D(2026, 3, 6), 2, WORKDAYS).computation
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertIn("Skipped 2 weekend days: March 7, 2026 – March 8, 2026.", lines)

    def test_month_end_clipping_on_a_worked_saturday_is_explained(self) -> None:
        computation = explain_due(D(2025, 11, 30), 3, MONTHS).computation
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertIn(
            "3 months after Nov. 30, 2025 is Feb. 28, 2026, a working day: adjusted working "
            "day for 春节.",
            lines,
        )
        self.assertIn(
            "That month has no day 30, so the period ends on the month's last day.", lines
        )

    def test_a_move_off_a_rest_day_is_explained(self) -> None:
        computation = explain_due(D(2026, 2, 28), 1, WEEKS).computation
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertIn(
            "1 week after Feb. 28, 2026 is March 7, 2026, which falls on a rest day (weekend); "
            "moved to the next working day, March 9, 2026.",
            lines,
        )

    def test_extension_and_pauses_are_listed(self) -> None:
        computation = explain_due(D(2026, 9, 30), 5, WORKDAYS).computation
        computation.update(
            base_amount=3,
            extension={"amount": 1, "unit": WORKDAYS, "reason": "需要补充材料"},
            pauses=[{"from": "2026-10-08", "to": "2026-10-09", "days": 1, "reason": "鉴定"}],
        )
        with translation.override("en"):
            lines = describe_computation(computation)
        self.assertIn("Extended by 1 working day. Reason: 需要补充材料", lines)
        self.assertIn(
            "Paused from Oct. 8, 2026 to Oct. 9, 2026 (1 working day). Reason: 鉴定", lines
        )
        self.assertIn("In all, 5 working days are counted.", lines)

    def test_an_empty_computation_describes_nothing(self) -> None:
        self.assertEqual(describe_computation({}), [])


class WorkdaysCountedByArithmeticTest(TestCase):
    """workdays_between counts weeks and looks up the year's exceptions; it must agree with a
    walk through every day (the definition) over spans of every length and start."""

    def test_the_count_equals_the_day_by_day_walk_across_holidays_and_adjusted_days(self) -> None:
        calendar = WorkCalendar()
        first = D(2025, 12, 20)
        for start_offset in range(0, 40, 3):
            start = first + dt.timedelta(days=start_offset)
            walked = 0
            day = start
            for length in range(0, 330):
                if length:
                    day += dt.timedelta(days=1)
                    walked += calendar.is_workday(day)
                self.assertEqual(workdays_between(start, day, calendar), walked, f"{start} → {day}")
                self.assertEqual(workdays_between(day, start, calendar), -walked)

    def test_a_year_the_calendar_does_not_know_still_refuses_the_count(self) -> None:
        CalendarYear.objects.filter(year=2027).delete()
        with self.assertRaises(UnknownCalendarYear):
            workdays_between(D(2026, 12, 1), D(2027, 1, 10), WorkCalendar())
