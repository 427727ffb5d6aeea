"""Queue tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from .services import report_job_run


def render_report_job(job_id: int) -> bool:
    return report_job_run(job_id)
