"""Excel exports of the petition ledger, and the workbook helpers the roster's and the appeals'
exports use. The columns follow the ledger sheets (DESIGN.md), so that an export can be read back
by the import; ID numbers and phones are masked (the full values never leave the system in a
file)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from rules.workdays import provisional_reason

from .models import Petition

PETITION_COLUMNS = (
    "ref",
    "received",
    "channel",
    "petitioner",
    "id_number",
    "phone",
    "township",
    "subject_unit",
    "unit",
    "category",
    "accepted",
    "answered",
    "closed",
)
PETITION_EXTRA = ("status", "summary", "due", "due_provisional")


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def _code(obj: Any) -> str:
    return obj.code if obj is not None else ""


def provisional_note(record: Any) -> str:
    """Why a record's due date is provisional (empty when it is not): the records come
    annotated by rules.models.with_provisional_due."""
    if not getattr(record, "due_provisional", False) or record.due is None:
        return ""
    return provisional_reason({"provisional": {"years": [record.due.year]}})


def petition_row(petition: Petition) -> list[Any]:
    petitioners = petition.petitioner_list  # prefetched by the caller (with_list_relations)
    first = petitioners[0] if petitioners else None
    return [
        petition.ref,
        _iso(petition.received_on),
        petition.channel,
        "、".join(p.name for p in petitioners),
        first.masked_id_number if first else "",
        first.masked_phone if first else "",
        _code(petition.township),
        _code(petition.subject_unit),
        _code(petition.lead_unit),
        petition.category,
        _iso(petition.accepted_on),
        _iso(petition.answered_on),
        _iso(petition.closed_on),
        petition.get_status_display(),
        petition.summary,
        _iso(petition.due),
        provisional_note(petition),
    ]


def petition_workbook(petitions: Iterable[Petition]) -> bytes:
    return _workbook(
        "petitions", PETITION_COLUMNS + PETITION_EXTRA, (petition_row(p) for p in petitions)
    )


def _workbook(title: str, header: tuple[str, ...], rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
