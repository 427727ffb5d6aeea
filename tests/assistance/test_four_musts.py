"""Four musts (CP-A3, HF-A2): events open clocks for the paired cadres, a village-wide
disaster opens one per paired household, a visit in person closes them; festivals open
theirs from the calendar, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from assistance.models import EventKind, Festival, HouseholdEvent
from assistance.services import (
    contact_log,
    event_record,
    festival_events_open,
    pairing_hand_over,
    village_event_record,
)
from rules.models import Clock, ClockState, Rule
from tests.helpers import make_household

from .helpers import build_assistance_county, load_assistance_rules, make_pairing, make_visit

D = dt.date


class VillageDisasterTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        self.pairings = [
            make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1)),
            make_pairing(self.c.cadre, self.c.vulnerable, "radiated", D(2025, 1, 1)),
            make_pairing(self.c.deputy, self.c.alleviated, "alleviated", D(2025, 1, 1)),
        ]
        make_pairing(self.c.cadre, self.c.liuxi[0], "radiated", D(2025, 1, 1))  # other village

    def test_a_disaster_for_a_village_opens_one_clock_per_paired_household_due_3_working_days_later(
        self,
    ):
        # Recorded Monday 29 Sep 2025: day 1 is Tue 30 Sep, 1–8 Oct are the National Day
        # holidays, day 2 is Thu 9 Oct, day 3 Fri 10 Oct.
        events, clocks = village_event_record(
            village=self.c.base.taoyuan, kind=EventKind.DISASTER, date=D(2025, 9, 29), note="暴雨"
        )
        self.assertEqual(len(events), 3)  # the unpaired households of 桃园村 get none
        self.assertEqual(len(clocks), 3)
        self.assertEqual({c.due for c in clocks}, {D(2025, 10, 10)})
        self.assertEqual({c.rule.rule_id for c in clocks}, {"CP-A3"})
        by_household = {e.household_id: e for e in events}
        self.assertEqual(
            set(by_household), {self.c.monitored.pk, self.c.vulnerable.pk, self.c.alleviated.pk}
        )
        self.assertTrue(all(e.village_wide for e in events))
        self.assertEqual(
            {(c.person_id, c.unit_id) for c in clocks},
            {
                (self.c.cadre.pk, self.c.base.qingshan.pk),
                (self.c.deputy.pk, self.c.base.qingshan.pk),
            },
        )

    def test_a_visit_recorded_in_the_visits_app_closes_the_clock_and_a_call_does_not(self):
        _events, clocks = village_event_record(
            village=self.c.base.taoyuan, kind=EventKind.DISASTER, date=D(2025, 9, 29)
        )
        with self.captureOnCommitCallbacks(execute=True):
            make_visit(self.c.cadre, self.c.monitored, D(2025, 10, 2), kind="call")
        clock = next(
            c
            for c in clocks
            if c.person_id == self.c.cadre.pk
            and c.object_id == HouseholdEvent.objects.get(household=self.c.monitored).pk
        )
        clock.refresh_from_db()
        self.assertEqual(clock.state, ClockState.OPEN)
        with self.captureOnCommitCallbacks(execute=True):
            make_visit(self.c.cadre, self.c.monitored, D(2025, 10, 9))
        clock.refresh_from_db()
        self.assertEqual(
            (clock.state, clock.done_on, clock.on_time), (ClockState.DONE, D(2025, 10, 9), True)
        )
        # the other households' clocks still run
        self.assertEqual(Clock.objects.filter(state=ClockState.OPEN).count(), 2)

    def test_a_visit_after_the_due_date_closes_the_clock_as_late(self):
        event, clocks = event_record(
            household=self.c.alleviated, kind=EventKind.ILLNESS, date=D(2025, 9, 29)
        )
        contact_log(pairing=self.pairings[2], date=D(2025, 10, 13), kind="household")
        clocks[0].refresh_from_db()
        self.assertEqual((clocks[0].done_on, clocks[0].on_time), (D(2025, 10, 13), False))

    def test_a_visit_already_on_record_closes_the_clock_when_the_event_is_recorded(self):
        make_visit(self.c.deputy, self.c.alleviated, D(2025, 6, 3))
        _event, clocks = event_record(
            household=self.c.alleviated, kind=EventKind.THINKING, date=D(2025, 6, 3)
        )
        clocks[0].refresh_from_db()
        self.assertEqual(clocks[0].state, ClockState.DONE)

    def test_an_event_on_an_unpaired_household_opens_no_clock(self):
        _event, clocks = event_record(
            household=self.c.others[0], kind=EventKind.ILLNESS, date=D(2025, 6, 3)
        )
        self.assertEqual(clocks, [])

    def test_handing_the_household_over_passes_the_open_visit_to_the_new_cadre(self):
        _event, clocks = event_record(
            household=self.c.monitored, kind=EventKind.ILLNESS, date=D(2025, 6, 3)
        )
        pairing_hand_over(pairing=self.pairings[0], to_person=self.c.deputy, on=D(2025, 6, 4))
        clocks[0].refresh_from_db()
        self.assertEqual(clocks[0].state, ClockState.CANCELLED)
        running = Clock.objects.get(state=ClockState.OPEN)
        self.assertEqual(
            (running.person_id, running.due, running.start),
            (self.c.deputy.pk, clocks[0].due, D(2025, 6, 3)),
        )

    def test_without_cp_a3_the_hefei_rule_with_the_default_of_3_working_days_applies(self):
        Rule.objects.filter(rule_id="CP-A3").update(active=False)
        _event, clocks = event_record(
            household=self.c.monitored, kind=EventKind.DISASTER, date=D(2025, 9, 29)
        )
        self.assertEqual((clocks[0].rule.rule_id, clocks[0].due), ("HF-A2", D(2025, 10, 10)))
        _event, clocks = event_record(
            household=self.c.monitored, kind=EventKind.THINKING, date=D(2025, 9, 29)
        )
        self.assertEqual(clocks, [])

    def test_the_deadline_evaluator_reports_the_four_musts_clocks_per_paired_cadre(self):
        """CP-A3 is the linked cadre's duty: the row's subject is the cadre, not the township
        (CP-Y1's evaluation of a cadre reads it)."""
        from rules.compliance import evaluate
        from rules.periods import Period

        village_event_record(
            village=self.c.base.taoyuan, kind=EventKind.DISASTER, date=D(2025, 9, 29)
        )
        make_visit(self.c.cadre, self.c.monitored, D(2025, 10, 9))
        from assistance.services import four_musts_sync

        four_musts_sync(person_ids=[self.c.cadre.pk], household_ids=[self.c.monitored.pk])
        rows = evaluate(
            Period.year(2025), today=D(2026, 1, 5), rules=Rule.objects.filter(rule_id="CP-A3")
        )
        # 周平 is paired with two households of 桃园村, 孙丽 with one; 周平 visited one in time
        self.assertEqual(
            [(r.subject, r.subject_name, r.required, r.actual, r.status) for r in rows],
            [("P-SL", "孙丽", 1, 0, "short"), ("P-ZP", "周平", 2, 1, "short")],
        )
        # the drill-down behind a cadre's row lists that cadre's clocks
        from directory.access import console_reader
        from reports.drilldown import records_for

        rule = Rule.objects.get(rule_id="CP-A3")
        records = records_for(rule, "P-ZP", "2025", today=D(2026, 1, 5), user=console_reader())
        self.assertEqual(sorted(r.late for r in records), [False, True])


class FestivalTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        make_pairing(self.c.cadre, self.c.vulnerable, "radiated", D(2025, 1, 1))
        make_pairing(self.c.cadre, self.c.others[0], "centre", D(2025, 1, 1))

    def test_the_spring_festival_opens_visits_for_hardship_households_once(self):
        # 2026's Spring Festival holiday starts on 15 Feb; visits open 10 days before.
        self.assertEqual(festival_events_open(today=D(2026, 2, 4)), 0)
        self.assertEqual(festival_events_open(today=D(2026, 2, 10)), 2)
        self.assertEqual(festival_events_open(today=D(2026, 2, 11)), 0)
        events = HouseholdEvent.objects.filter(festival="春节")
        self.assertEqual(
            {e.household_id for e in events}, {self.c.monitored.pk, self.c.vulnerable.pk}
        )
        self.assertEqual(Clock.objects.filter(rule__rule_id="CP-A3").count(), 2)
        # Tue 10 Feb + 3 working days = Fri 13 Feb
        self.assertEqual({c.due for c in Clock.objects.all()}, {D(2026, 2, 13)})

    def test_a_festival_an_administrator_lists_opens_visits_for_its_categories(self):
        Festival.objects.create(
            name="重阳节", date=D(2025, 10, 29), categories="vulnerable", lead_days=5
        )
        self.assertEqual(festival_events_open(today=D(2025, 10, 23)), 0)
        out = StringIO()
        call_command("festival_visits", "--date", "2025-10-24", stdout=out)
        call_command("festival_visits", "--date", "2025-10-27", stdout=out)
        self.assertEqual(
            out.getvalue().split(),
            ["festival", "visits", "opened:", "1", "festival", "visits", "opened:", "0"],
        )
        events = HouseholdEvent.objects.filter(festival="重阳节")
        self.assertEqual([e.household_id for e in events], [self.c.vulnerable.pk])
        self.assertEqual(events[0].date, D(2025, 10, 24))

    def test_a_new_household_paired_during_the_window_gets_its_visit_on_the_next_run(self):
        festival_events_open(today=D(2026, 2, 6))
        extra = make_household("钱八", self.c.base.taoyuan, "alleviated", code="H-A8")
        make_pairing(self.c.deputy, extra, "alleviated", D(2026, 2, 7))
        self.assertEqual(festival_events_open(today=D(2026, 2, 9)), 1)
