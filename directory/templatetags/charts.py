"""`{% progress_bar actual required status %}`: the one quota bar every page draws (an SVG
bar with its figures beside it; see directory.charts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from directory.charts import progress_bar as make_bar

register = template.Library()


@register.inclusion_tag("charts/_progress_bar.html")
def progress_bar(
    actual: Decimal | int,
    required: Decimal | int,
    status: str = "open",
    unit: str = "",
    figures: bool = True,
) -> dict[str, Any]:
    """`unit` names what is counted (户, ¥ …), shown after the figures; `figures=False` when
    the page prints them itself (the bar is then hidden from screen readers only)."""
    bar = make_bar(actual or 0, required or 0, status)
    return {"bar": bar, "unit": unit, "figures": figures}
