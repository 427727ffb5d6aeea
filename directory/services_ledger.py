"""Writes of the ledger import around the import itself: saved mappings, and import jobs (an
upload kept while its mapping is made and previewed, then imported — on the queue when big).

A job's progress is written to a small file beside the uploads (MEDIA_ROOT/ledger/progress/),
not to the database: the import runs in one transaction (all or nothing), which no other
connection sees until it ends, and SQLite lets no other writer in meanwhile. The file is shared
by the web processes and the queue workers as the uploads are."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import validated_save
from .ledger import ImportResult, LedgerFileError, Mapping, run_import
from .ledger_read import check_file
from .models import OrgUnit
from .models_ledger import FINISHED_STATES, ImportJob, ImportJobState, LedgerMapping

log = logging.getLogger(__name__)

# A job still "running" this long after it started lost its worker: it may be taken over.
STALE_AFTER_SECONDS = 3 * 3600


def inline_max_bytes() -> int:
    """Uploads up to this size are imported while the page waits; bigger ones on the queue."""
    return int(getattr(settings, "LEDGER_INLINE_MAX_BYTES", 512 * 1024))


# --- saved mappings ---------------------------------------------------------------------------


def mapping_save(*, unit: OrgUnit, name: str, mapping: Mapping, acting_user: Any) -> LedgerMapping:
    """Save (or replace) the unit's mapping of this name."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping a name.")})
    saved = LedgerMapping.objects.filter(unit=unit, name=name).first() or LedgerMapping(
        unit=unit, name=name
    )
    saved.mapping = mapping.as_json()
    if acting_user is not None and getattr(acting_user, "pk", None):
        saved.created_by = acting_user
        saved._history_user = acting_user  # type: ignore[attr-defined]
    return validated_save(saved, "ledger mapping saved")


def mappings_for_user(user: Any) -> Any:
    """The mappings of the user's unit and of the units above it (a county's mapping serves
    its townships); a superuser without a unit sees all."""
    if user.is_superuser and not user.unit_id:
        return LedgerMapping.objects.select_related("unit")
    if not user.unit_id:
        return LedgerMapping.objects.none()
    ids = [int(part) for part in user.unit.path.strip("/").split("/") if part]
    return LedgerMapping.objects.filter(unit_id__in=ids).select_related("unit")


def find_mapping(name: str, user: Any) -> LedgerMapping:
    """A saved mapping by `NAME` or `UNIT-CODE:NAME` — for the command, whose `--user` (or the
    system, which may use any unit's) decides which units' mappings it may use."""
    unit_code, _sep, bare = name.rpartition(":")
    candidates = (
        mappings_for_user(user)
        if user is not None
        else LedgerMapping.objects.select_related("unit")
    )
    candidates = candidates.filter(name=bare)
    if unit_code:
        candidates = candidates.filter(unit__code=unit_code)
    found = list(candidates.order_by("-unit__depth", "unit__code")[:10])
    if not found:
        raise LedgerFileError(_("No saved mapping is called %(name)s.") % {"name": name})
    deepest = [m for m in found if m.unit.depth == found[0].unit.depth]
    if len(deepest) > 1:
        raise LedgerFileError(
            _("Several units saved a mapping called %(name)s; give one of: %(choices)s.")
            % {"name": name, "choices": ", ".join(f"{m.unit.code}:{m.name}" for m in deepest)}
        )
    return found[0]


# --- jobs ---------------------------------------------------------------------------------------


@transaction.atomic
def job_upload(*, upload: UploadedFile, acting_user: Any) -> ImportJob:
    """Keep an upload for the mapping page; its type and archive bounds are checked first, so
    that a zip bomb is refused here, in a moment, with a clear message (LedgerFileError)."""
    check_file(upload, upload.name or "")
    upload.seek(0)
    job = ImportJob(
        user=acting_user,
        unit=acting_user.unit if acting_user.unit_id else None,
        filename=(upload.name or "ledger")[-200:],
        size=upload.size or 0,
    )
    job.file.save(upload.name or "ledger.xlsx", upload, save=False)
    job.full_clean()
    job.save()
    return job


def _claimable() -> Q:
    stale = timezone.now() - dt.timedelta(seconds=STALE_AFTER_SECONDS)
    return Q(state__in=(ImportJobState.UPLOADED, ImportJobState.QUEUED)) | Q(
        state=ImportJobState.RUNNING, started_at__lt=stale
    )


def job_start(*, job: ImportJob, mapping: Mapping | None, dry_run: bool) -> ImportJob:
    """Import the job's file: at once when it is small, else on the queue (the page then
    polls its progress). A job whose import saved its rows is not imported again; a check, a
    failed or refused import may be run again (with a corrected mapping)."""
    startable = ImportJob.objects.filter(pk=job.pk, saved=False).exclude(
        state__in=(ImportJobState.QUEUED, ImportJobState.RUNNING)
    )
    changes = {
        "mapping": mapping.as_json() if mapping is not None else {},
        "dry_run": dry_run,
        "state": ImportJobState.QUEUED,
        "result": {},
        "message": "",
        "started_at": None,
        "finished_at": None,
    }
    if not startable.update(**changes):
        raise ValidationError(_("This ledger is being imported or has been imported already."))
    job.refresh_from_db()
    write_progress(job.pk, 0, 0)
    if job.size <= inline_max_bytes():
        job_run(job.pk)
    else:
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("directory.tasks.run_ledger_job", job_id)


def job_run(job_id: int) -> bool:
    """Run a queued job. Claims it with a conditional UPDATE (a task delivered twice imports
    once; a job whose worker died is taken over once it is stale); returns whether this call
    did the work. The import is all or nothing: a failure leaves nothing saved."""
    claimed = ImportJob.objects.filter(_claimable(), pk=job_id).update(
        state=ImportJobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        with job.file.open("rb") as stream:
            result = run_import(
                stream,
                dry_run=job.dry_run,
                acting_user=job.user,
                filename=job.filename,
                mapping=Mapping.from_json(job.mapping) if job.mapping else None,
                progress=lambda done, total: write_progress(job_id, done, total),
            )
    except LedgerFileError as exc:
        _finish(job_id, ImportJobState.FAILED, {}, str(exc))
        return True
    except Exception as exc:  # the page shows that it failed; the log keeps the trace
        log.exception("ledger import job %s failed", job_id)
        _finish(job_id, ImportJobState.FAILED, {}, str(exc))
        return True
    _finish(job_id, ImportJobState.DONE, result.as_json(), "", saved=result.saved)
    return True


def _finish(
    job_id: int, state: str, result: dict[str, Any], message: str, *, saved: bool = False
) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=state,
        result=result,
        message=message[:300],
        saved=saved,
        finished_at=timezone.now(),
    )
    done, total = read_progress(job_id)
    write_progress(job_id, max(done, total), max(done, total))


def job_result(job: ImportJob) -> ImportResult | None:
    return ImportResult.from_json(job.result) if job.result else None


def job_is_finished(job: ImportJob) -> bool:
    return job.state in FINISHED_STATES


# --- progress -----------------------------------------------------------------------------------


def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger" / "progress" / f"{job_id}.json"


def write_progress(job_id: int, done: int, total: int) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump({"done": done, "total": total}, out)
    os.replace(temporary, path)  # atomic: a reader sees the old or the new figures


def read_progress(job_id: int) -> tuple[int, int]:
    try:
        data = json.loads(_progress_path(job_id).read_text())
    except (OSError, ValueError):
        return 0, 0
    return int(data.get("done", 0)), int(data.get("total", 0))
