"""Dates and numbers that cannot be true are refused wherever they enter.

Forms refuse them field by field (`not_in_future` for the date something happened); and
`directory.base.validated_save` — the way every service saves a record — refuses, for any
model, a date that no record of this product can carry and a whole number its column cannot
hold (`plausibility_errors`):

- a date before 1900 or more than PLAUSIBLE_YEARS_AHEAD years after today: an extension "to
  2099", a duty in 2999, a visit in 1800;
- a whole number outside what its column holds in PostgreSQL (a head count of 99,999,999,999 in
  a small-integer column: SQLite would have stored it, PostgreSQL would have failed with an
  error page).

A ledger records facts: these bounds refuse what cannot be stored or cannot have happened,
never what a rule would merely not count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .timeutil import today

EARLIEST = dt.date(1900, 1, 1)
#: how far ahead a planned date (a roster, a deadline, a festival) can reasonably lie
PLAUSIBLE_YEARS_AHEAD = 5
#: the ranges of the columns as PostgreSQL stores them (SQLite stores 64 bits in any of them)
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def latest_plausible() -> dt.date:
    now = today()
    try:
        return now.replace(year=now.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:  # 29 February
        return now.replace(year=now.year + PLAUSIBLE_YEARS_AHEAD, day=28)


def not_in_future(value: dt.date) -> None:
    """For the date something happened: it cannot be later than today."""
    if value > today():
        raise ValidationError(
            _("%(date)s is later than today: a date of something done cannot be in the future."),
            code="future",
            params={"date": date_format(value, "DATE_FORMAT")},
        )


def check_date(value: dt.date) -> None:
    """A date any record of this product may carry."""
    latest = latest_plausible()
    if value < EARLIEST or value > latest:
        raise ValidationError(
            _("%(date)s cannot be right: dates must lie between %(earliest)s and %(latest)s."),
            code="implausible_date",
            params={
                "date": date_format(value, "DATE_FORMAT"),
                "earliest": date_format(EARLIEST, "DATE_FORMAT"),
                "latest": date_format(latest, "DATE_FORMAT"),
            },
        )


def _date_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _integer_error(field: models.Field, value: Any) -> ValidationError | None:
    bounds = INTEGER_RANGES.get(field.get_internal_type())
    if bounds is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    low, high = bounds
    if value > high:
        return ValidationError(
            _("%(value)s is more than this field can hold (at most %(limit)s)."),
            code="too_large",
            params={"value": value, "limit": high},
        )
    if value < low:
        return ValidationError(
            _("%(value)s is less than this field can hold (at least %(limit)s)."),
            code="too_small",
            params={"value": value, "limit": low},
        )
    return None


def plausibility_errors(obj: models.Model) -> dict[str, list[ValidationError]]:
    """Field name -> errors, for the dates and whole numbers of `obj` that cannot be true."""
    errors: dict[str, list[ValidationError]] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        value = getattr(obj, field.attname, None)
        if value is None:
            continue
        error: ValidationError | None = None
        if isinstance(field, models.DateField):  # DateTimeField too
            day = _date_of(value)
            if day is not None:
                try:
                    check_date(day)
                except ValidationError as exc:
                    error = exc
        elif isinstance(field, models.IntegerField) and not field.primary_key:
            error = _integer_error(field, value)
        if error is not None:
            errors.setdefault(field.name, []).append(error)
    return errors


def check_plausible(obj: models.Model) -> None:
    if errors := plausibility_errors(obj):
        raise ValidationError(errors)
