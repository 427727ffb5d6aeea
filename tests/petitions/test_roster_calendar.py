"""The roster as a month calendar: who sits when, substitutions and appointments on their day,
the list as the other layout, the month always shown in the filter, the access of the roster
and a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from petitions.models import Reception
from petitions.roster.calendar import month_weeks
from petitions.roster.forms import month_choices
from rules.periods import Period
from tests.helpers import build_county, make_person

D = dt.date
OCTOBER = {"month": "2025-10"}


class RosterCalendarTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.deputy_head = make_person(
            "陈副县长", cls.c.county, "county_leader", "county_level", code="P-CFX"
        )
        bureau = cls.c.petition_bureau
        cls.sitting = Reception.objects.create(
            date=D(2025, 10, 9), part="am", kind="bureau_sitting", unit=bureau,
            person=cls.c.county_leader,
        )  # fmt: skip
        cls.substituted = Reception.objects.create(
            date=D(2025, 10, 10), part="pm", kind="bureau_sitting", unit=bureau,
            person=cls.deputy_head, substitute_for=cls.c.county_leader,
            substitution_reason="上级会议",
        )  # fmt: skip
        cls.appointment = Reception.objects.create(
            date=D(2025, 10, 10), part="am", kind="appointment", unit=bureau,
            person=cls.c.county_leader,
        )  # fmt: skip
        cls.empty = Reception.objects.create(
            date=D(2025, 10, 13), part="am", kind="bureau_sitting", unit=bureau
        )
        cls.township_duty = Reception.objects.create(
            date=D(2025, 10, 14), part="am", kind="township_duty", unit=cls.c.chengguan,
            person=cls.c.chengguan_head,
        )  # fmt: skip

    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("roster-month"), {**OCTOBER, **params})

    def test_the_month_is_laid_out_in_weeks_from_monday(self) -> None:
        weeks = month_weeks(Period.month(2025, 10), Reception.objects.all(), D(2025, 10, 10))
        self.assertEqual(len(weeks), 5)  # 29 Sep … 2 Nov
        self.assertTrue(all(len(week) == 7 for week in weeks))
        self.assertEqual(weeks[0][0].date, D(2025, 9, 29))
        self.assertFalse(weeks[0][0].in_month)
        friday = weeks[1][4]
        self.assertEqual(friday.date, D(2025, 10, 10))
        self.assertTrue(friday.is_today)
        # the morning's appointment before the afternoon's sitting
        self.assertEqual(
            [r.pk for r in friday.receptions], [self.appointment.pk, self.substituted.pk]
        )

    def test_the_calendar_shows_who_sits_when_for_whom_and_the_appointments(self) -> None:
        response = self.get(self.c.petition_clerk)
        self.assertContains(response, '<table class="roster-calendar">')
        html = response.content.decode()
        self.assertIn("10月9日", html)
        self.assertIn("王建国", html)
        self.assertIn("陈副县长", html)
        self.assertIn("（代王建国）", html)  # the substitution
        self.assertIn('<li class="duty kind-appointment">', html)  # marked on its day
        self.assertIn('<li class="duty kind-bureau_sitting empty">', html)
        self.assertIn(reverse("reception-detail", args=[self.empty.pk]), html)
        # Sunday 2 November belongs to the last week but is no day of this month
        self.assertNotIn("11月2日", html)

    def test_the_list_is_the_other_layout(self) -> None:
        response = self.get(self.c.petition_clerk, view="list")
        self.assertNotContains(response, 'class="roster-calendar"')
        self.assertContains(response, '<table class="dense">')
        self.assertContains(response, 'view=list" aria-current="page"')
        self.assertContains(response, "陈副县长")

    def test_the_month_filter_shows_the_month_on_screen(self) -> None:
        response = self.get(self.c.petition_clerk)
        self.assertContains(response, '<option value="2025-10" selected>2025年10月</option>')
        self.assertContains(response, "2025年9月")  # the month before, a link
        # a filter sent without a month shows this month, not an empty box
        response = self.get(self.c.petition_clerk, month="", kind="bureau_sitting")
        self.assertEqual(response.context["form"]["month"].value(), response.context["month"])
        # "2025-1" is January
        self.assertEqual(
            self.get(self.c.petition_clerk, month="2025-1").context["month"], "2025-01"
        )

    def test_the_month_choices_name_the_months_around_the_one_shown(self) -> None:
        choices = dict(month_choices(Period.month(2026, 12)))
        self.assertEqual(choices["2026-12"], "2026年12月")
        self.assertIn("2025-12", choices)
        self.assertIn("2027-12", choices)
        self.assertEqual(len(choices), 25)

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        response = self.client.get(reverse("roster-month"), OCTOBER)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_staff_of_another_township_do_not_see_its_duties(self) -> None:
        """The month page lists what the account may see (the roster's scope); another
        township's duty stays out of its calendar, and its page answers 404."""
        response = self.get(self.c.qingshan_staff)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "赵芳")
        self.assertEqual(
            self.client.get(reverse("reception-detail", args=[self.township_duty.pk])).status_code,
            404,
        )
        response = self.get(self.c.chengguan_staff)
        self.assertContains(response, "赵芳")

    def test_the_calendar_takes_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        # session, user, the account's unit (scope), the month's duties joined with unit,
        # person, rule, subject and substitute, and the unit choices of the filter form
        with self.assertNumQueries(5):
            self.client.get(reverse("roster-month"), OCTOBER)
        for day in range(15, 31):
            Reception.objects.create(
                date=D(2025, 10, day), part="pm", kind="bureau_sitting",
                unit=self.c.petition_bureau, person=self.deputy_head,
                substitute_for=self.c.county_leader,
            )  # fmt: skip
        with self.assertNumQueries(5):
            response = self.client.get(reverse("roster-month"), OCTOBER)
        self.assertContains(response, "陈副县长", count=17)
