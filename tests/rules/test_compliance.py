from __future__ import annotations

import datetime as dt
import io
import json

from django.core.management import call_command
from django.test import TestCase

from rules.clocks import clock_complete, clock_start
from rules.compliance import OPEN, SHORT, evaluate, status_for
from rules.periods import Period, subperiods
from tests.helpers import build_county, make_rule

D = dt.date


class PeriodTests(TestCase):
    def test_period_codes_parse_back(self) -> None:
        for code in ("2025", "2025-H2", "2025-Q3", "2025-07", "2025-W27", "2025-07-02"):
            self.assertEqual(Period.parse(code).code, code)
        self.assertEqual(Period.parse("2024-02").end, D(2024, 2, 29))

    def test_a_year_has_twelve_months_and_four_quarters(self) -> None:
        self.assertEqual(len(list(subperiods(2025, "month"))), 12)
        self.assertEqual(
            [p.code for p in subperiods(2025, "quarter")],
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"],
        )

    def test_status_is_open_while_the_period_runs_and_short_after(self) -> None:
        period = Period.year(2025)
        self.assertEqual(status_for(3, 2, period, D(2025, 6, 1)), OPEN)
        self.assertEqual(status_for(3, 2, period, D(2026, 1, 1)), SHORT)
        self.assertEqual(status_for(3, 3, period, D(2025, 6, 1)), "met")
        self.assertEqual(status_for(3, 0, period, D(2026, 1, 1), excused=True), "excused")


class DeadlineEvaluatorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule(
            "TY-O2",
            params={
                "start_event": "received",
                "end_event": "replied",
                "amount": 5,
                "unit": "workdays",
            },
        )
        item = cls.c.household_taoyuan
        on_time = clock_start(
            rule=cls.rule, item=item, step="reply", start=D(2025, 3, 3), unit=cls.c.qingshan
        )
        clock_complete(clock=on_time, done_on=D(2025, 3, 5))
        late = clock_start(
            rule=cls.rule, item=item, step="reply", start=D(2025, 3, 3), unit=cls.c.qingshan
        )
        clock_complete(clock=late, done_on=D(2025, 3, 20))
        # Never done: counts as late once its due date has passed.
        clock_start(
            rule=cls.rule, item=item, step="reply", start=D(2025, 4, 1), unit=cls.c.qingshan
        )
        done = clock_start(
            rule=cls.rule, item=item, step="reply", start=D(2025, 4, 1), unit=cls.c.education
        )
        clock_complete(clock=done, done_on=D(2025, 4, 2))

    def test_rows_per_unit_count_on_time_of_all_due(self) -> None:
        rows = evaluate(Period.year(2025), today=D(2026, 1, 10))
        by_unit = {row.subject: row for row in rows}
        self.assertEqual(
            (by_unit["QH-QS"].required, by_unit["QH-QS"].actual, by_unit["QH-QS"].status),
            (3, 1, SHORT),
        )
        self.assertEqual(
            (by_unit["QH-JYJ"].required, by_unit["QH-JYJ"].actual, by_unit["QH-JYJ"].status),
            (1, 1, "met"),
        )
        self.assertEqual(by_unit["QH-QS"].subject_name, "青山乡")

    def test_evaluation_is_one_query_for_all_deadline_rules(self) -> None:
        make_rule(
            "TY-P1",
            params={
                "start_event": "assigned",
                "end_event": "contacted",
                "amount": 7,
                "unit": "days",
            },
        )
        with self.assertNumQueries(2):  # the active rules, one grouped query over clocks
            evaluate(Period.year(2025), today=D(2026, 1, 10))

    def test_inactive_rules_are_left_out(self) -> None:
        self.rule.active = False
        self.rule.save()
        self.assertEqual(evaluate(Period.year(2025), today=D(2026, 1, 10)), [])

    def test_compliance_command_prints_csv_with_the_design_columns(self) -> None:
        out = io.StringIO()
        call_command("compliance", "--year", "2025", "--today", "2026-01-10", stdout=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "rule,subject,subject_name,period,required,actual,status")
        self.assertIn("TY-O2,QH-QS,青山乡,2025,3,1,short", lines)

    def test_compliance_command_prints_json(self) -> None:
        out = io.StringIO()
        call_command(
            "compliance", "--year", "2025", "--format", "json", "--today", "2026-01-10", stdout=out
        )
        data = json.loads(out.getvalue())
        self.assertEqual(data[0]["rule"], "TY-O2")
        self.assertEqual(
            set(data[0]),
            {"rule", "subject", "subject_name", "period", "required", "actual", "status"},
        )
