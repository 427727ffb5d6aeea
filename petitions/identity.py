"""Resident ID numbers (GB 11643-1999) and phone numbers: validation and masking.

A resident ID number has 17 digits and a check character: the digits are weighted by
2^(17-i) mod 11, the sum taken mod 11 and mapped through "10X98765432". Digits 7–14 are the
date of birth. First-generation 15-digit cards expired in 2013 and are not accepted.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.timeutil import today

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CODES[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if not _ID_SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_shape"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The date of birth in this ID number does not exist."), code="id_birth"
        ) from exc
    if birth.year < 1900:
        raise ValidationError(
            _("The date of birth in this ID number does not exist."), code="id_birth"
        )
    if birth > today():
        raise ValidationError(
            _("The date of birth in this ID number (%(date)s) is in the future."),
            code="id_birth_future",
            params={"date": birth.isoformat()},
        )
    if id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number fails its check digit: a character was mistyped."), code="id_check"
        )


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value.strip()).replace("+86", "")


def validate_phone(value: str) -> None:
    number = normalise_phone(value)
    if not (_MOBILE.match(number) or _LANDLINE.match(number)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code."),
            code="phone",
        )


def mask_id_number(value: str) -> str:
    """'430102199001011234' -> '430102********1234': region kept, birth date hidden."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """'13812345678' -> '138****5678'."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
