"""The cells of list pages' rows, written once in Python: a page of 50 rows with a template
filter, tag or related-manager query per cell cost several times the rows themselves (the
benchmark's list cases, beside a bare view rendering the same rows). A list view hands its
template plain dicts of display values; the template is a simple loop with no per-row tag,
filter or include. The values are what the former filters gave (`date:"DATE_FORMAT"`,
`truncatechars`, names joined by 、 in nowrap spans)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import escape as escape_html
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

#: shown for an empty cell
EMPTY = "—"


def date_text(day: dt.date | dt.datetime | None) -> str:
    """A date as the pages show it (2026年11月22日; a moment on its local day), empty for
    none."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = (timezone.localtime(day) if timezone.is_aware(day) else day).date()
    return _date_text(day, get_language())


@lru_cache(maxsize=4096)
def _date_text(day: dt.date, language: str | None) -> str:  # noqa: ARG001  (the cache key)
    # The rows of a page share a handful of dates.
    return date_format(day, "DATE_FORMAT")


def pk_urls(name: str) -> Callable[[object], str]:
    """`reverse(name, args=[pk])` for the rows of a page: the URL reversed once, the pk put
    in its place (URL names taking one integer pk)."""
    sentinel = "8080808080"
    head, _sep, tail = reverse(name, args=[int(sentinel)]).partition(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


def html(value: object) -> str:
    """`value` escaped for HTML unless it is already safe: Django's conditional_escape
    without its lazy-argument wrappers (rows call it a dozen times each)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_html(str(value))


def safe(text: str) -> SafeString:
    """Mark text built here with `html` (every value escaped) as safe."""
    return mark_safe(text)  # noqa: S308  (callers escape every value with html())


def names_html(names: Iterable[str], empty: str = "") -> SafeString | str:
    """Names joined by 、, each kept on one line; `empty` when there are none."""
    joined = "、".join(f'<span class="nowrap">{html(name)}</span>' for name in names)
    return safe(joined) if joined else empty


def truncated(text: str, length: int) -> str:
    """As the `truncatechars` filter."""
    if len(text) <= length:  # nothing to cut: the filter gives the text in NFC
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def table_row(cells: Iterable[tuple[str, object]]) -> SafeString:
    """One <tr> of (CSS class, value) cells, each value escaped unless already safe: a page's
    row is one value for its template, not a dozen variables, tags and conditions (a list
    template spent more on its rows' variables than the rows themselves). The classes are the
    code's own constants."""
    parts = [
        f'<td class="{css}">{html(value)}</td>' if css else f"<td>{html(value)}</td>"
        for css, value in cells
    ]
    return safe("<tr>" + "".join(parts) + "</tr>")


def badge(css_class: str, text: str, title: str = "") -> SafeString:
    """A badge after a cell's value (with its leading space)."""
    if title:
        return format_html(' <span class="badge {}" title="{}">{}</span>', css_class, title, text)
    return format_html(' <span class="badge {}">{}</span>', css_class, text)


#: (name, database vendor, number of ids) → the SQL and parameters `values_for_ids` compiled
_STATEMENTS: dict[tuple[str, str, int], tuple[str, tuple[Any, ...]]] = {}


def values_for_ids(
    name: str, build: Callable[[list[int]], QuerySet[Any]], ids: list[int]
) -> list[tuple[Any, ...]]:
    """The rows of `build(ids)`, a values_list query over a page's rows, as plain tuples: the
    ORM compiles it once per `name`, database and number of ids (with stand-in ids) and each
    page runs that statement with its own ids. Building and compiling a union of joined
    queries cost twice its execution, and a list page runs the same one for every page.
    `build` must depend on nothing but `ids`, and its values need no conversion from the
    database (ids, text)."""
    if not ids:
        return []
    key = (name, connection.vendor, len(ids))
    if key not in _STATEMENTS:
        stand_ins = [-(n + 1) for n in range(len(ids))]
        _STATEMENTS[key] = build(stand_ins).query.sql_with_params()
    sql, params = _STATEMENTS[key]
    place = {-(n + 1): pk for n, pk in enumerate(ids)}
    # Stand-ins are negative; an id never is, and no other parameter of these queries is.
    bound = [place.get(p, p) if type(p) is int else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        return cursor.fetchall()


def household_rows(households: Iterable[Any]) -> list[dict[str, Any]]:
    """The household list's rows (households read with select_related("village", "group"))."""
    from .models import HouseholdCategory

    labels = {value: str(label) for value, label in HouseholdCategory.choices}
    url = pk_urls("household-detail")
    return [
        {
            "url": url(household.pk),
            "code": household.code,
            "head": household.head,
            "village": household.village.name,
            "group": (household.group.name if household.group else "") or EMPTY,
            "categories": "、".join(labels.get(code, code) for code in household.category_list),
            "size": household.size,
        }
        for household in households
    ]
