"""Exactly once under concurrency and crashes: two workers at once (PostgreSQL), and a worker
killed half way through its deliveries."""

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
                step="reply",
                start=D(2026, 6, day),
                unit=unit,
            )


class WorkerKilled(BaseException):
    """Not an Exception: like a killed process, nothing inside the worker catches it."""


class DyingChannel:
    name = "dying"

    def __init__(self, survive: int) -> None:
        self.survive = survive
        self.calls = 0

    def wanted(self, user, preference) -> bool:
        return True

    def send(self, user, notification) -> None:
        self.calls += 1
        if self.calls > self.survive:
            raise WorkerKilled


@override_settings(
    REMINDER_DUE_SOON_WORKDAYS=[3, 1],
    ESCALATE_TO_LEADER_AFTER_WORKDAYS=100,
    REMINDER_CLAIM_TIMEOUT=600,
)
class InterruptedDeliveryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        many_overdue_clocks(cls.c)

    def test_a_delivery_killed_half_way_sends_the_rest_after_the_restart_and_none_twice(
        self,
    ) -> None:
        reminders_scan(D(2026, 6, 20))
        recipients = (
            Reminder.objects.values("recipient").distinct().count()
        )  # 6 unit staff + supervisor
        channel = DyingChannel(survive=3)
        reminders.register_channel(channel)
        try:
            with self.assertRaises(WorkerKilled):
                reminders_deliver(at(D(2026, 6, 20)))
        finally:
            reminders.CHANNELS.remove(channel)
        delivered_before = set(Notification.objects.values_list("user_id", flat=True))
        self.assertEqual(len(delivered_before), 4)  # three survived, the fourth died while sending
        self.assertTrue(Reminder.objects.filter(state=ReminderState.CLAIMED).exists())
        # The restart, after the claim timeout, delivers the rest.
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20), 9)), recipients - 4)
        self.assertEqual(Notification.objects.count(), recipients)
        self.assertEqual(Notification.objects.values("user").distinct().count(), recipients)
        self.assertFalse(Reminder.objects.exclude(state=ReminderState.SENT).exists())


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

        def scan() -> None:
            try:
                barrier.wait()
                reminders_scan(D(2026, 6, 20))
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
