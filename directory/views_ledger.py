"""Ledger import in the browser.

- The upload page imports a workbook at once (small files; with a saved mapping if chosen), or
  keeps it and walks through the mapping: the product guesses which worksheet and column is
  which, the user corrects it (and may save it for next month), sees a preview of the first
  rows as they will be stored with every problem marked, then imports all or nothing.
- Big files are imported on the queue; the job page shows a progress bar that updates itself
  (htmx polls the status partial).
- The template workbook downloads from here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import navigation
from .access import get_import_job_for_user
from .forms_ledger import LedgerUploadForm, MappingForm
from .ledger import ImportResult, LedgerFileError, Mapping, run_import, sheets, template_workbook
from .ledger_guess import TableGuess, guess_mapping, guess_table
from .ledger_read import open_tables
from .models import Role
from .models_ledger import ImportJob
from .services_ledger import (
    inline_max_bytes,
    job_result,
    job_start,
    job_upload,
    mapping_save,
    read_progress,
)

#: who may import; each row is then checked as the page that records it would check it
IMPORT_ROLES = (Role.ADMIN, Role.UNIT_STAFF, Role.PETITION_OFFICE, Role.SUPERVISOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 10

navigation.register(
    gettext_lazy("Import ledgers"), "ledger-import", group="directory", roles=IMPORT_ROLES, order=90
)


def _require_importer(user: Any) -> None:
    if not (user.is_superuser or user.has_role(*IMPORT_ROLES)):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload: import at once, or (`map`) keep the file and go to its mapping."""
    _require_importer(request.user)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload, saved = form.cleaned_data["file"], form.cleaned_data["mapping"]
        mapping = Mapping.from_json(saved.mapping) if saved is not None else None
        try:
            if "map" in request.POST or (upload.size or 0) > inline_max_bytes():
                job = job_upload(upload=upload, acting_user=request.user)
                if "map" in request.POST:
                    job.saved_mapping = saved
                    job.save(update_fields=["saved_mapping"])
                    return redirect("ledger-job-mapping", pk=job.pk)
                job_start(job=job, mapping=mapping, dry_run=form.cleaned_data["dry_run"])
                return redirect("ledger-job", pk=job.pk)
            result = run_import(
                upload,
                dry_run=form.cleaned_data["dry_run"],
                acting_user=request.user,
                filename=upload.name,
                mapping=mapping,
            )
        except LedgerFileError as exc:
            form.add_error("file", str(exc))
    context = {"form": form, "result": result, "sheets": sheets()}
    return render(request, "directory/ledger_import.html", context)


def _guesses(job: ImportJob, changed: dict[int, Any] | None = None) -> list[TableGuess]:
    """The mapping page's proposal: the job's own mapping once made, else the saved mapping
    chosen at upload, else a guess; worksheets whose sheet or header row the user changed are
    proposed again for the new choice."""
    stored = Mapping.from_json(job.mapping) if job.mapping else None
    if stored is None and job.saved_mapping is not None:
        stored = Mapping.from_json(job.saved_mapping.mapping)
    with job.file.open("rb") as stream, open_tables(stream, job.filename) as tables:
        guesses = guess_mapping(tables, stored)
        by_name = {table.name: table for table in tables}
        for t, entry in (changed or {}).items():
            guesses[t] = guess_table(by_name[guesses[t].table], entry)
    return guesses


@require_http_methods(["GET", "POST"])
def ledger_job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request.user)
    job = get_import_job_for_user(request.user, pk)
    try:
        guesses = _guesses(job)
    except LedgerFileError as exc:
        messages.error(request, str(exc))
        return redirect("ledger-import")
    form = MappingForm(request.POST or None, guesses=guesses)
    if request.method == "POST":
        changed = form.changed_layouts()
        if changed:
            form = MappingForm(guesses=_guesses(job, changed))
            messages.info(
                request, _("The columns were proposed again for your choice; check them.")
            )
        elif form.is_valid():
            mapping = form.mapping()
            job.mapping = mapping.as_json()
            job.save(update_fields=["mapping"])
            if name := form.cleaned_data["save_as"]:
                _save_mapping(request, job, name, mapping)
            return redirect("ledger-job-preview", pk=job.pk)
    return render(request, "directory/ledger_mapping.html", {"job": job, "form": form})


def _save_mapping(request: HttpRequest, job: ImportJob, name: str, mapping: Mapping) -> None:
    if job.unit is None:
        messages.warning(request, _("Your account belongs to no unit: the mapping was not saved."))
        return
    try:
        saved = mapping_save(unit=job.unit, name=name, mapping=mapping, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    job.saved_mapping = saved
    job.save(update_fields=["saved_mapping"])
    messages.success(request, _("The mapping was saved as %(name)s.") % {"name": saved.name})


def _preview_tables(result: ImportResult) -> list[dict[str, Any]]:
    """Per worksheet: its mapped columns and its first rows with their problems."""
    tables = []
    for report in result.tables:
        columns = [(title, key) for title, key in report.columns if key]
        keys = {key for _title, key in columns}
        rows = [
            {
                "row": row,
                "cells": [
                    (row.values.get(key, ""), row.errors.get(key, [])) for _t, key in columns
                ],
                "other_errors": [m for k, ms in row.errors.items() if k not in keys for m in ms],
            }
            for row in result.preview
            if row.table == report.table
        ]
        tables.append({"report": report, "columns": columns, "rows": rows})
    return tables


@require_GET
def ledger_job_preview(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request.user)
    job = get_import_job_for_user(request.user, pk)
    try:
        with job.file.open("rb") as stream:
            result = run_import(
                stream,
                dry_run=True,
                acting_user=request.user,
                filename=job.filename,
                mapping=Mapping.from_json(job.mapping) if job.mapping else None,
                preview_rows=PREVIEW_ROWS,
            )
    except LedgerFileError as exc:
        messages.error(request, str(exc))
        return redirect("ledger-job-mapping", pk=job.pk)
    shown = {(row.table, row.number) for row in result.preview}
    context = {
        "job": job,
        "result": result,
        "tables": _preview_tables(result),
        # errors of no previewed row: a header, a sheet the account may not import
        "loose_errors": [e for e in result.errors if (e.sheet, e.row) not in shown],
    }
    return render(request, "directory/ledger_preview.html", context)


@require_POST
def ledger_job_start(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request.user)
    job = get_import_job_for_user(request.user, pk)
    mapping = Mapping.from_json(job.mapping) if job.mapping else None
    try:
        job_start(job=job, mapping=mapping, dry_run="dry_run" in request.POST)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("ledger-job", pk=job.pk)


@require_GET
def ledger_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job page; its status partial alone for htmx's polling."""
    _require_importer(request.user)
    job = get_import_job_for_user(request.user, pk)
    done, total = read_progress(job.pk)
    context = {
        "job": job,
        "result": job_result(job),
        "done": done,
        "total": max(total, done),
        "percent": int(100 * done / total) if total else 0,
    }
    template = (
        "directory/_ledger_job_status.html"
        if request.headers.get("HX-Request")
        else "directory/ledger_job.html"
    )
    return render(request, template, context)


@require_GET
def ledger_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="ledger-template.xlsx"
    )
    return response
