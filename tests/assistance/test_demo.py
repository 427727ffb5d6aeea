"""The demo's pairings, contact, events, aid and problems: some cadres behind, idempotent,
every deadline inside the years the calendar knows."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.test import TestCase, override_settings

from assistance import demo
from assistance.models import AidEntry, HouseholdEvent, Pairing, PairingKind, Problem
from assistance.selectors import my_households
from directory.demo import build_accounts, build_directory
from directory.models import Person
from rules.compliance import evaluate
from rules.models import CalendarYear, Clock, Rule
from rules.periods import Period

from .helpers import load_assistance_rules


def build_demo() -> None:
    build_directory()
    build_accounts()
    load_assistance_rules()
    demo.build(stdout=StringIO())


@override_settings(FROZEN_TODAY=dt.date(2025, 11, 20))
class AssistanceDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(FROZEN_TODAY=dt.date(2025, 11, 20)):
            build_demo()

    def test_every_kind_of_pairing_and_a_hand_over_exist(self) -> None:
        kinds = set(Pairing.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, set(PairingKind.values))
        self.assertTrue(Pairing.objects.filter(handed_over_from__isnull=False).exists())
        self.assertTrue(HouseholdEvent.objects.filter(village_wide=True).exists())
        self.assertTrue(AidEntry.objects.filter(corrects__isnull=False).exists())
        self.assertTrue(Problem.objects.filter(classification="needs_time").exists())

    def test_the_shiqiao_cadre_is_behind_and_sees_overdue_households(self) -> None:
        person = Person.objects.get(code="QHX-P205")
        rows = my_households(person, dt.date(2025, 11, 20))
        self.assertTrue(any(row.attention for row in rows))

    def test_the_compliance_table_has_cadres_behind_and_cadres_on_track(self) -> None:
        rules = Rule.objects.filter(rule_id__in=("TY-A2a", "CP-A2b", "CP-A4"))
        rows = evaluate(Period.year(2025), today=dt.date(2025, 11, 20), rules=rules)
        statuses = {(row.rule, row.status) for row in rows}
        self.assertLessEqual({("TY-A2a", "met"), ("TY-A2a", "short"), ("CP-A4", "met")}, statuses)

    def test_every_clock_falls_inside_the_known_calendar(self) -> None:
        latest = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
        self.assertLessEqual(max(Clock.objects.values_list("due", flat=True)).year, latest)

    def test_a_second_run_adds_nothing(self) -> None:
        before = (Pairing.objects.count(), HouseholdEvent.objects.count(), AidEntry.objects.count())
        demo.build(stdout=StringIO())
        after = (Pairing.objects.count(), HouseholdEvent.objects.count(), AidEntry.objects.count())
        self.assertEqual(before, after)


class DemoAtTheEndOfTheKnownCalendarTests(TestCase):
    def test_a_reference_date_on_the_last_known_day_keeps_every_clock_inside(self) -> None:
        latest = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
        with override_settings(FROZEN_TODAY=dt.date(latest + 1, 3, 1)):
            build_demo()
        self.assertLessEqual(max(Clock.objects.values_list("due", flat=True)).year, latest)
