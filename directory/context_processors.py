from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import navigation as nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = nav.items_for(request.user, request.path)
    return {
        "nav_items": items,
        "nav_groups": nav.groups_for(items),
        "site_name": settings.SITE_NAME,
    }
