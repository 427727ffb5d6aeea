"""The visit ledger's rows as display values (directory.listing): one dict per visit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString

from directory.listing import (
    EMPTY,
    date_text,
    html,
    names_html,
    pk_urls,
    safe,
    table_row,
    truncated,
)

from .models import Visit, VisitHousehold, VisitPerson
from .templatetags.visits_tags import number


def _names(rows: Any, name: str, ids: list[int]) -> dict[int, list[str]]:
    """visit id → the names at `name` of its rows, in the order of the related model."""
    names: dict[int, list[str]] = defaultdict(list)
    for visit_id, text in rows.filter(visit_id__in=ids).values_list("visit_id", name):
        names[visit_id].append(text)
    return names


def visit_rows(visits: Sequence[Visit]) -> list[SafeString]:
    """Rows of `visits` (one <tr> each) (read with select_related("unit")): their people and households are
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
        table_row(
            [
                (
                    "date",
                    safe(f'<a href="{html(url(visit.pk))}">{html(date_text(visit.date))}</a>'),
                ),
                ("", visit.get_kind_display()),
                ("", names_html(people.get(visit.pk, ()))),
                ("", _place(visit)),
                ("", names_html(households.get(visit.pk, ()), EMPTY)),
                ("num", number(visit.days)),
                ("", truncated(visit.heard, 40)),
            ]
        )
        for visit in visits
    ]


def _place(visit: Visit) -> SafeString:
    place = f'<span class="nowrap">{html(visit.unit.name)}</span>'
    if visit.enterprise:
        place += f" · {html(visit.enterprise)}"
    return safe(place)
