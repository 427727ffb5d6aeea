"""Excel export of appeals. The first columns are the `appeals` ledger sheet's (DESIGN.md), so
that an export reads back through the import; the contact phone never leaves in a file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from ..matters.exports import _workbook, provisional_note
from .models import Appeal

APPEAL_COLUMNS = ("ref", "received", "platform", "category", "unit", "limit_days", "replied")
APPEAL_EXTRA = ("township", "status", "due", "satisfaction", "summary", "due_provisional")


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def appeal_row(appeal: Appeal) -> list[Any]:
    return [
        appeal.ref,
        _local(appeal.received_at),
        appeal.source,
        appeal.category.code,
        appeal.unit.code if appeal.unit else "",
        appeal.limit_days,
        appeal.replied_on.isoformat() if appeal.replied_on else "",
        appeal.township.code if appeal.township else "",
        appeal.get_status_display(),
        appeal.due.isoformat() if appeal.due else "",
        appeal.satisfaction,
        appeal.summary,
        provisional_note(appeal),
    ]


def appeal_workbook(appeals: Iterable[Appeal]) -> bytes:
    return _workbook("appeals", APPEAL_COLUMNS + APPEAL_EXTRA, (appeal_row(a) for a in appeals))
