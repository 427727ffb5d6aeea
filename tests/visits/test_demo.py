from __future__ import annotations

import io

from django.test import TestCase, override_settings

from directory.demo import build_accounts, build_directory
from rules.compliance import MET
from rules.packs import available_packs, load_packs
from rules.periods import Period
from tests.visits.helpers import D
from visits import demo
from visits.evaluators import VisitRulesEvaluator
from visits.models import Meeting, Visit
from visits.quotas import quotas_for_person

TODAY = D(2026, 11, 20)


@override_settings(FROZEN_TODAY=TODAY)
class VisitDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_directory()
        build_accounts()
        load_packs(available_packs())
        demo.build(stdout=io.StringIO())

    def rows(self, rule_id: str) -> dict[str, object]:
        from rules.models import Rule

        rule = Rule.objects.get(rule_id=rule_id)
        rows = VisitRulesEvaluator().evaluate([rule], Period.year(2026), today=TODAY)
        return {row.subject: row for row in rows}

    def test_a_second_run_adds_nothing(self) -> None:
        before = (Visit.all_objects.count(), Visit.history.count(), Meeting.objects.count())
        out = io.StringIO()
        self.assertEqual(demo.build(stdout=out), [])
        self.assertEqual(
            (Visit.all_objects.count(), Visit.history.count(), Meeting.objects.count()), before
        )
        self.assertIn("already present", out.getvalue())

    def test_a_year_of_visits_ends_on_the_reference_date(self) -> None:
        dates = Visit.objects.order_by("date").values_list("date", flat=True)
        self.assertGreaterEqual(dates.first(), D(2025, 11, 21))
        self.assertLessEqual(dates.last(), TODAY)
        self.assertGreater(Visit.objects.count(), 300)

    def test_some_leaders_are_behind_and_others_not(self) -> None:
        ty_v2 = self.rows("TY-V2")
        self.assertEqual(ty_v2["QHX-P001"].status, MET)
        self.assertNotEqual(ty_v2["QHX-P004"].status, MET)  # 柳湾村 lacks an "other" household
        self.assertIn("柳湾村", ty_v2["QHX-P004"].note)
        stays = self.rows("HF-V2a")
        self.assertLess(stays["QHX-P101"].actual, stays["QHX-P101"].required)
        # six people along, but the stay limits are the city leaders' (001 §2): the demo is a
        # county, so nobody has a row
        self.assertEqual(self.rows("HF-V3"), {})

    def test_lingdao_sees_gaps_and_suggestions(self) -> None:
        from directory.models import Person

        person = Person.objects.get(code="QHX-P004")
        quotas = quotas_for_person(person, 2026, TODAY)
        self.assertTrue(quotas.suggestions)
        self.assertTrue(any("TY-V2" in " ".join(s.reasons) for s in quotas.suggestions))

    def test_one_meeting_is_booked_in_a_no_meeting_week(self) -> None:
        from visits.views_quotas import _in_no_meeting_week

        booked = [m for m in Meeting.objects.all() if _in_no_meeting_week(m.date)]
        self.assertEqual(len(booked), 1)
        # the weeks are the city's (HF-V6): the demo county has no row for them
        self.assertEqual(self.rows("HF-V6"), {})
