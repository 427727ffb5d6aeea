"""Writes of the reports app: written reports and queued report jobs."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from directory.base import validated_save
from directory.models import OrgUnit

from .models import JobState, ReportJob, Submission

log = logging.getLogger(__name__)


def submission_save(
    *, submission: Submission, acting_user: Any = None, reason: str = ""
) -> Submission:
    if submission.person_id and not submission.unit_id:
        submission.unit = submission.person.unit
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        submission._history_user = acting_user  # type: ignore[attr-defined]
        if submission.pk is None:
            submission.created_by = acting_user
    return validated_save(submission, reason or "written report saved")


# --- queued year-end PDFs ---------------------------------------------------------------------


# A job still "running" this long after it started lost its worker (killed, out of memory):
# a later delivery of the task may take it over.
STALE_AFTER = dt.timedelta(hours=1)


def queue_options() -> dict[str, Any]:
    """Where report jobs go: the cluster named by REPORTS_Q_CLUSTER when set (a cluster of its
    own that recycles its worker after every PDF), else the default one; REPORTS_JOB_TIMEOUT
    (seconds) overrides the cluster's timeout for these tasks."""
    options: dict[str, Any] = {}
    if cluster := getattr(settings, "REPORTS_Q_CLUSTER", ""):
        options["cluster"] = cluster
    if timeout := getattr(settings, "REPORTS_JOB_TIMEOUT", None):
        options["timeout"] = timeout
    return options


@transaction.atomic
def report_job_request(
    *, year: int, scope_unit: OrgUnit, unit: OrgUnit | None, signer: str, acting_user: Any
) -> ReportJob:
    job = ReportJob(
        year=year,
        unit=unit,
        scope_unit=unit or scope_unit,
        signer=signer,
        requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("reports.tasks.render_report_job", job_id, q_options=queue_options())


def report_job_progress(job_id: int, percent: int, message: str = "") -> None:
    ReportJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        progress=percent, message=message[:300]
    )


def report_job_run(job_id: int) -> bool:
    """Render a job's PDF. Claims the job with a conditional UPDATE so that a task delivered
    twice renders once (and a job whose worker died is taken over once it is stale); returns
    whether this call did the work."""
    from .pdf import render_report

    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(
        state=JobState.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = ReportJob.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING, progress=1, started_at=now
    )
    if not claimed:
        return False
    job = ReportJob.objects.select_related("unit", "scope_unit", "requested_by").get(pk=job_id)
    try:
        pdf, pages = render_report(
            year=job.year,
            unit=job.scope_unit,
            signer=job.signer,
            today=timezone.localdate(),
            # the records listed are the requester's to see (nobody's when unknown)
            reader=job.requested_by or AnonymousUser(),
            progress=lambda percent, message="": report_job_progress(job_id, percent, message),
        )
    except Exception as exc:  # the job page shows what went wrong; the log keeps the trace
        log.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            state=JobState.FAILED, message=str(exc)[:300], finished_at=timezone.now()
        )
        return True
    job.file.save(f"compliance-{job.year}-{job.scope_unit.code}.pdf", ContentFile(pdf), save=False)
    ReportJob.objects.filter(pk=job_id).update(
        file=job.file.name,
        pages=pages,
        state=JobState.DONE,
        progress=100,
        message="",
        finished_at=timezone.now(),
    )
    return True
