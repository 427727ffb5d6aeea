"""`manage.py workdays` and `manage.py seed_calendar`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import translation

from rules.models import CalendarDay, CalendarSource, CalendarYear
from rules.services_calendar import calendar_year_replace
from tests.helpers import make_unit, make_user


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


class WorkdaysCommandTests(TestCase):
    def test_one_working_day_after_30_september_2026(self) -> None:
        self.assertEqual(run("workdays", "2026-09-30", "1"), "2026-10-08\n")

    def test_three_working_days_end_on_the_adjusted_saturday(self) -> None:
        self.assertEqual(run("workdays", "2026-09-30", "3"), "2026-10-10\n")

    def test_explain_prints_the_skipped_days_and_why(self) -> None:
        lines = run("workdays", "2026-09-30", "3", "--explain").splitlines()
        self.assertEqual(lines[0], "2026-10-10")
        self.assertIn("Skipped Oct. 1, 2026 – Oct. 7, 2026: 国庆节 holiday.", lines)
        self.assertIn("Counted Oct. 10, 2026: adjusted working day for 国庆节.", lines)

    def test_an_unknown_year_fails_naming_the_year(self) -> None:
        with self.assertRaisesMessage(CommandError, "2027"):
            run("workdays", "2026-12-30", "3")

    def test_an_unknown_year_fails_pointing_to_provisional(self) -> None:
        with self.assertRaisesMessage(CommandError, "--provisional"):
            run("workdays", "2026-12-30", "3")

    def test_provisional_prints_the_date_and_says_so_on_stderr(self) -> None:
        # Thu 31 Dec, then Fri 1 Jan 2027 is New Year's Day (statutory), Sat and Sun: the
        # third working day after Wed 30 Dec 2026 is Tue 5 Jan 2027.
        out, err = StringIO(), StringIO()
        with translation.override("en"):
            call_command("workdays", "2026-12-30", "3", "--provisional", stdout=out, stderr=err)
        self.assertEqual(out.getvalue(), "2027-01-05\n")
        self.assertIn("Provisional date", err.getvalue())
        self.assertIn("2027", err.getvalue())
        self.assertIn("the next working day", err.getvalue())  # the simplification, stated
        self.assertIn("Jan. 1, 2027 (元旦)", err.getvalue())

    def test_provisional_changes_nothing_for_a_known_year(self) -> None:
        out, err = StringIO(), StringIO()
        call_command("workdays", "2026-09-30", "1", "--provisional", stdout=out, stderr=err)
        self.assertEqual((out.getvalue(), err.getvalue()), ("2026-10-08\n", ""))

    def test_not_a_date_fails_clearly(self) -> None:
        with self.assertRaisesMessage(CommandError, "Not a date: 2026-13-01"):
            run("workdays", "2026-13-01", "3")

    def test_a_negative_count_fails_clearly(self) -> None:
        with self.assertRaisesMessage(CommandError, "must not be negative"):
            run("workdays", "2026-09-30", "-3")

    def test_a_count_that_is_not_a_number_fails_clearly(self) -> None:
        with self.assertRaisesMessage(CommandError, "Not a whole number"):
            run("workdays", "2026-09-30", "three")


class SeedCalendarCommandTests(TestCase):
    def test_seeding_again_adds_nothing(self) -> None:
        self.assertIn("No years added", run("seed_calendar"))

    def test_seeding_restores_a_missing_package_year(self) -> None:
        CalendarDay.objects.filter(year=2025).delete()
        CalendarYear.objects.filter(year=2025).delete()
        self.assertIn("Years added: 2025", run("seed_calendar"))
        self.assertTrue(CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).exists())

    def test_seeding_never_overwrites_a_year_an_administrator_entered(self) -> None:
        admin = make_user("seed-admin", make_unit("测试县", "county"), "admin")
        calendar_year_replace(
            year=2025,
            holidays={dt.date(2025, 1, 1): "元旦"},
            workdays={},
            acting_user=admin,
            note="",
        )
        run("seed_calendar")
        self.assertEqual(CalendarYear.objects.get(year=2025).source, CalendarSource.ADMIN)
        self.assertEqual(CalendarDay.objects.filter(year=2025).count(), 1)
