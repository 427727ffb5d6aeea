"""The parameters each rule kind takes, and their validation.

A rule's thresholds are data (RULES.md: "every threshold is data an administrator can edit"),
so the shape of that data is declared here once per kind: the pack loader validates pack
files with it, the edit form is generated from it and the evaluators read the cleaned values.

Cleaned parameters are canonical JSON: optional values that are absent or empty are left out,
booleans are always present (their default when not given), decimals are stored as int when
integral and as float otherwise. Canonical values matter because `load_rules` tells an
administrator's edit from a pack value by comparing parameter dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from math import gcd
from typing import Any

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from directory.base import split_codes
from directory.models import HouseholdCategory, Post, Rank

from .models import RuleKind

INT = "int"
DECIMAL = "decimal"
BOOL = "bool"
STR = "str"
CHOICE = "choice"
LIST = "list"
DICT = "dict"
PARAM_TYPES = (INT, DECIMAL, BOOL, STR, CHOICE, LIST, DICT)

#: key of errors that concern the parameters as a whole rather than one of them
GENERAL = "__all__"

Choices = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a rule kind.

    For `choice` the value is one of `choices`; for `list` each item is (one of `choices`,
    when given; an item may name alternatives as "a|b"); for `dict` each key is one of
    `choices` (when given) and each value an `item_type` number within `min`/`max`."""

    name: str
    type: str
    label: Any
    required: bool = False
    choices: Choices = ()
    min: int | float | None = None
    max: int | float | None = None
    default: Any = None
    item_type: str = STR  # list items and dict values: str, int or decimal
    help_text: Any = ""

    def choice_label(self, value: str) -> str:
        return str(dict(self.choices).get(value, value))


POSTS: Choices = tuple(Post.choices)
RANKS: Choices = tuple(Rank.choices)
HOUSEHOLD_CATEGORIES: Choices = tuple(HouseholdCategory.choices)
MONTHS: Choices = tuple((str(m), str(m)) for m in range(1, 13))

DURATION_UNITS: Choices = (
    ("workdays", _("working days")),
    ("days", _("days")),
    ("weeks", _("weeks")),
    ("months", _("months")),
)
ROSTER_DAYS: Choices = (
    ("workday", _("every working day")),
    ("calendar_day", _("every calendar day")),
    ("weekday", _("a given weekday every week")),
    ("first_weekday_of_month", _("the first given weekday of each month")),
    ("monthly", _("once a month (first week)")),
)
WEEKDAYS: Choices = (
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
)
PARTS_OF_DAY: Choices = (("am", _("morning")), ("pm", _("afternoon")), ("day", _("whole day")))
ROSTER_PER: Choices = (
    ("city", _("per city")),
    ("county", _("per county or district")),
    ("township", _("per township")),
    ("unit", _("per unit")),
    ("person", _("per person")),
)
COVERAGE_SCOPES: Choices = (
    ("villages", _("villages and communities")),
    ("groups", _("villager groups")),
    ("households", _("households")),
    ("contact_points", _("contact points")),
    ("paired_households", _("paired households")),
    ("urban_hardship", _("assigned urban hardship persons")),
    ("centre_household", _("centre household (联系中心户)")),
    ("radiated_households", _("radiated households (辐射户)")),
)
COVERAGE_WITHIN: Choices = (
    ("linked_township", _("the linked township")),
    ("own_township", _("the person's own township")),
    ("linked_village", _("the linked village")),
)
PAIRING_KINDS: Choices = (
    ("monitored", _("monitored household (监测户)")),
    ("alleviated", _("poverty-alleviated household (脱贫户)")),
    ("urban_hardship", _("urban hardship person")),
    ("centre", _("centre household")),
    ("radiated", _("radiated household")),
)

