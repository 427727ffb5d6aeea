"""The visit ledger's rows as display values (directory.listing): one dict per visit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from directory.listing import EMPTY, date_text, names_html, pk_urls, truncated

from .models import Visit, VisitHousehold, VisitPerson
from .templatetags.visits_tags import number


def _names(rows: Any, name: str, ids: list[int]) -> dict[int, list[str]]:
    """visit id → the names at `name` of its rows, in the order of the related model."""
    names: dict[int, list[str]] = defaultdict(list)
    for visit_id, text in rows.filter(visit_id__in=ids).values_list("visit_id", name):
        names[visit_id].append(text)
    return names


def visit_rows(visits: Sequence[Visit]) -> list[dict[str, Any]]:
    """Rows of `visits` (read with select_related("unit")): their people and households are
    read as names in one query each (what `visit.people.all` shows: live people in the order
    of Person, live households in the order of Household), not as model instances through
    a prefetch, which cost more than the rows."""
    ids = [visit.pk for visit in visits]
    people = _names(
        VisitPerson.objects.filter(person__deleted_at__isnull=True).order_by(
            "person__unit__path", "person__code", "person_id"
        ),
        "person__name",
        ids,
    )
    households = _names(
        VisitHousehold.objects.filter(household__deleted_at__isnull=True).order_by(
            "household__village__path", "household__code", "household_id"
        ),
        "household__head",
        ids,
    )
    url = pk_urls("visit-detail")
    return [
        {
            "url": url(visit.pk),
            "date": date_text(visit.date),
            "kind": visit.get_kind_display(),
            "people": names_html(people.get(visit.pk, ())),
            "unit": visit.unit.name,
            "enterprise": visit.enterprise,
            "households": names_html(households.get(visit.pk, ()), EMPTY),
            "days": number(visit.days),
            "heard": truncated(visit.heard, 40),
        }
        for visit in visits
    ]
