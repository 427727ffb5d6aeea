"""The navigation: groups of entries by area of work, each entry shown to the accounts its page
admits. The groups (their order and labels) are defined here, in one place; each app registers
its entries beside its views (`register(..., group="petitions")`) with the same permission test
the view applies, and the base layout shows the groups that have an entry for the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any  # a lazy translation; short (two to four characters in Chinese)


#: The areas of work, in the order the menu shows them.
GROUPS: tuple[NavGroup, ...] = (
    NavGroup("petitions", pgettext_lazy("navigation group", "Petition reception")),
    NavGroup("appeals", pgettext_lazy("navigation group", "Online appeals")),
    NavGroup("proposals", pgettext_lazy("navigation group", "Suggestions")),
    NavGroup("visits", pgettext_lazy("navigation group", "Visits")),
    NavGroup("assistance", pgettext_lazy("navigation group", "Pairing and aid")),
    NavGroup("supervision", pgettext_lazy("navigation group", "Supervision")),
    NavGroup("directory", pgettext_lazy("navigation group", "Registers")),
    NavGroup("system", pgettext_lazy("navigation group", "System")),
)
GROUP_KEYS = frozenset(group.key for group in GROUPS)


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    group: str
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
    group: str,
    everyone: bool = False,
    check: Callable[[Any], bool] | None = None,
) -> None:
    """An entry of `group` for the given roles; without roles, for every account that has a
    role; with `everyone`, also for accounts without one (a deputy's own items); with `check`,
    for the accounts that pass it (the same test the page applies)."""
    if group not in GROUP_KEYS:
        raise ValueError(f"unknown navigation group {group!r} for {url_name}")
    _items[url_name] = NavItem(
        label=label,
        url_name=url_name,
        group=group,
        roles=frozenset(roles),
        order=order,
        everyone=everyone,
        check=check,
    )


def items_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The entries the user may open, in menu order; `current` marks the one whose URL is the
    longest prefix of `path`."""
    if not getattr(user, "is_authenticated", False):
        return []
    rank = {group.key: index for index, group in enumerate(GROUPS)}
    result = []
    for item in sorted(_items.values(), key=lambda i: (rank[i.group], i.order, i.url_name)):
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append(
            {
                "label": str(item.label),
                "url": url,
                "name": item.url_name,
                "group": item.group,
                "current": False,
            }
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


def groups_for(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The user's entries under their groups (groups without an entry left out); a group is
    `current` when it holds the current entry."""
    groups = []
    for group in GROUPS:
        entries = [entry for entry in items if entry["group"] == group.key]
        if entries:
            groups.append(
                {
                    "key": group.key,
                    "label": str(group.label),
                    "items": entries,
                    "current": any(entry["current"] for entry in entries),
                }
            )
    return groups
