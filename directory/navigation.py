"""Navigation entries by role. Each app registers its own entries in its AppConfig.ready()
or at import of its urls; the base layout shows the entries the user's roles allow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: any role
    everyone: bool = False  # also accounts without a role (deputies and members)
    check: Callable[[Any], bool] | None = None  # a finer test, the same the view applies
    order: int = 100

    def allowed(self, user: Any) -> bool:
        if self.check is not None and not user.is_superuser:
            return self.check(user)
        if user.is_superuser or self.everyone:
            return True
        return user.has_role(*self.roles) if self.roles else bool(user.role_list)


_items: dict[str, NavItem] = {}


def register(
    label: Any,
    url_name: str,
    roles: tuple[str, ...] = (),
    order: int = 100,
    *,
    everyone: bool = False,
    check: Callable[[Any], bool] | None = None,
) -> None:
    """An entry for the given roles; without roles, for every account that has a role; with
    `everyone`, also for accounts without one (a deputy's own items); with `check`, for the
    accounts that pass it (the same test the page applies)."""
    _items[url_name] = NavItem(
        label=label,
        url_name=url_name,
        roles=frozenset(roles),
        order=order,
        everyone=everyone,
        check=check,
    )


def items_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The entries the user may open; `current` marks the one whose URL prefixes `path`."""
    if not getattr(user, "is_authenticated", False):
        return []
    result = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.url_name)):
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append(
            {"label": str(item.label), "url": url, "name": item.url_name, "current": False}
        )
    # The longest matching prefix wins ("/" is the today page only when nothing else matches).
    matches = [
        entry
        for entry in result
        if path == entry["url"] or (entry["url"] != "/" and path.startswith(entry["url"]))
    ]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["current"] = True
    return result
