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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

ItemCondition = Callable[[Any], Q | None]

_registry: dict[type[Model], ItemCondition] = {}


def register(model: type[Model], condition: ItemCondition) -> None:
    """Declare the access condition of `model`'s rows (idempotent: the last one wins)."""
    _registry[model] = condition


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


def clock_condition(user: Any, *, prefix: str = "") -> Q:
    """A Q over clocks (or over rows reaching a clock through `prefix`, e.g. 'clock__'): for each
    registered item type, only clocks whose item `user` may see; other types pass."""
    condition = Q()
    for model in _registry:
        content_type = _content_type(model)
        visible = items_visible_to(model, user).values("pk")
        condition &= ~Q(**{f"{prefix}content_type": content_type}) | Q(
            **{f"{prefix}object_id__in": visible}
        )
    return condition


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
