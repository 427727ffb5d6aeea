"""Creating many new records at once with their history (django-simple-history), for imports
of a county's year of facts (150,000 visits: a million rows with their people, households and
history). On PostgreSQL the rows go in with COPY, ids drawn from the table's sequence first, the
history rows written beside them as `bulk_create_with_history` writes them ("+", the reason, the
account, the time); elsewhere `bulk_create_with_history` itself does it.

Only plain field types take the COPY path (text, numbers, dates, booleans, keys, and JSON as
the database adapts it), whose Python values PostgreSQL reads as they are; a model with any
other field falls back to bulk_create. `create_many` does the same for models without history."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)

PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField too
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,  # the small and positive ones too
    models.JSONField,  # written as the database adapts it (below)
    models.TextField,
)


def _copyable(model: type[models.Model]) -> bool:
    history = model.history.model  # type: ignore[attr-defined]
    fields = [*model._meta.concrete_fields, *history._meta.concrete_fields]
    return all(isinstance(field, PLAIN_FIELDS) for field in fields)


def create_with_history(
    objs: Sequence[M], model: type[M], *, user: Any = None, reason: str = ""
) -> Sequence[M]:
    """Insert new records and one "+" history row each; returns them with their ids."""
    if not objs:
        return objs
    if connection.vendor != "postgresql" or not _copyable(model):
        return bulk_create_with_history(
            list(objs), model, default_user=user, default_change_reason=reason
        )
    _insert(objs, model)
    history = model.history.model  # type: ignore[attr-defined]
    extra = {
        "history_date": timezone.now(),
        "history_type": "+",
        "history_change_reason": reason or None,
        "history_user_id": getattr(user, "pk", None),
    }
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    readers = [
        (lambda _obj, value=extra[f.attname]: value)
        if f.attname in extra
        else _reader(f, add=False)
        for f in history_fields
    ]
    _copy(history, history_fields, ([read(obj) for read in readers] for obj in objs))
    return objs


def create_many(objs: Sequence[M], model: type[M]) -> Sequence[M]:
    """Insert new records of a model without history (COPY on PostgreSQL); returns them with
    their ids."""
    if not objs:
        return objs
    if connection.vendor != "postgresql" or not all(
        isinstance(f, PLAIN_FIELDS) for f in model._meta.concrete_fields
    ):
        return model._default_manager.bulk_create(list(objs), batch_size=500)
    _insert(objs, model)
    return objs


def _insert(objs: Sequence[models.Model], model: type[models.Model]) -> None:
    _draw_ids(objs, model)
    fields = list(model._meta.concrete_fields)
    readers = [_reader(f, add=True) for f in fields]
    _copy(model, fields, ([read(obj) for read in readers] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _reader(field: models.Field, *, add: bool) -> Callable[[models.Model], Any]:
    """What a COPY row holds for `field` of an object: its value as `save()` would store it
    (auto_now set on a new record; JSON adapted), read once per field kind, not per value."""
    if isinstance(field, models.JSONField):
        return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
    if add and type(field).pre_save is not models.Field.pre_save:
        return lambda obj: field.pre_save(obj, True)
    return operator.attrgetter(field.attname)


def _draw_ids(objs: Sequence[models.Model], model: type[models.Model]) -> None:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, sorted(ids), strict=True):
        obj.pk = pk


def _copy(model: type[models.Model], fields: list[models.Field], rows: Any) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
