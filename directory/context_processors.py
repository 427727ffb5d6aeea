from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import navigation as nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Computed when a template first shows it, once per request: the today page renders each
    # panel with the request's context too, and no panel shows the navigation.
    items = getattr(request, "_nav_items", None)
    if items is None:
        items = SimpleLazyObject(lambda: nav.items_for(request.user, request.path))
        request._nav_items = items  # type: ignore[attr-defined]
    groups = getattr(request, "_nav_groups", None)
    if groups is None:
        groups = SimpleLazyObject(lambda: nav.groups_for(items))
        request._nav_groups = groups  # type: ignore[attr-defined]
    return {"nav_items": items, "nav_groups": groups, "site_name": settings.SITE_NAME}
