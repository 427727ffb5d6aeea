from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        # Registrations: evaluators, ledger sheets, the today panel, the visit listener and
        # the festival job's schedule.
        from rules.management.commands.setup_schedules import JOBS, Job

        from . import evaluators, ledger_sheets, pages, panels, receivers  # noqa: F401

        receivers.connect()
        if not any(job.name == "festival-visits" for job in JOBS):
            JOBS.append(Job("festival-visits", "assistance.tasks.open_festival_visits", 360))
