"""The deadline scan in a year the working-day calendar does not know: January 2027 before
anybody entered the 2027 schedule. Nothing overdue goes unreminded; what cannot be decided is
logged and shown to administrators, never dropped in silence."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase, override_settings
from django.urls import reverse

from rules.clocks import clock_start
from rules.models import CalendarDay, CalendarYear, Clock, Reminder, ReminderKind, ReminderSkip
from rules.reminders import clock_stages, decide_stages, reminders_scan
from rules.workdays import WorkCalendar
from tests.helpers import build_county, make_rule

D = dt.date
TODAY = D(2027, 1, 5)  # a Tuesday of a year the calendar does not know


@override_settings(
    REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3, FROZEN_TODAY=TODAY
)
class UnknownYearScanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        CalendarDay.objects.filter(year=2027).delete()
        CalendarYear.objects.filter(year=2027).delete()
        cls.c = build_county()
        rule = make_rule("T-REPLY")  # 5 working days
        units = (cls.c.qingshan, cls.c.chengguan, cls.c.education)
        # Thirty deadlines started from 16 November to 17 December 2026: all due in 2026.
        for n in range(30):
            clock_start(
                rule=rule,
                item=cls.c.household_taoyuan,
                step=f"reply-{n}",
                start=D(2026, 11, 16) + dt.timedelta(days=n),
                unit=units[n % 3],
            )
        item = ContentType.objects.get_for_model(cls.c.household_taoyuan)
        for step, due in (("today", TODAY), ("soon", D(2027, 1, 7)), ("late", D(2026, 12, 31))):
            # Due dates the engine could not compute without the 2027 schedule: set as given.
            Clock.objects.create(
                rule=rule,
                content_type=item,
                object_id=cls.c.household_taoyuan.pk,
                step=step,
                unit=cls.c.qingshan,
                start=D(2026, 12, 1),
                due=due,
            )

    def test_with_the_2027_calendar_missing_a_scan_on_5_january_reminds_every_overdue_clock(
        self,
    ) -> None:
        with self.assertLogs("rules.reminders", "WARNING") as logged:
            result = reminders_scan(TODAY)
        overdue = list(Clock.objects.open().filter(due__lt=TODAY))
        self.assertEqual(len(overdue), 31)
        for clock in overdue:
            kinds = set(Reminder.objects.filter(clock=clock).values_list("kind", flat=True))
            self.assertIn(ReminderKind.OVERDUE, kinds, clock)
            self.assertIn(ReminderKind.ESCALATED_OFFICE, kinds, clock)
        due_today = Clock.objects.get(step="today")
        self.assertTrue(Reminder.objects.filter(clock=due_today, kind=ReminderKind.DUE_TODAY))
        # The count is the rows this scan created.
        self.assertEqual(result.created, Reminder.objects.count())
        self.assertIn("could not be decided", logged.output[0])

    def test_what_the_known_days_decide_is_decided_and_the_rest_is_kept_for_administrators(
        self,
    ) -> None:
        result = reminders_scan(TODAY)
        # Due on 17 December: 18, 21 … 31 December are known working days, more than the three
        # after which the leader in charge of 青山乡 is told.
        early = Clock.objects.filter(unit=self.c.qingshan, due__lte=D(2026, 12, 24)).first()
        self.assertTrue(
            Reminder.objects.filter(clock=early, kind=ReminderKind.ESCALATED_LEADER).exists()
        )
        # Due on 31 December: the working days since fall in 2027 — undecided, not dropped.
        late = Clock.objects.get(step="late")
        self.assertFalse(
            Reminder.objects.filter(clock=late, kind=ReminderKind.ESCALATED_LEADER).exists()
        )
        # Due on 7 January: due in one or in three working days, nobody knows yet.
        soon = Clock.objects.get(step="soon")
        self.assertFalse(Reminder.objects.filter(clock=soon).exists())
        skipped = set(ReminderSkip.objects.values_list("clock__step", "stage"))
        self.assertIn(("late", ReminderKind.ESCALATED_LEADER), skipped)
        self.assertIn(("soon", ReminderKind.DUE_SOON), skipped)
        self.assertEqual(result.skipped, ReminderSkip.objects.count())
        self.assertIn("2027", ReminderSkip.objects.first().reason)
        # Scanning again adds nothing and keeps one record per deadline, stage and day.
        again = reminders_scan(TODAY)
        self.assertEqual(again.created, 0)
        self.assertEqual(ReminderSkip.objects.count(), result.skipped)

    def test_administrators_see_the_undecided_deadlines(self) -> None:
        reminders_scan(TODAY)
        self.client.force_login(self.c.admin)
        today = self.client.get(reverse("today"))
        self.assertContains(today, 'id="delivery-problems"')
        page = self.client.get(reverse("delivery-problems"))
        self.assertContains(page, 'id="undecided"')
        self.assertContains(page, "2027")
        self.client.force_login(self.c.qingshan_staff)
        self.assertNotContains(self.client.get(reverse("today")), 'id="delivery-problems"')


class KnownYearsTests(TestCase):
    def test_with_every_year_known_the_scan_decides_exactly_as_the_calendar_counts(self) -> None:
        calendar = WorkCalendar()
        clock = Clock(due=D(2025, 10, 9))  # after National Day, near adjusted working days
        for offset in range(-20, 20):
            today = clock.due + dt.timedelta(days=offset)
            exact = clock_stages(clock, today, calendar, due_soon=[3, 1], leader_after=3)
            decided, undecided = decide_stages(
                clock, today, calendar, due_soon=[3, 1], leader_after=3
            )
            self.assertEqual((decided, undecided), (exact, []), today)
