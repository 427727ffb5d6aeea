"""Queue tasks of the directory app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from .services_ledger import job_run


def run_ledger_job(job_id: int) -> bool:
    return job_run(job_id)
