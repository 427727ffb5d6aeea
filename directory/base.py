"""Abstract bases shared by every app: soft deletion and `;`-separated code lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: (field, language) → {stored value: label}: the labels of a field's choices in one language,
#: built once (Model._get_FIELD_display rebuilds a dict and hashes every lazy label per call,
#: which was a large part of a list page's rows).
_LABELS: dict[tuple[models.Field, str | None], dict[Any, str]] = {}


def choice_labels(field: models.Field) -> dict[Any, str]:
    """The labels of `field`'s choices in the active language, by stored value."""
    key = (field, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {value: force_str(label) for value, label in field.flatchoices}
        _LABELS[key] = labels
    return labels


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=False)


class SoftDeleteModel(models.Model):
    """Nothing is hard-deleted: `objects` shows live rows, `all_objects` every row."""

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def soft_delete(self, *, reason: str = "") -> None:
        self.deleted_at = timezone.now()
        self._change_reason = reason or "soft delete"
        self.save(update_fields=["deleted_at"])

    def restore(self, *, reason: str = "") -> None:
        self.deleted_at = None
        self._change_reason = reason or "restore"
        self.save(update_fields=["deleted_at"])

    def delete(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ARG002
        raise TypeError("Records are never hard-deleted; use soft_delete().")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802  (Django's name)
        """get_FOO_display() from labels built once per field and language (choice_labels);
        the same result as Django's."""
        value = getattr(self, field.attname)
        try:
            labels = choice_labels(field)
            return labels[value] if value in labels else force_str(value, strings_only=True)
        except TypeError:  # an unhashable value (a list in a JSON field): Django's way
            return super()._get_FIELD_display(field)


M = TypeVar("M", bound=models.Model)


def validated_save(obj: M, reason: str) -> M:
    """full_clean() then save(), with the reason kept in the record's history. Dates and whole
    numbers that cannot be true are refused here for every model (directory.plausible)."""
    from .plausible import check_plausible

    obj.full_clean()
    check_plausible(obj)
    obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()
    return obj


def split_codes(value: str | Iterable[str] | None) -> list[str]:
    """'a; b;;c' -> ['a', 'b', 'c'] (order kept, duplicates dropped)."""
    if value is None:
        return []
    items = value.replace("；", ";").split(";") if isinstance(value, str) else list(value)
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def join_codes(values: Iterable[str]) -> str:
    return ";".join(split_codes(list(values)))


def codes_regex(code: str) -> str:
    """A regex matching `code` as one element of a `;`-list field (works on SQLite and PostgreSQL)."""
    return rf"(^|;){code}(;|$)"


class LiveManager(models.Manager):
    """The default manager of soft-deletable models: deleted rows never show."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)
