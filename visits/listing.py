"""The visit ledger's rows (directory.listing): one <tr> per visit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import F, QuerySet, Value
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
    values_for_ids,
)

from .models import Visit, VisitHousehold, VisitPerson
from .templatetags.visits_tags import number


def _names(ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """visit id → the names of its live people (in the order of Person) and of its live
    households (in the order of Household): what `visit.people.all` and
    `visit.households.all` show, read as values in one query for the page."""
    names: tuple[dict[int, list[str]], dict[int, list[str]]] = (
        defaultdict(list),
        defaultdict(list),
    )
    for visit_id, side, _path, _code, _ref, name in values_for_ids(
        "visit names", _names_query, ids
    ):
        names[side][visit_id].append(name)
    return names


def _names_query(ids: list[int]) -> QuerySet[Any]:
    people = (
        VisitPerson.objects.filter(visit_id__in=ids, person__deleted_at__isnull=True)
        .annotate(
            side=Value(0),
            path=F("person__unit__path"),
            code=F("person__code"),
            ref=F("person_id"),
            name=F("person__name"),
        )
        .values_list("visit_id", "side", "path", "code", "ref", "name")
    )
    households = (
        VisitHousehold.objects.filter(visit_id__in=ids, household__deleted_at__isnull=True)
        .annotate(
            side=Value(1),
            path=F("household__village__path"),
            code=F("household__code"),
            ref=F("household_id"),
            name=F("household__head"),
        )
        .values_list("visit_id", "side", "path", "code", "ref", "name")
    )
    return people.union(households, all=True).order_by("side", "path", "code", "ref")


def visit_rows(visits: Sequence[Visit]) -> list[SafeString]:
    """Rows of `visits` (read with select_related("unit")), one <tr> each; their people and
    households are read as names (`_names`), not as model instances through a prefetch,
    which cost more than the rows."""
    people, households = _names([visit.pk for visit in visits])
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
