"""Ledger import records: mappings users made for their own workbooks (saved per unit and
reused next month), and import jobs (an upload on its way through mapping, preview and import;
big files are imported on the queue)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .models import OrgUnit


class LedgerMapping(models.Model):
    """Which worksheet of an office's own workbook holds which record type, its header row and
    which column is which; kept per unit under a name and offered for the next upload."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="ledger_mappings"
    )
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ledger mapping")
        verbose_name_plural = _("ledger mappings")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="unique_ledger_mapping_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJobState(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded, not yet imported")
    QUEUED = "queued", _("waiting in the queue")
    RUNNING = "running", _("importing")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


FINISHED_STATES = (ImportJobState.DONE, ImportJobState.FAILED)


def ledger_upload_path(instance: ImportJob, filename: str) -> str:
    """A random file name: the stored name tells nothing about the ledger."""
    suffix = PurePath(filename).suffix.lower()
    return f"ledger/uploads/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded ledger: kept while its mapping is made and previewed, then imported (on
    the queue when it is big). `result` holds what the import said (counts, errors, notices,
    implicit creations), as ImportResult.as_json() gives it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=ledger_upload_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    saved_mapping = models.ForeignKey(
        LedgerMapping,
        verbose_name=_("saved mapping"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportJobState.choices, default=ImportJobState.UPLOADED
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    #: the import saved its rows (a finished job that did not may be run again)
    saved = models.BooleanField(_("saved"), default=False)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES
