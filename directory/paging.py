"""Paging without a COUNT over the table: fetch one row more than a page to know if another follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def page_of(queryset: QuerySet, request: HttpRequest, size: int = 50) -> Page:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size, size=size)
