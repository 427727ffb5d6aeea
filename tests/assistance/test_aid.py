"""Aid (CP-A4): exact decimal sums per year against the minimum of the cadre's rank;
corrections are new entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import TestCase

from assistance.models import AidEntry
from assistance.selectors import aid_progress
from assistance.services import aid_correct, aid_record
from rules.compliance import evaluate
from rules.models import Rule
from rules.periods import Period

from .helpers import build_assistance_county, load_assistance_rules, make_pairing

D = dt.date


def cp_a4(subject: str, year: int = 2025) -> object:
    rows = evaluate(
        Period.year(year), today=D(year + 1, 1, 15), rules=Rule.objects.filter(rule_id="CP-A4")
    )
    return next(row for row in rows if row.subject == subject)


class AidTests(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        # 孙丽 is a deputy section chief: ¥400 a year; 周平 is staff: ¥200.
        make_pairing(self.c.deputy, self.c.monitored, "monitored", D(2024, 1, 1))
        make_pairing(self.c.cadre, self.c.alleviated, "alleviated", D(2024, 1, 1))

    def give(self, person, household, day, amount, kind="money"):
        return aid_record(
            person=person, household=household, date=day, amount=Decimal(amount), kind=kind
        )

    def test_aid_sums_by_year_against_the_minimum_of_the_cadres_rank(self):
        self.give(self.c.deputy, self.c.monitored, D(2024, 12, 31), "500.00")  # other year
        self.give(self.c.deputy, self.c.monitored, D(2025, 1, 20), "150.10")
        self.give(self.c.deputy, self.c.monitored, D(2025, 9, 30), "249.80")
        self.give(self.c.deputy, self.c.monitored, D(2025, 10, 1), "300.00", kind="goods")
        row = cp_a4("P-SL")
        # 150.10 + 249.80 = 399.90 < 400 (goods do not count toward the money minimum)
        self.assertEqual(
            (row.required, row.actual, row.status), (Decimal(400), Decimal("399.90"), "short")
        )
        self.give(self.c.deputy, self.c.monitored, D(2025, 12, 31), "0.10")
        row = cp_a4("P-SL")
        self.assertEqual((row.actual, row.status), (Decimal("400.00"), "met"))
        self.assertEqual(cp_a4("P-SL", 2024).actual, Decimal("500.00"))

    def test_staff_owe_200_and_the_progress_shows_on_the_cadres_page_data(self):
        self.give(self.c.cadre, self.c.alleviated, D(2025, 3, 1), "120.00")
        row = cp_a4("P-ZP")
        self.assertEqual((row.required, row.actual), (Decimal(200), Decimal("120.00")))
        progress = aid_progress(self.c.cadre, 2025)
        self.assertEqual(
            (progress.required, progress.given, progress.percent),
            (Decimal(200), Decimal("120.00"), 60),
        )

    def test_a_correction_is_a_new_offsetting_entry_and_the_original_stays(self):
        entry = self.give(self.c.cadre, self.c.alleviated, D(2025, 3, 1), "250.00")
        correction = aid_correct(entry=entry, amount=Decimal("205.00"), reason="多录了45元")
        entry.refresh_from_db()
        self.assertEqual(entry.amount, Decimal("250.00"))
        self.assertEqual((correction.amount, correction.corrects_id), (Decimal("-45.00"), entry.pk))
        self.assertEqual(cp_a4("P-ZP").actual, Decimal("205.00"))
        with self.assertRaises(ValidationError):
            aid_correct(entry=entry, amount=Decimal("205.00"), reason="again")
        aid_correct(entry=entry, amount=Decimal("0"), reason="withdrawn")
        self.assertEqual(cp_a4("P-ZP").actual, Decimal("0.00"))
        self.assertEqual(AidEntry.objects.filter(person=self.c.cadre).count(), 3)

    def test_aid_to_a_household_not_paired_with_the_cadre_that_day_is_refused(self):
        with self.assertRaises(ValidationError):
            self.give(self.c.cadre, self.c.monitored, D(2025, 3, 1), "50.00")
        with self.assertRaises(ValidationError):
            self.give(self.c.cadre, self.c.alleviated, D(2023, 12, 31), "50.00")

    def test_a_negative_amount_is_only_a_correction(self):
        with self.assertRaises(ValidationError):
            self.give(self.c.cadre, self.c.alleviated, D(2025, 3, 1), "-5.00")
