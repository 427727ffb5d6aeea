"""Claiming a record for a step, so that two people doing the same step at once make one
winner and one clear message instead of a duplicate or a lost update.

A service that moves a record from one state to the next calls `claim` first, inside its
transaction: the record's row is locked (SELECT … FOR UPDATE) and read again. If a field the
step depends on differs from what the caller read, someone else moved the record in between:
`ConcurrentChange` (a ValidationError, so every form shows it as an error) says so. Otherwise
the caller's object now holds the current row and the lock is held until the transaction ends,
so the step's own checks run on fresh data and nobody can change the row meanwhile.

On SQLite the lock is a no-op, but SQLite runs one write transaction at a time (the settings
open every transaction IMMEDIATE), which gives the same one-at-a-time outcome."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


class ConcurrentChange(ValidationError):
    """Someone else changed the record between this request reading it and claiming it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("Someone else has just changed this record. Reload the page and try again."),
            code="concurrent",
        )


def _values(obj: models.Model, fields: Iterable[str]) -> dict[str, object]:
    meta = obj._meta
    return {name: getattr(obj, meta.get_field(name).attname) for name in fields}


def claim(obj: M, *, fields: Iterable[str] = (), message: str | None = None) -> M:
    """Lock `obj`'s row for the rest of the transaction and load its current values into
    `obj`; raise ConcurrentChange(message) if any of `fields` changed since the caller read
    it. Call it before changing `obj` in memory: unsaved changes are replaced."""
    fields = tuple(fields)
    seen = _values(obj, fields)
    obj.refresh_from_db(from_queryset=type(obj)._base_manager.select_for_update())
    if _values(obj, fields) != seen:
        raise ConcurrentChange(message)
    return obj


def lock(obj: models.Model) -> None:
    """Lock `obj`'s row for the rest of the transaction without reading it again: for an edit
    whose unsaved changes must be kept (the last edit wins, but what the edit starts — a clock —
    is started once)."""
    if obj.pk is not None:
        list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
