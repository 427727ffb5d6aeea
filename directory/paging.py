"""Paging without a COUNT over the table and without OFFSET: keyset pages.

A page fetches one row more than it shows to know whether another follows. The links to the
next and previous pages carry a cursor (`after=` / `before=`): the ordering values of the last
(first) row shown, so the next page is `WHERE (ordering) beyond the cursor … LIMIT size + 1`
— as fast on page 2,000 as on page 1, and stable while rows are added. `?page=N` without a
cursor (a typed or old link) still works, by OFFSET.

The cursor holds the row's ordering values (the queryset's `order_by`, else the model's
`Meta.ordering`, with the primary key appended as the tie-breaker), JSON in URL-safe base64:
no database id of another row, and a forged cursor only moves where the page starts within
the user's own queryset. Orderings keyset paging cannot follow (expressions, random, a NULL
value at the cursor) fall back to OFFSET."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    size: int
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def _ordering(queryset: QuerySet) -> list[str] | None:
    """The ordering as field paths with a leading "-" for descending, ending in the primary
    key; None when it is not made of plain fields."""
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    if not all(isinstance(item, str) and item.lstrip("-") and item != "?" for item in order):
        return None
    pk_name = queryset.model._meta.pk.name
    names = {"pk", "id", pk_name}
    if not order or order[-1].lstrip("-") not in names:
        direction = "-" if order and order[-1].startswith("-") else ""
        order.append(f"{direction}pk")
    for item in order:
        # A NULL sorts apart from every value: `due > cursor` would skip the rows without a
        # due date, so an ordering through a nullable column pages by OFFSET.
        if _field(queryset.model, item.lstrip("-")) is None:
            return None
    return order


def _field(model: Any, path: str) -> Any:
    """The model field at the end of a `__` path (None when the path is not made of
    non-nullable fields)."""
    if path == "pk":
        return model._meta.pk
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if getattr(field, "null", True):  # nullable (or a reverse relation): no keyset
            return None
        if field.is_relation:
            if field.many_to_many or field.one_to_many:
                return None
            model = field.related_model
            field = field.target_field if part == path.split("__")[-1] else field
    return field


def _encode(values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime | dt.time):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, model: Any, order: list[str]) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(values, list) or len(values) != len(order):
        return None
    decoded = []
    for item, value in zip(order, values, strict=True):
        if value is None:
            return None
        try:
            decoded.append(_field(model, item.lstrip("-")).to_python(value))
        except (ValidationError, TypeError, ValueError):
            return None
    return decoded


def _beyond(order: list[str], values: list[Any], *, backwards: bool = False) -> Q:
    """Rows after the cursor in `order` (before it, when `backwards`): the OR of prefix-equal
    conditions, plus a bound on the first field that an index can use."""
    condition = Q()
    equal = Q()
    for item, value in zip(order, values, strict=True):
        field = item.lstrip("-")
        descending = item.startswith("-") != backwards
        condition |= equal & Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{field: value})
    first = order[0].lstrip("-")
    bound = "lte" if order[0].startswith("-") != backwards else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & condition


def _reversed(order: list[str]) -> list[str]:
    return [item[1:] if item.startswith("-") else f"-{item}" for item in order]


def _cursor(queryset: QuerySet, order: list[str], row: Any) -> str:
    """The cursor of `row`: its ordering values, read from the row and its loaded relations
    (select_related), else asked of the database (one query by primary key)."""
    values = []
    for item in order:
        value: Any = row
        *relations, last = item.lstrip("-").split("__")
        for name in relations:
            field = value._meta.get_field(name)
            if not field.is_cached(value):
                return _cursor_asked(queryset, order, row)
            value = field.get_cached_value(value)
            if value is None:
                return ""
        value = value.pk if last == "pk" else getattr(value, value._meta.get_field(last).attname)
        values.append(value)
    if any(v is None for v in values):
        return ""
    return _encode(values)


def _cursor_asked(queryset: QuerySet, order: list[str], row: Any) -> str:
    values = queryset.model._base_manager.filter(pk=row.pk).values_list(
        *[item.lstrip("-") for item in order]
    )
    found = list(values[:1])
    if not found or any(v is None for v in found[0]):
        return ""
    return _encode(list(found[0]))


def page_of(queryset: QuerySet, request: HttpRequest, size: int = 50) -> Page:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    order = _ordering(queryset)
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    values = None
    if order and number > 1 and (after or before):
        values = _decode(after or before, queryset.model, order)
    if order is None or (number > 1 and values is None):  # no cursor: OFFSET
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        page = Page(rows=rows[:size], number=number, has_next=len(rows) > size, size=size)
    elif values is None:  # the first page
        rows = list(queryset.order_by(*order)[: size + 1])
        page = Page(rows=rows[:size], number=number, has_next=len(rows) > size, size=size)
    elif after:
        rows = list(queryset.filter(_beyond(order, values)).order_by(*order)[: size + 1])
        page = Page(rows=rows[:size], number=number, has_next=len(rows) > size, size=size)
    else:
        backwards = queryset.filter(_beyond(order, values, backwards=True))
        rows = list(backwards.order_by(*_reversed(order))[:size])[::-1]
        page = Page(rows=rows, number=number, has_next=True, size=size)
    if order and page.rows:
        if page.has_next:
            page.next_cursor = _cursor(queryset, order, page.rows[-1])
        if page.number > 1:
            page.previous_cursor = _cursor(queryset, order, page.rows[0])
    return page


def deep_link(queryset: QuerySet, number: int, size: int = 50) -> str:
    """The query string of page `number` as the pager links to it (with the cursor of the last
    row of the page before): for tests and the benchmark."""
    order = _ordering(queryset)
    if number <= 1:
        return ""
    if order is None:
        return f"?page={number}"
    ordered = queryset.order_by(*order)
    row = ordered[(number - 1) * size - 1]
    return f"?page={number}&after={_cursor(queryset, order, row)}"
