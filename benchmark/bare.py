"""Bare keyset views: the baseline of the list pages. Each renders the same 50 rows a list
page shows (same table, same order, same scope of the whole county), inside the same base
template, with a plain keyset query (`?after=<pk>` of the last row) and no filter form, no
annotation, no per-row logic. Registered in `LISTS` by the list cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines

_TEMPLATE = engines["django"].from_string(
    """{% extends "base.html" %}{% block title %}bare{% endblock %}{% block content %}
<table><thead><tr>{% for title in titles %}<th>{{ title }}</th>{% endfor %}</tr></thead><tbody>
{% for cells in rows %}<tr>{% for cell in cells %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% if last %}<a href="?after={{ last }}">next</a>{% endif %}{% endblock %}"""
)


@dataclass
class BareList:
    queryset: Callable[[], QuerySet[Any]]  # ordered by (field desc/asc, pk same direction)
    order: str  # the ordering field (a leading "-" for descending)
    columns: list[tuple[str, Callable[[Model], Any]]]


LISTS: dict[str, BareList] = {}


def keyset(queryset: QuerySet[Any], order: str, after: Model | None) -> QuerySet[Any]:
    field = order.lstrip("-")
    desc = order.startswith("-")
    queryset = queryset.order_by(order, "-pk" if desc else "pk")
    if after is None:
        return queryset
    value = getattr(after, field)
    op = "lt" if desc else "gt"
    return queryset.filter(
        Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": after.pk})
    )


def bare_list(request: HttpRequest, name: str) -> HttpResponse:
    spec = LISTS.get(name)
    if spec is None:
        raise Http404
    queryset = spec.queryset()
    after = None
    if request.GET.get("after"):
        after = queryset.model._base_manager.get(pk=int(request.GET["after"]))
    rows = list(keyset(queryset, spec.order, after)[:50])
    context = {
        "titles": [title for title, _get in spec.columns],
        "rows": [[get(row) for _title, get in spec.columns] for row in rows],
        "last": rows[-1].pk if len(rows) == 50 else "",
    }
    return HttpResponse(_TEMPLATE.render(context, request))
