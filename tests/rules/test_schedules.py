from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.test import TestCase
from django_q.models import Schedule

from rules.management.commands.setup_schedules import next_slot


class ScheduleTests(TestCase):
    def test_schedules_are_declared_once_with_an_explicit_first_run(self) -> None:
        call_command("setup_schedules", stdout=io.StringIO())
        first = Schedule.objects.get(name="deadline-scan")
        call_command("setup_schedules", stdout=io.StringIO())
        self.assertEqual(Schedule.objects.filter(name="deadline-scan").count(), 1)
        again = Schedule.objects.get(name="deadline-scan")
        self.assertEqual(
            (again.func, again.minutes, again.next_run),
            ("rules.tasks.run_deadline_scan", 30, first.next_run),
        )
        retries = Schedule.objects.get(name="deliveries")
        self.assertEqual((retries.func, retries.minutes), ("rules.tasks.run_deliveries", 5))

    def test_the_next_slot_keeps_the_rhythm(self) -> None:
        now = dt.datetime(2026, 6, 1, 8, 47, 13, tzinfo=dt.UTC)
        self.assertEqual(next_slot(now, 30), dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))

    def test_the_scheduled_task_runs_on_the_queue(self) -> None:
        from django_q.tasks import async_task, result

        # The test settings run the cluster in synchronous mode: the real task, in process.
        task_id = async_task("rules.tasks.run_deadline_scan")
        self.assertEqual(
            result(task_id),
            {
                "reminders": 0,
                "undecided": 0,
                "notifications": 0,
                "sent": 0,
                "failed": 0,
                "dead": 0,
                "lost": 0,
            },
        )
        task_id = async_task("rules.tasks.run_deliveries")
        self.assertEqual(result(task_id)["notifications"], 0)
