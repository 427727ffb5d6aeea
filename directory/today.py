"""Panels of the "today" page. Each app registers what a user of a given role must see today;
the today view renders the panels whose roles match, in order.

    register_panel("calendar-warning", "rules/_today_calendar.html", context_fn, roles=("admin",))

`context_fn(request, today)` returns the panel's template context, or None to hide the panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, dt.date], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: PanelContext
    roles: frozenset[str]
    order: int


_panels: dict[str, Panel] = {}


def register_panel(
    name: str, template: str, context: PanelContext, roles: tuple[str, ...] = (), order: int = 100
) -> None:
    _panels[name] = Panel(name, template, context, frozenset(roles), order)


def panels_for(request: HttpRequest, today: dt.date) -> list[dict[str, Any]]:
    user = request.user
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.roles and not (user.is_superuser or user.has_role(*panel.roles)):
            continue
        context = panel.context(request, today)
        if context is not None:
            shown.append({"name": panel.name, "template": panel.template, "context": context})
    return shown
