"""Excel export of the roster. The columns follow the `receptions` ledger sheet (DESIGN.md), so
that an export can be read back by the import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..matters.exports import _code, _iso, _workbook
from .models import Reception

RECEPTION_COLUMNS = ("date", "slot", "person", "unit", "kind", "substitute_for")
RECEPTION_EXTRA = ("status", "rule", "post")


def reception_row(reception: Reception) -> list[Any]:
    return [
        _iso(reception.date),
        reception.part,
        _code(reception.person),
        _code(reception.unit),
        reception.kind,
        _code(reception.substitute_for),
        reception.get_status_display(),
        reception.rule.rule_id if reception.rule_id else "",
        reception.post,
    ]


def roster_workbook(receptions: Iterable[Reception]) -> bytes:
    return _workbook(
        "receptions", RECEPTION_COLUMNS + RECEPTION_EXTRA, (reception_row(r) for r in receptions)
    )
