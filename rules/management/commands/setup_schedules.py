"""Declare every schedule of the queue, idempotently (run at every deploy).

Each schedule's first run is set explicitly; runs missed while the site was down are not
replayed (Q_CLUSTER catch_up=False): the next run simply sees what is due then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    minutes: int  # every N minutes


def registered_jobs() -> list[Job]:
    """The schedules of every app; an app adds its own by appending to JOBS."""
    return list(JOBS)


JOBS: list[Job] = [
    Job("deadline-scan", "rules.tasks.run_deadline_scan", 30),
    # Retries of failed e-mails, text messages and robot messages, and digests left over.
    Job("deliveries", "rules.tasks.run_deliveries", 5),
    Job("daily-bulletin", "petitions.tasks.run_daily_bulletin", 60),
]


def next_slot(now: dt.datetime, minutes: int) -> dt.datetime:
    """The next multiple of `minutes` after now (so restarts do not shift the rhythm)."""
    start = now.replace(second=0, microsecond=0)
    return start + dt.timedelta(minutes=minutes - start.minute % minutes)


class Command(BaseCommand):
    help = "Create or update the queue's schedules."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for job in registered_jobs():
            schedule, created = Schedule.objects.update_or_create(
                name=job.name,
                defaults={
                    "func": job.func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": job.minutes,
                    "repeats": -1,
                },
            )
            if created or schedule.next_run is None or schedule.next_run < now:
                schedule.next_run = next_slot(now, job.minutes)
                schedule.save(update_fields=["next_run"])
            self.stdout.write(
                f"{job.name}: every {job.minutes} min, next {schedule.next_run:%Y-%m-%d %H:%M}"
            )
