"""Cell parsers of the ledger import: a parser turns one cell into a Python value or raises
ValidationError with a message in the user's language. Each handles the empty cell ("") itself
so that an optional column can say what "empty" means.

Real ledgers are typed by hand: full-width digits and spaces (`２０２５年３月１日`), numbers
stored as text, dates as Excel cells, Excel serial numbers or text (`2025-03-01`, `2025/3/1`,
`2025年3月1日`, `2025.03.01`, `20250301`), `是/否` and `√/×` for yes and no."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .ledger_read import Cell


def fold(value: str) -> str:
    """Full-width digits, letters, punctuation and spaces to their plain forms (NFKC)."""
    return unicodedata.normalize("NFKC", value)


def norm(value: str) -> str:
    """Case-, width- and whitespace-insensitive form used to match names and choice labels."""
    return re.sub(r"\s+", "", fold(value)).lower()


_TITLE_NOISE = re.compile(r"[*＊:：]+$|^[*＊]+")
_TRAILING_NOTE = re.compile(r"\((?:[^()]*)\)$")


def title_key(value: str) -> str:
    """A column title as matched: `norm`, without a required-mark `*`, a trailing colon or a
    trailing note in brackets (`金额（元）` and `金额` are the same column)."""
    key = _TITLE_NOISE.sub("", norm(value))
    stripped = _TRAILING_NOTE.sub("", key)
    return stripped or key


def text(value: Cell) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def code(value: Cell) -> str:
    """A code typed with full-width characters is the same code (`ＱＨ－１` is `QH-1`)."""
    return fold(text(value)).strip()


def _number_text(value: Cell) -> str:
    if isinstance(value, bool | dt.date):
        return "x"  # never a number
    cleaned = fold(text(value)).replace(",", "").replace(" ", "")
    return cleaned.lstrip("¥￥").rstrip("元").strip()


def integer(value: Cell) -> int | None:
    if value == "":
        return None
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    return int(number)


def decimal(value: Cell) -> Decimal | None:
    if value == "":
        return None
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    return number


# 2025-03-05, 2025/3/5, 2025.3.5, 2025年3月5日 (a trailing 日 or 号), with an optional time.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*[日号])?")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(
    r"^(?:[ T]*(?:上午|下午)?\s*(\d{1,2})\s*[:时]\s*(\d{2})(?:\s*[:分]\s*(\d{2}))?(?:\.\d+)?\s*[秒分]?)?$"
)
# Excel's serial day numbers of the years a ledger holds (1954–2119); day 0 is 1899-12-30.
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _serial(value: str) -> tuple[dt.date, dt.time | None] | None:
    if not _SERIAL.match(value):
        return None
    number = float(value)
    if not 20000 <= number < 80000:
        return None
    days = int(number)
    seconds = round((number - days) * 86400)
    hours, rest = divmod(seconds, 3600)
    clock = dt.time(min(hours, 23), rest // 60, rest % 60) if seconds else None
    return _EXCEL_EPOCH + dt.timedelta(days=days), clock


def _split_datetime(raw: str) -> tuple[dt.date, dt.time | None] | None:
    value = fold(raw).strip()
    if serial := _serial(value):
        return serial
    if compact := _COMPACT_DATE.match(value):
        value = "-".join(compact.groups())
    match = _DATE.match(value)
    if not match:
        return None
    rest = value[match.end() :]
    time_match = _TIME.match(rest)
    if not time_match:
        return None
    try:
        day = dt.date(*(int(part) for part in match.groups()))
        hour, minute, second = time_match.groups()
        clock = None
        if hour is not None:
            hour_number = int(hour) + (12 if "下午" in rest and int(hour) < 12 else 0)
            clock = dt.time(hour_number, int(minute), int(second or 0))
    except ValueError:
        return None
    return day, clock


def date(value: Cell) -> dt.date | None:
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parts = _split_datetime(text(value))
    if parts is None or (parts[1] is not None and parts[1] != dt.time(0)):
        raise ValidationError(_("Enter a date as YYYY-MM-DD."))
    return parts[0]


def datetime(value: Cell) -> dt.datetime | None:
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        parts = _split_datetime(text(value))
        if parts is None:
            raise ValidationError(_("Enter a date and time as YYYY-MM-DD HH:MM."))
        moment = dt.datetime.combine(parts[0], parts[1] or dt.time(0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


_YES = {"yes", "y", "true", "1", "是", "对", "√", "✓", "✔", "有"}
_NO = {"no", "n", "false", "0", "否", "×", "✗", "✘", "x", "无", "不是"}


def boolean(value: Cell) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "":
        return None
    word = norm(text(value))
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError(_("Enter yes or no (是/否, √/×)."))


ChoicesArg = Iterable[tuple[str, Any]] | type[models.Choices]
Aliases = Mapping[str, str | tuple[str, ...]]


class Choice:
    """One value of a fixed list: the key (`township`), its label, or one of its aliases
    (`乡镇`). The list is read from the model's choices each time, so that a value added to
    the model is accepted without touching the sheet."""

    def __init__(self, choices: ChoicesArg, aliases: Aliases | None = None) -> None:
        self._choices = choices
        self._aliases = dict(aliases or {})
        self._lookups: dict[str, dict[str, str]] = {}

    def _pairs(self) -> list[tuple[str, Any]]:
        source = self._choices
        return list(source.choices if isinstance(source, type) else source)

    @property
    def values(self) -> list[str]:
        return [str(key) for key, _label in self._pairs()]

    def _lookup(self) -> dict[str, str]:
        # per language (labels are translated); a model's choices do not change while it runs
        cache_key = translation.get_language() or ""
        if cache_key in self._lookups:
            return self._lookups[cache_key]
        pairs = self._pairs()
        lookup = {norm(str(key)): str(key) for key, _label in pairs}
        for alias, keys in self._aliases.items():
            # an alias may name several keys, the first the model has wins (`街道` is a street
            # where streets are a kind of unit, else a township)
            for key in (keys,) if isinstance(keys, str) else keys:
                if key in lookup.values():
                    lookup.setdefault(norm(alias), key)
                    break
        for key, label in pairs:
            lookup.setdefault(norm(str(label)), str(key))
        self._lookups[cache_key] = lookup
        return lookup

    def match(self, value: str) -> str | None:
        return self._lookup().get(norm(value))

    def label(self, key: str) -> str:
        """The label of a key, as the pages show it."""
        return next((str(label) for k, label in self._pairs() if str(k) == key), key)

    def __call__(self, value: Cell) -> str:
        word = text(value)
        if word == "":
            return ""
        key = self.match(word)
        if key is None:
            raise ValidationError(
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": word, "choices": ", ".join(self.values)}
            )
        return key


class CodeList:
    """A `;`-separated list (also `；` `,` `，` `、` `/`): codes or names of records, or values of
    a Choice."""

    _SEPARATORS = re.compile(r"[;；,，、/／\n]")

    def __init__(self, choices: ChoicesArg | None = None, aliases: Aliases | None = None):
        self.choice = Choice(choices, aliases) if choices is not None else None

    @property
    def values(self) -> list[str]:
        return self.choice.values if self.choice else []

    def __call__(self, value: Cell) -> list[str]:
        items: list[str] = []
        for item in self._SEPARATORS.split(text(value)):
            item = item.strip()
            if item and item not in items:
                items.append(item)
        if self.choice is None:
            return items
        unknown = [item for item in items if self.choice.match(item) is None]
        if unknown:
            raise ValidationError(
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": ";".join(unknown), "choices": ", ".join(self.values)}
            )
        keys = [self.choice.match(item) or "" for item in items]
        return list(dict.fromkeys(keys))


def shown(value: Any, parse: Any = None) -> str:
    """A parsed value as the preview shows it (a key of a fixed list by its label)."""
    if value is None:
        return ""
    choice = parse if isinstance(parse, Choice) else getattr(parse, "choice", None)
    if isinstance(value, list | tuple):
        return "; ".join(shown(item, choice) for item in value)
    if isinstance(choice, Choice) and isinstance(value, str) and value:
        return choice.label(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
