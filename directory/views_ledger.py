"""Ledger import in the browser: the upload page and the template workbook."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from . import navigation
from .forms_ledger import LedgerUploadForm
from .ledger import LedgerFileError, run_import, sheets, template_workbook
from .models import Role

#: who may import; unit staff only inside their unit (enforced row by row in the import)
IMPORT_ROLES = (Role.ADMIN, Role.UNIT_STAFF, Role.PETITION_OFFICE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

navigation.register(_("Import ledgers"), "ledger-import", roles=IMPORT_ROLES, order=90)


def _require_importer(user: Any) -> None:
    if not (user.is_superuser or user.has_role(*IMPORT_ROLES)):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    if request.method == "POST":
        form = LedgerUploadForm(request.POST, request.FILES)
    else:
        form = LedgerUploadForm()
    result = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run_import(
                upload,
                dry_run=form.cleaned_data["dry_run"],
                acting_user=request.user,
                filename=upload.name,
            )
        except LedgerFileError as exc:
            form.add_error("file", str(exc))
    context = {"form": form, "result": result, "sheets": sheets()}
    return render(request, "directory/ledger_import.html", context)


@require_GET
def ledger_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="ledger-template.xlsx"
    )
    return response
