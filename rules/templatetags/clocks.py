"""Template tags for deadlines: `{% computation clock.computation %}` explains a due date."""

from __future__ import annotations

from typing import Any

from django import template

from rules.workdays import describe_computation

register = template.Library()


@register.inclusion_tag("rules/_computation.html")
def computation(value: dict[str, Any] | None) -> dict[str, Any]:
    """The computation of a due date as a list of sentences (see describe_computation)."""
    return {"lines": describe_computation(value or {})}
