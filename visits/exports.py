"""Excel export of the visit ledger: a readable sheet (走访台账) and the `visits` sheet in the
import format, so that an exported ledger imports again unchanged."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Visit

CHUNK = 2000


def _visits(visits: QuerySet[Visit]) -> Iterator[Visit]:
    ordered = visits.order_by("date", "pk").prefetch_related("people", "households")
    yield from ordered.iterator(chunk_size=CHUNK)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


def visits_workbook(visits: QuerySet[Visit]) -> bytes:
    from openpyxl import Workbook

    from directory.ledger import find_sheet

    workbook = Workbook(write_only=True)
    readable = workbook.create_sheet("走访台账")
    readable.append(
        [
            _("Date"),
            _("Kind"),
            _("People on the visit"),
            _("Where"),
            _("Enterprise"),
            _("Households visited"),
            _("Days spent"),
            _("What was heard"),
            _("People travelling along"),
            _("Cars"),
            _("Lodged in an ordinary home"),
            _("Board and lodging paid"),
            _("No welcome banners"),
        ]
    )
    sheet = find_sheet("visits")
    columns = [column.key for column in sheet.columns] if sheet else []
    importable = workbook.create_sheet("visits")
    importable.append(columns)
    for visit in _visits(visits):
        people = list(visit.people.all())
        households = list(visit.households.all())
        readable.append(
            [
                visit.date,
                visit.get_kind_display(),
                "、".join(p.name for p in people),
                visit.unit.name,
                visit.enterprise,
                "、".join(h.head for h in households),
                float(visit.days),
                visit.heard,
                visit.entourage,
                visit.cars,
                _yes_no(visit.lodged_with_household),
                _yes_no(visit.board_paid),
                _yes_no(visit.no_banners),
            ]
        )
        values = {
            "date": visit.date.isoformat(),
            "person": ";".join(p.code for p in people),
            "unit": visit.unit.code,
            "households": ";".join(h.code for h in households),
            "kind": visit.kind,
            "days": f"{visit.days.normalize():f}",
            "entourage": visit.entourage,
            "cars": visit.cars,
            "enterprise": visit.enterprise,
            "heard": visit.heard,
        }
        importable.append([values.get(key, "") for key in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