QUOTA_PARAMS = (
    ParamSpec("activity", STR, _("activity"), required=True),
    ParamSpec("count", INT, _("minimum number"), min=0),
    ParamSpec("max_count", INT, _("maximum number"), min=0),
    ParamSpec("percent", DECIMAL, _("minimum percentage"), min=0, max=100),
    ParamSpec("percent_of", STR, _("percentage of"), help_text=_("e.g. charged_case")),
    ParamSpec("qualifiers", LIST, _("qualifiers"), help_text=_("e.g. morning; workday")),
    ParamSpec("by_post", DICT, _("number by post"), choices=POSTS, item_type=INT, min=0),
)
COVERAGE_PARAMS = (
    ParamSpec("scope", CHOICE, _("scope"), required=True, choices=COVERAGE_SCOPES),
    ParamSpec("within", CHOICE, _("scope within"), choices=COVERAGE_WITHIN),
    ParamSpec("pairing_kind", CHOICE, _("pairing kind"), choices=PAIRING_KINDS),
    ParamSpec("min_visits", INT, _("minimum visits to each member"), min=1),
    ParamSpec("percent", DECIMAL, _("minimum share of the scope covered (%)"), min=0, max=100),
    ParamSpec("min_households", INT, _("minimum households per member"), min=1),
    ParamSpec(
        "household_mix",
        LIST,
        _("household mix"),
        choices=HOUSEHOLD_CATEGORIES,
        help_text=_("One category per household required; 'a|b' accepts either."),
    ),
    ParamSpec("activities", LIST, _("activities that count"), help_text=_("e.g. household; call")),
)
ROSTER_PARAMS = (
    ParamSpec("slot", STR, _("duty slot"), required=True),
    ParamSpec("days", CHOICE, _("duty days"), required=True, choices=ROSTER_DAYS),
    ParamSpec("weekday", INT, _("weekday"), choices=WEEKDAYS, min=0, max=6),
    ParamSpec("months", LIST, _("months of the year"), choices=MONTHS, item_type=INT),
    ParamSpec("part_of_day", CHOICE, _("part of the day"), choices=PARTS_OF_DAY),
    ParamSpec("per", CHOICE, _("one slot"), choices=ROSTER_PER),
    ParamSpec("special_period_days", CHOICE, _("days in a special period"), choices=ROSTER_DAYS),
    ParamSpec("substitution_allowed", BOOL, _("substitution allowed"), default=False),
    ParamSpec("excusable", BOOL, _("excusable with a recorded reason"), default=False),
)
DEADLINE_PARAMS = (
    ParamSpec("start_event", STR, _("start event"), required=True),
    ParamSpec("end_event", STR, _("end event"), required=True),
    ParamSpec("amount", INT, _("time limit"), min=1),
    ParamSpec("unit", CHOICE, _("unit of the time limit"), choices=DURATION_UNITS),
    ParamSpec("roll_to_workday", BOOL, _("move a due date off a rest day"), default=True),
    ParamSpec(
        "item_sets_limit",
        BOOL,
        _("the item sets its own limit"),
        default=False,
        help_text=_("e.g. a limit per appeal category or a problem's timetable"),
    ),
    ParamSpec("extension_amount", INT, _("extension"), min=1),
    ParamSpec(
        "extension_unit",
        CHOICE,
        _("unit of the extension"),
        choices=DURATION_UNITS,
        help_text=_("empty: the unit of the time limit"),
    ),
    ParamSpec("max_extensions", INT, _("maximum number of extensions"), min=0),
    ParamSpec("complex_amount", INT, _("time limit for a complex item"), min=1),
)
LIMIT_PARAMS = (
    ParamSpec("attribute", STR, _("attribute"), required=True),
    ParamSpec("max", INT, _("maximum"), required=True, min=0),
    ParamSpec("by_post", DICT, _("maximum by post"), choices=POSTS, item_type=INT, min=0),
    ParamSpec("second_attribute", STR, _("second attribute")),
    ParamSpec("second_max", INT, _("maximum of the second attribute"), min=0),
    ParamSpec(
        "second_by_post",
        DICT,
        _("maximum of the second attribute by post"),
        choices=POSTS,
        item_type=INT,
        min=0,
    ),
)
AMOUNT_PARAMS = (
    ParamSpec("measure", STR, _("measure"), required=True),
    ParamSpec("minimum", DECIMAL, _("minimum"), min=0),
    ParamSpec("by_rank", DICT, _("minimum by rank"), choices=RANKS, item_type=DECIMAL, min=0),
    ParamSpec("by_post", DICT, _("minimum by post"), choices=POSTS, item_type=DECIMAL, min=0),
)
SUBMISSION_PARAMS = (
    ParamSpec("document", STR, _("document"), required=True),
    ParamSpec("due", STR, _("due date (MM-DD)"), help_text=_("empty: the end of the period")),
    ParamSpec("min_count", INT, _("minimum number"), min=1),
    ParamSpec("max_count", INT, _("maximum number"), min=1),
)

