"""Small display helpers of the visits pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from directory.base import split_codes
from directory.models import HouseholdCategory
from rules.compliance import STATUS_LABELS

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def number(value: Any) -> str:
    """3 for 3.0, 2.5 for 2.50: days and counts without trailing zeros."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@register.filter
def categories(value: str) -> str:
    labels = dict(HouseholdCategory.choices)
    return "、".join(str(labels.get(code, code)) for code in split_codes(value))


@register.filter
def cell(cells: dict, rule_id: str) -> Any:
    return cells.get(rule_id)
