"""Exactly once under concurrency and crashes: two workers at once (PostgreSQL), and a run that
outlives its claim."""

from __future__ import annotations

import datetime as dt
import threading
import unittest

from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from rules import reminders
from rules.calendar_seed import seed_from_package
from rules.clocks import clock_start
from rules.models import CalendarDay, CalendarYear, Notification, Reminder, ReminderState
from rules.reminders import reminders_deliver, reminders_scan
from tests.helpers import build_county, make_rule, make_unit, make_user

D = dt.date


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def many_overdue_clocks(county, units: int = 6, per_unit: int = 5) -> None:
    rule = make_rule("T-REPLY")
    for n in range(units):
        unit = make_unit(f"测试村{n}", "village", county.qingshan)
        make_user(f"staff{n}", unit, "unit_staff")
        for day in range(1, per_unit + 1):
            clock_start(
                rule=rule,
                item=county.household_taoyuan,
                step=f"reply-{day}",
                start=D(2026, 6, day),
                unit=unit,
            )


@override_settings(
    REMINDER_DUE_SOON_WORKDAYS=[3, 1],
    ESCALATE_TO_LEADER_AFTER_WORKDAYS=100,
    REMINDER_CLAIM_TIMEOUT=600,
)
class OutlivedClaimTests(TestCase):
    """A run slower than REMINDER_CLAIM_TIMEOUT: another run takes its reminders over and
    delivers them; when the slow run goes on, its claim names a token nobody holds any more."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        many_overdue_clocks(cls.c)

    def test_a_run_that_outlived_its_claim_delivers_nothing_again(self) -> None:
        reminders_scan(D(2026, 6, 20))
        total = Reminder.objects.count()
        recipients = Reminder.objects.values("recipient").distinct().count()
        slow_token, claimed = reminders._claim(at(D(2026, 6, 20), 8), limit=10_000)
        self.assertEqual(claimed, total)
        # Eleven minutes later the slow run still has not built its digests: another takes over.
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20), 9)), recipients)
        # The slow run wakes up and builds its digests: none, since it owns no row any more.
        self.assertEqual(reminders._digest_batch(slow_token, at(D(2026, 6, 20), 8)), 0)
        self.assertEqual(Notification.objects.count(), recipients)
        self.assertEqual(Reminder.objects.filter(state=ReminderState.SENT).count(), total)

    def test_batches_follow_one_another_until_every_reminder_is_delivered(self) -> None:
        reminders_scan(D(2026, 6, 20))
        recipients = Reminder.objects.values("recipient").distinct().count()
        # Batches of 4 reminders (of 60): every recipient gets the reminders in several digests,
        # none is left for the next run.
        created = reminders_deliver(at(D(2026, 6, 20)), batch=4)
        self.assertGreater(created, recipients)
        self.assertFalse(Reminder.objects.exclude(state=ReminderState.SENT).exists())
        self.assertEqual(Reminder.objects.filter(notification__isnull=True).count(), 0)


@unittest.skipUnless(
    connection.vendor == "postgresql", "two concurrent workers need PostgreSQL's row locks"
)
@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=100)
class ConcurrentWorkersTests(TransactionTestCase):
    def setUp(self) -> None:
        seed_from_package(
            CalendarYear, CalendarDay
        )  # TransactionTestCase flushed the migration's rows
        self.c = build_county()
        many_overdue_clocks(self.c, units=10, per_unit=5)

    def test_two_workers_at_once_send_each_reminder_once(self) -> None:
        reminders_scan(D(2026, 6, 20))
        total = Reminder.objects.count()
        recipients = Reminder.objects.values("recipient").distinct().count()
        barrier = threading.Barrier(2)
        results: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                results.append(reminders_deliver(at(D(2026, 6, 20))))
            except BaseException as exc:  # noqa: BLE001  (reported to the test thread)
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(Reminder.objects.filter(state=ReminderState.SENT).count(), total)
        self.assertEqual(sum(results), Notification.objects.count())
        # Each reminder went into exactly one notification.
        self.assertEqual(Reminder.objects.filter(notification__isnull=False).count(), total)
        self.assertLessEqual(Notification.objects.count(), 2 * recipients)

    def test_two_scans_at_once_create_each_reminder_once(self) -> None:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        created: list[int] = []

        def scan() -> None:
            try:
                barrier.wait()
                created.append(reminders_scan(D(2026, 6, 20)).created)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=scan) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        keys = list(Reminder.objects.values_list("clock", "kind", "lead", "due", "recipient"))
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(len(keys), 50 + 50)  # each clock: its unit's staff and the supervisor
        # Each scan reports the rows it inserted: together, every row once.
        self.assertEqual(sum(created), len(keys))
