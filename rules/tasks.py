"""Queue tasks: thin wrappers that load and call a service."""

from __future__ import annotations

from typing import Any

from .reminders import deadline_run, deliveries_job


def run_deadline_scan() -> dict[str, Any]:
    return deadline_run()


def run_deliveries() -> dict[str, Any]:
    return deliveries_job()
