"""The problem ledger (HF-S1) and its analyses (CP-S1): classification, the timetable as a
clock, closing, the monthly and quarterly pages grouping open problems by village and kind."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from assistance.models import Analysis, Problem, ProblemState
from assistance.services import analysis_record, problem_close, problem_save
from rules.compliance import evaluate
from rules.models import Clock, ClockState, Rule
from rules.periods import Period
from tests.helpers import PASSWORD

from .helpers import build_assistance_county, load_assistance_rules

D = dt.date


def make_problem(c, **fields) -> Problem:
    values = {
        "village": c.base.taoyuan,
        "found_on": D(2025, 10, 9),
        "description": "村道塌方",
        "category": "infrastructure",
        "classification": "solve_now",
    }
    values.update(fields)
    return problem_save(problem=Problem(**values))


class ProblemServiceTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()

    def test_a_problem_that_needs_time_runs_a_clock_to_its_timetable(self) -> None:
        problem = make_problem(
            self.c, classification="needs_time", responsible=self.c.deputy, due=D(2025, 11, 30)
        )
        clock = Clock.objects.get()
        # 30 Nov 2025 is a Sunday: the due date moves to Monday 1 Dec.
        self.assertEqual(
            (clock.rule.rule_id, clock.person_id, clock.due),
            ("HF-S1", self.c.deputy.pk, D(2025, 12, 1)),
        )
        problem_close(problem=problem, on=D(2025, 11, 28), resolution="已修复")
        clock.refresh_from_db()
        self.assertEqual((clock.state, clock.on_time), (ClockState.DONE, True))
        self.assertEqual(problem.state, ProblemState.SOLVED)

    def test_needing_time_without_a_responsible_person_or_timetable_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_problem(self.c, classification="needs_time")
        self.assertEqual(set(caught.exception.message_dict), {"responsible", "due"})

    def test_one_that_cannot_be_solved_now_needs_the_explanation_and_is_closed_as_explained(
        self,
    ) -> None:
        with self.assertRaises(ValidationError):
            make_problem(self.c, classification="cannot_now")
        problem = make_problem(self.c, classification="cannot_now", explanation="需纳入明年规划")
        self.assertEqual(
            (problem.state, problem.closed_on), (ProblemState.EXPLAINED, D(2025, 10, 9))
        )

    def test_reclassifying_cancels_the_timetable_clock(self) -> None:
        problem = make_problem(
            self.c, classification="needs_time", responsible=self.c.deputy, due=D(2025, 11, 28)
        )
        problem.classification = "collective"
        problem_save(problem=problem)
        self.assertEqual(Clock.objects.get().state, ClockState.CANCELLED)

    def test_the_townships_monthly_analysis_is_cp_s1(self) -> None:
        make_problem(self.c)
        analysis = analysis_record(
            unit=self.c.base.qingshan,
            level="township_month",
            held_on=D(2025, 10, 28),
            summary="研判",
        )
        self.assertEqual((analysis.period, analysis.open_problems), ("2025-10", 1))
        rows = evaluate(
            Period.year(2025), today=D(2026, 1, 5), rules=Rule.objects.filter(rule_id="CP-S1")
        )
        qingshan = {r.period: r for r in rows if r.subject == "QH-QS"}
        self.assertEqual(len(qingshan), 12)
        self.assertEqual((qingshan["2025-10"].actual, qingshan["2025-10"].status), (1, "met"))
        self.assertEqual(qingshan["2025-09"].status, "short")
        self.assertIn("QH-CG", {r.subject for r in rows})
        with self.assertRaises(ValidationError):
            analysis_record(
                unit=self.c.base.qingshan,
                level="township_month",
                held_on=D(2025, 10, 30),
                summary="x",
            )


@override_settings(FROZEN_TODAY=D(2025, 11, 20))
class ProblemPagesTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        make_problem(self.c)
        make_problem(self.c, category="health", description="看病难")
        make_problem(self.c, village=self.c.base.liuxi, category="health", description="缺村医")
        make_problem(self.c, village=self.c.base.dongjie, description="路灯坏")  # 城关镇
        self.solved = make_problem(self.c, description="已解决")
        problem_close(problem=self.solved, on=D(2025, 10, 10), resolution="修好")

    def login(self, user) -> None:
        self.client.login(username=user.username, password=PASSWORD)

    def test_permission_triple_of_a_problem(self) -> None:
        url = reverse("assistance-problem", args=[self.solved.pk])
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")
        self.login(self.c.base.chengguan_staff)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.c.base.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_list_shows_open_problems_in_scope_at_a_fixed_cost(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-problems")
        self.client.get(url)
        # session + user (2), the user's unit for the scope (1), one page of problems with
        # village, household and responsible person joined (1)
        with self.assertNumQueries(4):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].rows), 3)

    def test_the_monthly_analysis_groups_open_problems_by_village_and_kind(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = (
            reverse("assistance-analysis-month")
            + f"?township={self.c.base.qingshan.pk}&month=2025-10"
        )
        response = self.client.get(url)
        groups = {g.village.name: g.counts for g in response.context["groups"]}
        self.assertEqual(
            groups, {"桃园村": {"infrastructure": 1, "health": 1}, "柳溪村": {"health": 1}}
        )
        self.assertEqual(response.context["total"], 3)
        response = self.client.post(url, {"held_on": "2025-10-30", "summary": "逐村研判"})
        self.assertRedirects(response, url)
        self.assertEqual(Analysis.objects.get().period, "2025-10")

    def test_another_townships_analysis_is_404(self) -> None:
        self.login(self.c.base.chengguan_staff)
        url = reverse("assistance-analysis-month") + f"?township={self.c.base.qingshan.pk}"
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_quarterly_analysis_is_the_offices_and_covers_the_jurisdiction(self) -> None:
        url = reverse("assistance-analysis-quarter") + "?quarter=2025-Q4"
        self.login(self.c.base.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.c.base.supervisor)
        response = self.client.get(url)
        self.assertEqual(response.context["total"], 4)
        self.assertEqual(response.context["totals"], {"infrastructure": 2, "health": 2})

    def test_recording_a_problem_from_the_page_with_a_timetable(self) -> None:
        self.login(self.c.base.qingshan_staff)
        data = {
            "village": self.c.base.taoyuan.pk,
            "household": "H-M1",
            "found_on": "2025-11-20",
            "description": "房屋漏雨",
            "category": "housing",
            "classification": "needs_time",
            "supervision": "time_limited",
            "responsible": "P-SL",
            "due": "2025-12-20",
        }
        response = self.client.post(reverse("assistance-problem-new"), data)
        problem = Problem.objects.get(description="房屋漏雨")
        self.assertRedirects(response, reverse("assistance-problem", args=[problem.pk]))
        self.assertEqual(Clock.objects.for_item(problem).get().due, D(2025, 12, 22))

    def test_the_responsible_person_marks_it_solved(self) -> None:
        problem = make_problem(
            self.c, classification="needs_time", responsible=self.c.deputy, due=D(2025, 12, 20)
        )
        self.login(self.c.deputy_account)
        url = reverse("assistance-problem-close", args=[problem.pk])
        response = self.client.post(url, {"closed_on": "2025-11-19", "resolution": "已修"})
        self.assertRedirects(response, reverse("assistance-problem", args=[problem.pk]))
        problem.refresh_from_db()
        self.assertEqual(problem.state, "solved")
