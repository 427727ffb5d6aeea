"""Who may see the item behind a clock: each item type's own access condition, registered by
the app that owns the type.

`rules` keeps the deadlines of every app but imports none of them (arrows point down). A clock's
label, link and reminders reveal its item (a petition's reference, an appeal's receipt code), so
whatever reads clocks for a user must apply the item's access condition, not only the clock's
unit. The owning app registers that condition in its AppConfig.ready():

    visibility.register(Petition, petition_condition)

where `condition(user) -> Q | None` is the very function its own pages use (a Q over the item's
rows; None when the user sees none). Then

- `Clock.objects.visible_to(user)` keeps, for each registered type, only the clocks whose item
  meets the condition (`clock_condition`): the today panel, the deadline board, the
  drill-down and the year-end PDF all read clocks through it;
- the reminder scan hands a clock only to recipients who may open its item
  (`visible_item_ids`, rules/reminders.py `Recipients`).

A type nobody registered is read by the clock's unit scope alone (visits, pairings …: their
records are not secret from the units that keep them).

Each app also registers the page its items open (`register_page`): `item_links` turns the
clocks of a list into links to their matters (the today panel, the deadline board), offered
only to a user that page will answer, and names each matter by its reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q
from django.urls import reverse

ItemCondition = Callable[[Any], Q | None]
#: The rows an access condition keeps from a user, as conditions over every row of the model
#: (soft-deleted ones included) whose union is exactly the complement of what the condition
#: admits; None when the app has no short way of saying so for this user.
HiddenItems = Callable[[Any], list[Q] | None]

_registry: dict[type[Model], ItemCondition] = {}
_hidden: dict[type[Model], HiddenItems] = {}


def register(
    model: type[Model], condition: ItemCondition, *, hidden: HiddenItems | None = None
) -> None:
    """Declare the access condition of `model`'s rows (idempotent: the last one wins), and
    optionally its complement (`hidden`): for users who see nearly every item (the petition
    office, supervisors over their jurisdiction), counting clocks then subtracts the few
    hidden items instead of matching each clock against the set of every visible one."""
    _registry[model] = condition
    if hidden is None:
        _hidden.pop(model, None)
    else:
        _hidden[model] = hidden


def registered() -> dict[type[Model], ItemCondition]:
    return dict(_registry)


def _content_type(model: type[Model]) -> ContentType:
    # Clocks are started with for_concrete_model=False (rules.clocks.clock_start).
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


def items_visible_to(model: type[Model], user: Any) -> Any:
    """The rows of a registered `model` that `user` may see (a queryset; none when nothing)."""
    condition = _registry[model](user)
    rows = model._default_manager.all()
    return rows.none() if condition is None else rows.filter(condition)


def clock_condition(user: Any, *, prefix: str = "", per_row: bool = False) -> Q:
    """A Q over clocks (or over rows reaching a clock through `prefix`, e.g. 'clock__'): for each
    registered item type, only clocks whose item `user` may see; other types pass.

    By default each item type's condition is one set of the visible items (`object_id IN
    (…)`), which the database builds once, over every visible item: right for counting many
    clocks. `per_row` checks each clock's own item instead (an index probe by the item's key),
    right for a page of clocks read in order with a limit, where building the set of every
    visible item cost more than the page. The probe is a range on the key (`pk >= id AND pk <=
    id`) on purpose: PostgreSQL would turn an equality back into that set whenever it expects
    many rows before the limit.

    Counting (not `per_row`), when the item's app registered the complement of its condition
    (`register(..., hidden=...)`) and it has one for `user`, a clock passes when its item is
    in none of the hidden sets (`object_id NOT IN (…)`, each a few rows read by an index):
    the same clocks, as every clock's item exists (nothing is hard-deleted)."""
    condition = Q()
    # the types not cached yet in one query (ContentType's cache lasts the process)
    types = ContentType.objects.get_for_models(*_registry, for_concrete_models=False)
    for model in _registry:
        content_type = types[model]
        if per_row:
            own = OuterRef(f"{prefix}object_id")
            visible_item = Exists(items_visible_to(model, user).filter(pk__gte=own, pk__lte=own))
        elif (hidden := _hidden_items(model, user)) is not None and not prefix:
            visible_item = Q()
            for rows in hidden:
                visible_item &= ~Q(object_id__in=model._base_manager.filter(rows).values("pk"))
        else:
            visible_item = Q(
                **{f"{prefix}object_id__in": items_visible_to(model, user).values("pk")}
            )
        condition &= ~Q(**{f"{prefix}content_type": content_type}) | visible_item
    return condition


def _hidden_items(model: type[Model], user: Any) -> list[Q] | None:
    """The registered complement of `model`'s condition for `user`, when there is one."""
    hidden = _hidden.get(model)
    if hidden is None or _registry[model](user) is None:
        return None
    return hidden(user)


def visible_item_ids(user: Any, content_type_id: int, ids: Iterable[int]) -> set[int] | None:
    """Of the items `ids` of one type, those `user` may see; None when the type is not
    registered (the caller's unit scope decides)."""
    model = next(
        (m for m in _registry if _content_type(m).pk == content_type_id),
        None,
    )
    if model is None:
        return None
    wanted = set(ids)
    if not wanted:
        return set()
    return set(items_visible_to(model, user).filter(pk__in=wanted).values_list("pk", flat=True))


# --- the page an item opens ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemPage:
    """Where a clock's item is opened and what names it.

    `url_name` takes one argument, the value of `target` (the item's own pk, or e.g. the
    petition of a reception matter; empty: a page without arguments); `reference` is the
    field (a path such as "petition__ref") that names the matter in lists (its reference
    number, not an id; empty: the clock's own label names it);
    `opens(user)` is the access condition of that page over the item's rows (None: nothing),
    the same one its view applies, so a link is offered only when the page will answer;
    `fragment` (formatted with the item's pk) points into a list page; `steps` names the
    item's clock steps in words (accept → 受理告知)."""

    url_name: str
    reference: str
    opens: ItemCondition
    target: str = "pk"
    fragment: str = ""
    steps: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemLink:
    url: str
    reference: str


_pages: dict[type[Model], ItemPage] = {}


def register_page(model: type[Model], page: ItemPage) -> None:
    """Declare the page `model`'s items open (idempotent: the last one wins)."""
    _pages[model] = page


def registered_pages() -> dict[type[Model], ItemPage]:
    return dict(_pages)


def item_links(user: Any, items: Iterable[tuple[int, int]]) -> dict[tuple[int, int], ItemLink]:
    """For (content type id, object id) pairs: the link and reference of each item `user` may
    open, keyed like the input. One query per item type present (not per item); an item whose
    type registered no page, or that the user may not open, has no entry."""
    wanted: dict[int, set[int]] = {}
    for content_type_id, object_id in items:
        wanted.setdefault(content_type_id, set()).add(object_id)
    links: dict[tuple[int, int], ItemLink] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        page = _pages.get(model) if model is not None else None
        condition = page.opens(user) if page is not None else None
        if page is None or condition is None:
            continue
        fields = {"pk", page.reference, page.target} - {""}
        rows = model._default_manager.filter(condition).filter(pk__in=ids).values(*fields)
        for row in rows:
            url = reverse(page.url_name, args=[row[page.target]] if page.target else [])
            if page.fragment:
                url += "#" + page.fragment.format(pk=row["pk"])
            reference = str(row[page.reference] or "") if page.reference else ""
            links[(content_type_id, row["pk"])] = ItemLink(url, reference)
    return links


def scope_condition(unit_field: str) -> ItemCondition:
    """The access condition of records read by the user's unit scope alone (by `unit_field`)."""

    def condition(user: Any) -> Q | None:
        from directory.access import scope_for

        scope = scope_for(user)
        return None if scope.nothing else scope.condition(unit_field)

    return condition
