"""Contact coverage (TY-A1, TY-A2a/b, CP-A2a/b), the 1+1+n structure (CP-A1) and the pairing
quotas (HF-A1a–c), with hand-computed expectations."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase

from assistance.models import UnitPairing
from assistance.services import pairing_hand_over, unit_pairing_save
from rules.compliance import evaluate
from rules.models import Rule
from rules.periods import Period

from .helpers import build_assistance_county, load_assistance_rules, make_pairing, make_visit

D = dt.date
YEAR = Period.year(2025)
AFTER_2025 = D(2026, 1, 15)


def rows_of(rule_id: str, subject: str | None = None, today: dt.date = AFTER_2025) -> dict:
    rows = evaluate(YEAR, today=today, rules=Rule.objects.filter(rule_id=rule_id))
    return {row.period: row for row in rows if subject is None or row.subject == subject}


class ContactCoverageTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()

    def test_a_monitored_household_visited_every_month_but_june_gives_one_short_month(self):
        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2024, 6, 1))
        for month in range(1, 13):
            if month != 6:
                make_visit(self.c.cadre, self.c.monitored, D(2025, month, 10))
        rows = rows_of("TY-A2a", "P-ZP")
        self.assertEqual(len(rows), 12)
        short = [code for code, row in rows.items() if row.status == "short"]
        self.assertEqual(short, ["2025-06"])
        self.assertEqual((rows["2025-06"].required, rows["2025-06"].actual), (1, 0))
        self.assertEqual((rows["2025-05"].required, rows["2025-05"].actual), (1, 1))
        self.assertIn("钱一", rows["2025-06"].note)

    def test_a_pairing_that_starts_on_1_july_owes_nothing_before_july(self):
        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 7, 1))
        make_pairing(self.c.cadre, self.c.alleviated, "alleviated", D(2025, 7, 1))
        monthly = rows_of("TY-A2a", "P-ZP")
        self.assertEqual(sorted(monthly), [f"2025-{m:02d}" for m in range(7, 13)])
        self.assertTrue(all(row.status == "short" for row in monthly.values()))
        quarterly = rows_of("TY-A2b", "P-ZP")
        self.assertEqual(sorted(quarterly), ["2025-Q3", "2025-Q4"])

    def test_a_visit_before_the_pairing_starts_does_not_count_for_its_first_period(self):
        make_pairing(self.c.cadre, self.c.alleviated, "alleviated", D(2025, 8, 15))
        make_visit(self.c.cadre, self.c.alleviated, D(2025, 8, 1))
        self.assertEqual(rows_of("TY-A2b", "P-ZP")["2025-Q3"].actual, 0)
        make_visit(self.c.cadre, self.c.alleviated, D(2025, 9, 1))
        self.assertEqual(rows_of("TY-A2b", "P-ZP")["2025-Q3"].actual, 1)

    def test_a_call_counts_for_the_centre_household_but_not_for_a_radiated_one(self):
        make_pairing(self.c.cadre, self.c.others[0], "centre", D(2025, 1, 1))
        make_pairing(self.c.cadre, self.c.vulnerable, "radiated", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.others[0], D(2025, 2, 3), kind="call")
        make_visit(self.c.cadre, self.c.vulnerable, D(2025, 2, 3), kind="call")
        make_visit(self.c.cadre, self.c.vulnerable, D(2025, 5, 6))
        centre = rows_of("CP-A2a", "P-ZP")
        self.assertEqual((centre["2025-02"].actual, centre["2025-02"].status), (1, "met"))
        self.assertEqual(centre["2025-03"].status, "short")
        radiated = rows_of("CP-A2b", "P-ZP")
        self.assertEqual((radiated["2025-Q1"].actual, radiated["2025-Q1"].status), (0, "short"))
        self.assertEqual((radiated["2025-Q2"].actual, radiated["2025-Q2"].status), (1, "met"))

    def test_urban_hardship_persons_are_owed_a_visit_each_quarter_by_the_county_leader(self):
        leader = self.c.base.county_leader
        hardship = self.c.base.household_dongjie
        hardship.categories = "monitored;urban_hardship"
        hardship.save()
        make_pairing(leader, hardship, "urban_hardship", D(2025, 1, 1))
        make_visit(leader, hardship, D(2025, 4, 2))
        rows = rows_of("TY-A1", "P-WJG")
        self.assertEqual(
            [rows[q].actual for q in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")], [0, 1, 0, 0]
        )

    def test_a_household_handed_over_mid_month_is_owed_that_month_by_the_new_cadre_only(self):
        pairing = make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        pairing_hand_over(pairing=pairing, to_person=self.c.deputy, on=D(2025, 8, 10))
        make_visit(self.c.deputy, self.c.monitored, D(2025, 8, 20))
        old = rows_of("TY-A2a", "P-ZP")
        new = rows_of("TY-A2a", "P-SL")
        self.assertEqual(sorted(old), [f"2025-{m:02d}" for m in range(1, 8)])
        self.assertEqual(sorted(new), [f"2025-{m:02d}" for m in range(8, 13)])
        self.assertEqual(new["2025-08"].status, "met")

    def test_a_month_still_running_is_open_not_short(self):
        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        rows = rows_of("TY-A2a", "P-ZP", today=D(2025, 11, 20))
        self.assertEqual(rows["2025-11"].status, "open")
        self.assertEqual(rows["2025-10"].status, "short")

    def test_the_whole_table_costs_a_fixed_number_of_queries_whatever_the_households(self):
        for household in (self.c.monitored, *self.c.others):
            household.categories = "monitored"
            household.save()
            make_pairing(self.c.cadre, household, "monitored", D(2025, 1, 1))
        rules = Rule.objects.filter(rule_id="TY-A2a")
        rule_list = list(rules)
        # pairings (1) + contacts from visits.facts (1)
        with self.assertNumQueries(2):
            rows = evaluate(YEAR, today=AFTER_2025, rules=rule_list)
        self.assertEqual(rows[0].required, 4)


class GridStructureTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()

    def _radiate(self, households) -> None:
        for household in households:
            make_pairing(self.c.cadre, household, "radiated", D(2025, 1, 1))

    def test_a_centre_and_five_radiated_households_with_the_mix_meet_1_plus_1_plus_n(self):
        make_pairing(self.c.cadre, self.c.monitored, "centre", D(2025, 1, 1))
        self._radiate([self.c.vulnerable, self.c.petitioner, *self.c.others])
        row = rows_of("CP-A1", "P-ZP")["2025"]
        self.assertEqual((row.required, row.actual, row.status), (6, 6, "met"))

    def test_five_radiated_households_without_a_petitioner_household_fall_one_short(self):
        make_pairing(self.c.cadre, self.c.monitored, "centre", D(2025, 1, 1))
        self._radiate([self.c.vulnerable, *self.c.others, self.c.alleviated])
        row = rows_of("CP-A1", "P-ZP")["2025"]
        self.assertEqual((row.required, row.actual, row.status), (6, 5, "short"))
        self.assertIn("petitioner", row.note)

    def test_a_township_cadre_without_any_pairing_is_measured_and_short(self):
        row = rows_of("CP-A1", "P-SL")["2025"]
        self.assertEqual((row.required, row.actual), (6, 0))


class PairingQuotaTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()

    def test_leaders_pair_with_a_village_and_a_hardship_person(self):
        leader = self.c.base.county_leader
        unit_pairing_save(
            pairing=UnitPairing(person=leader, unit=self.c.base.taoyuan, start=D(2025, 3, 1))
        )
        a = rows_of("HF-A1a")
        b = rows_of("HF-A1b", "P-WJG")
        self.assertEqual(
            (rows_of("HF-A1a", "P-WJG")["2025"].actual, rows_of("HF-A1a", "P-LM")["2025"].actual),
            (1, 0),
        )
        self.assertTrue(a)
        self.assertEqual(b["2025"].actual, 0)
        make_pairing(leader, self.c.monitored, "monitored", D(2025, 2, 1))
        self.assertEqual(rows_of("HF-A1b", "P-WJG")["2025"].status, "met")

    def test_a_body_pairs_with_a_grassroots_unit(self):
        from tests.helpers import make_person

        make_person("田局长", self.c.base.education, "unit_head", "section_chief", code="P-TJZ")
        self.assertEqual(rows_of("HF-A1c", "QH-JYJ")["2025"].actual, 0)
        unit_pairing_save(
            pairing=UnitPairing(
                body=self.c.base.education, unit=self.c.base.liuxi, start=D(2024, 1, 1)
            )
        )
        row = rows_of("HF-A1c", "QH-JYJ")["2025"]
        self.assertEqual((row.required, row.actual, row.status), (1, 1, "met"))


class RecordsAndRhythmTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()

    def test_the_drill_down_lists_each_owed_household_with_its_first_contact(self) -> None:
        from assistance.evaluators import ContactCoverageEvaluator

        make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        make_pairing(self.c.cadre, self.c.others[0], "centre", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.others[0], D(2025, 6, 12), kind="call")
        rule = Rule.objects.get(rule_id="CP-A2a")
        links = ContactCoverageEvaluator().records(
            rule, "P-ZP", "2025-06", user=self.c.base.supervisor
        )
        self.assertEqual([(link.date, link.late) for link in links], [(D(2025, 6, 12), False)])
        links = ContactCoverageEvaluator().records(
            Rule.objects.get(rule_id="TY-A2a"), "P-ZP", "2025-06", user=self.c.base.supervisor
        )
        self.assertEqual([(link.date, link.late) for link in links], [(None, True)])

    def test_the_rhythm_of_my_households_follows_the_rule_rows(self) -> None:
        from assistance.rhythm import next_due, rhythms

        pairing = make_pairing(self.c.cadre, self.c.others[0], "centre", D(2025, 1, 1))
        by_kind = rhythms()
        self.assertEqual((by_kind["centre"].period, by_kind["centre"].calls_count), ("month", True))
        self.assertEqual(by_kind["radiated"].calls_count, False)
        self.assertEqual(next_due(pairing, D(2025, 5, 20), by_kind["centre"]), D(2025, 6, 30))
        self.assertEqual(next_due(pairing, None, by_kind["centre"]), D(2025, 1, 31))
        rule = Rule.objects.get(rule_id="CP-A2a")
        rule.period = "quarter"
        rule.save()
        self.assertEqual(next_due(pairing, D(2025, 5, 20), rhythms()["centre"]), D(2025, 9, 30))

    def test_the_festival_job_is_on_the_queues_schedule(self) -> None:
        from rules.management.commands.setup_schedules import registered_jobs

        jobs = {job.name: job.func for job in registered_jobs()}
        self.assertEqual(jobs["festival-visits"], "assistance.tasks.open_festival_visits")