KIND_PARAMS: dict[str, tuple[ParamSpec, ...]] = {
    RuleKind.QUOTA: QUOTA_PARAMS,
    RuleKind.COVERAGE: COVERAGE_PARAMS,
    RuleKind.ROSTER: ROSTER_PARAMS,
    RuleKind.DEADLINE: DEADLINE_PARAMS,
    RuleKind.LIMIT: LIMIT_PARAMS,
    RuleKind.AMOUNT: AMOUNT_PARAMS,
    RuleKind.SUBMISSION: SUBMISSION_PARAMS,
    RuleKind.PRACTICE: (),
}

# Parameters of which at least one must be given (the kind measures nothing otherwise).
ONE_OF: dict[str, tuple[str, ...]] = {
    RuleKind.QUOTA: ("count", "percent"),
    RuleKind.COVERAGE: ("min_visits", "percent", "min_households"),
    RuleKind.DEADLINE: ("amount", "item_sets_limit"),
    RuleKind.AMOUNT: ("minimum", "by_rank", "by_post"),
}


class ParamError(ValueError):
    """A value that does not fit its ParamSpec; the message says what is expected."""


def specs_for(kind: str) -> tuple[ParamSpec, ...]:
    return KIND_PARAMS.get(kind, ())


def validate_params(
    kind: str, params: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check `params` against the kind's schema.

    Returns (cleaned, errors); errors map a parameter name (or GENERAL) to messages that
    name the parameter. `cleaned` is only meaningful when errors is empty."""
    errors: dict[str, list[str]] = {}
    if kind not in KIND_PARAMS:
        return {}, {GENERAL: [gettext("Unknown rule kind: %(kind)s.") % {"kind": kind}]}
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return {}, {GENERAL: [gettext("Parameters must be a set of name/value pairs.")]}
    specs = {spec.name: spec for spec in KIND_PARAMS[kind]}
    for name in params:
        if name not in specs:
            errors.setdefault(name, []).append(
                gettext("Unknown parameter %(name)s for a %(kind)s rule.")
                % {"name": name, "kind": RuleKind(kind).label}
            )
    cleaned: dict[str, Any] = {}
    for spec in specs.values():
        try:
            value = _clean_value(spec, params.get(spec.name))
        except ParamError as exc:
            errors.setdefault(spec.name, []).append(_named(spec, str(exc)))
            continue
        if value is not None:
            cleaned[spec.name] = value
        elif spec.required:
            errors.setdefault(spec.name, []).append(
                _named(spec, gettext("this parameter is required."))
            )
    if not errors:
        _check_together(kind, cleaned, specs, errors)
    return cleaned, errors


def _named(spec: ParamSpec, message: str) -> str:
    return gettext("%(label)s (%(name)s): %(message)s") % {
        "label": spec.label,
        "name": spec.name,
        "message": message,
    }


def _check_together(
    kind: str, cleaned: dict[str, Any], specs: dict[str, ParamSpec], errors: dict[str, list[str]]
) -> None:
    """Cross-parameter checks: one of several, and minimum ≤ maximum."""
    needed = ONE_OF.get(kind)
    if needed and not any(cleaned.get(name, False) is not False for name in needed):
        errors.setdefault(GENERAL, []).append(
            gettext("Give at least one of: %(names)s.")
            % {"names": ", ".join(f"{specs[n].label} ({n})" for n in needed)}
        )
    for low, high in (("count", "max_count"), ("min_count", "max_count")):
        if low in cleaned and high in cleaned and cleaned[low] > cleaned[high]:
            errors.setdefault(high, []).append(
                _named(
                    specs[high],
                    gettext("must not be less than %(low)s.") % {"low": specs[low].label},
                )
            )
    if "amount" in cleaned and "unit" not in cleaned:
        errors.setdefault("unit", []).append(
            _named(specs["unit"], gettext("choose the unit of the time limit."))
        )


def _clean_value(spec: ParamSpec, value: Any) -> Any:
    """The canonical value, or None when absent/empty; raises ParamError when invalid."""
    if spec.type == BOOL:
        if value is None:
            return spec.default if spec.default is not None else False
        if not isinstance(value, bool):
            raise ParamError(gettext("enter true or false."))
        return value
    if value is None or value == "" or value == [] or value == {}:
        return None
    cleaner = {
        INT: _clean_int,
        DECIMAL: _clean_decimal,
        STR: _clean_str,
        CHOICE: _clean_choice,
        LIST: _clean_list,
        DICT: _clean_dict,
    }[spec.type]
    return cleaner(spec, value)


def _in_range(spec: ParamSpec, number: int | float | Decimal) -> None:
    if spec.min is not None and number < spec.min:
        raise ParamError(gettext("must be at least %(min)s.") % {"min": spec.min})
    if spec.max is not None and number > spec.max:
        raise ParamError(gettext("must be at most %(max)s.") % {"max": spec.max})


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ParamError(gettext("enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ParamError(gettext("enter a whole number."))


def _as_decimal(value: Any) -> int | float:
    """Decimals are kept as JSON numbers: int when integral, float otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ParamError(gettext("enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ParamError(gettext("enter a number.")) from None
    if not number.is_finite():
        raise ParamError(gettext("enter a number."))
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_int(spec: ParamSpec, value: Any) -> int:
    number = _as_int(value)
    _in_range(spec, number)
    return number


def _clean_decimal(spec: ParamSpec, value: Any) -> int | float:
    number = _as_decimal(value)
    _in_range(spec, number)
    return number


def _clean_str(spec: ParamSpec, value: Any) -> str | None:
    if not isinstance(value, str):
        raise ParamError(gettext("enter text."))
    text = value.strip()
    if spec.name == "due" and text:
        _check_month_day(text)
    return text or None


def _check_month_day(text: str) -> None:
    try:
        # 2000 is a leap year, so 02-29 is accepted.
        dt.datetime.strptime(f"2000-{text}", "%Y-%m-%d")  # noqa: DTZ007 (a date, no time)
    except ValueError:
        raise ParamError(gettext("enter a date as MM-DD, e.g. 12-31.")) from None
    if len(text) != 5:
        raise ParamError(gettext("enter a date as MM-DD, e.g. 12-31."))


def _clean_choice(spec: ParamSpec, value: Any) -> str:
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
    )
    allowed = [code for code, _label in spec.choices]
    if text not in allowed:
        raise ParamError(
            gettext("%(value)s is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(allowed)}
        )
    return text


def _clean_list(spec: ParamSpec, value: Any) -> list[Any] | None:
    if isinstance(value, str):
        items: list[Any] = split_codes(value)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ParamError(gettext("enter a list of values separated by ';'."))
    cleaned = [_clean_list_item(spec, item) for item in items]
    return cleaned or None


def _clean_list_item(spec: ParamSpec, item: Any) -> Any:
    if spec.item_type == INT:
        number = _as_int(item)
        if spec.choices and str(number) not in dict(spec.choices):
            raise ParamError(gettext("%(value)s is not allowed.") % {"value": item})
        return number
    if not isinstance(item, str) or not item.strip():
        raise ParamError(gettext("every item must be a non-empty text."))
    item = item.strip()
    if spec.choices:
        allowed = dict(spec.choices)
        for alternative in item.split("|"):
            if alternative not in allowed:
                raise ParamError(
                    gettext("%(value)s is not one of: %(choices)s.")
                    % {"value": alternative, "choices": ", ".join(allowed)}
                )
    return item


def _clean_dict(spec: ParamSpec, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        raise ParamError(gettext("enter pairs of key and value."))
    allowed = dict(spec.choices)
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        key = str(key).strip()
        if allowed and key not in allowed:
            raise ParamError(
                gettext("%(value)s is not one of: %(choices)s.")
                % {"value": key, "choices": ", ".join(allowed)}
            )
        number = _as_int(item) if spec.item_type == INT else _as_decimal(item)
        try:
            _in_range(spec, number)
        except ParamError as exc:
            raise ParamError(f"{key}: {exc}") from None
        cleaned[key] = number
    return cleaned or None


def describe_params(kind: str, params: Mapping[str, Any]) -> str:
    """The parameters in words, for lists: "minimum number 12 · activity reception"."""
    parts = []
    for spec in specs_for(kind):
        if spec.name not in params:
            continue
        value = params[spec.name]
        if spec.type == BOOL and value == spec.default:
            continue  # a default switch says nothing worth a list column
        parts.append(f"{spec.label} {display_value(spec, value, params)}")
    return " · ".join(parts)


#: AMOUNT measures whose minimum is a share (0.3333 of the working days), not a number of days
SHARE_MEASURES = frozenset({"grassroots_share"})
CHINESE_NUMERALS = "零一二三四五六七八九十"


def share_in_words(value: Any) -> str:
    """A share as people say it: 0.3333 is "三分之一（33.3%）" (English "1/3 (33.3%)"); a share
    that is no simple fraction (tenths at most) is given as a percentage only."""
    number = Decimal(str(value))
    percent = (number * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    percent_text = f"{percent.normalize():f}%"
    for denominator in range(2, 11):
        numerator = int((number * denominator).to_integral_value(rounding=ROUND_HALF_UP))
        close = abs(number - Decimal(numerator) / denominator) < Decimal("0.0005")
        if 0 < numerator < denominator and close and gcd(numerator, denominator) == 1:
            if (get_language() or "").startswith("zh"):
                fraction = f"{CHINESE_NUMERALS[denominator]}分之{CHINESE_NUMERALS[numerator]}"
            else:
                fraction = f"{numerator}/{denominator}"
            return gettext("%(fraction)s (%(percent)s)") % {
                "fraction": fraction,
                "percent": percent_text,
            }
    return percent_text


def display_value(spec: ParamSpec, value: Any, params: Mapping[str, Any] | None = None) -> str:
    """A parameter's value in words; `params` (the rule's others) tells a share from a count."""
    is_share = params is not None and params.get("measure") in SHARE_MEASURES
    if is_share and spec.name == "minimum":
        return share_in_words(value)
    if is_share and spec.type == DICT:
        return ", ".join(
            f"{spec.choice_label(key)} {share_in_words(number)}" for key, number in value.items()
        )
    if spec.type == BOOL:
        return gettext("yes") if value else gettext("no")
    if spec.type in (CHOICE, INT) and spec.choices:
        return spec.choice_label(str(value))
    if spec.type == LIST:
        if spec.choices and spec.item_type == STR:
            return ", ".join(
                gettext(" or ").join(spec.choice_label(alt) for alt in str(item).split("|"))
                for item in value
            )
        return ", ".join(str(item) for item in value)
    if spec.type == DICT:
        return ", ".join(f"{spec.choice_label(key)} {number}" for key, number in value.items())
    return str(value)
