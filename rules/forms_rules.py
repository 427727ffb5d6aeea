"""Forms of the rules pages: the list filter and the administrator's parameter edit.

The edit form is generated from the rule kind's ParamSpecs (rules.kinds), so a new
parameter needs no form code; the final check is `validate_params`, the same one the pack
loader uses, so the browser cannot store what a pack file could not."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from directory.base import split_codes

from .kinds import (
    BOOL,
    CHOICE,
    DECIMAL,
    DICT,
    GENERAL,
    INT,
    LIST,
    ParamSpec,
    specs_for,
    validate_params,
)
from .models import Rule, RuleKind
from .packs import available_packs, pack_label

EMPTY_CHOICE = ("", "—")


class RuleFilterForm(forms.Form):
    pack = forms.ChoiceField(label=_("Rule pack"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *RuleKind.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pack"].choices = [
            ("", _("All packs")),
            *((code, pack_label(code)) for code in available_packs()),
        ]


def _number(value: int | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def param_field(spec: ParamSpec) -> forms.Field:
    """The form field of one parameter; the types only convert, validate_params judges."""
    common: dict[str, Any] = {
        "label": capfirst(spec.label),
        "required": spec.required,
        "help_text": spec.help_text,
    }
    if spec.type == INT and spec.choices:
        choices = [EMPTY_CHOICE, *spec.choices]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if spec.type == INT:
        return forms.IntegerField(min_value=spec.min, max_value=spec.max, **common)
    if spec.type == DECIMAL:
        return forms.DecimalField(
            min_value=_number(spec.min), max_value=_number(spec.max), **common
        )
    if spec.type == BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if spec.type == CHOICE:
        return forms.ChoiceField(choices=[EMPTY_CHOICE, *spec.choices], **common)
    if spec.type == LIST:
        help_text = _("Separate several values with ';'.")
        return forms.CharField(**{**common, "help_text": f"{help_text} {spec.help_text}"})
    if spec.type == DICT:
        keys = ", ".join(f"{code} ({label})" for code, label in spec.choices)
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}),
            **{
                **common,
                "help_text": _("One per line as “key: value”; keys: %(keys)s") % {"keys": keys},
            },
        )
    return forms.CharField(max_length=200, **common)


def initial_value(spec: ParamSpec, value: Any) -> Any:
    if value is None:
        return spec.default if spec.type == BOOL else None
    if spec.type == LIST:
        return "; ".join(str(item) for item in value)
    if spec.type == DICT:
        return "\n".join(f"{key}: {number}" for key, number in value.items())
    return value


def parse_dict(text: str) -> dict[str, str]:
    """'county_level: 800' lines (or a JSON object) → {'county_level': '800'}."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("Enter pairs of key and value."))
        return data
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().replace("：", ":")
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip() or not value.strip():
            raise forms.ValidationError(
                _("Line %(number)s: write “key: value”.") % {"number": number}
            )
        pairs[key.strip()] = value.strip()
    return pairs


class RuleEditForm(forms.Form):
    """The parameters of one rule (fields named after the parameters), its active flag and
    the reason for the change, which goes into the rule's history."""

    short_title = forms.CharField(
        label=_("Short name"),
        max_length=40,
        required=False,
        help_text=_("Shown in lists and table headers; empty: the title."),
    )
    active = forms.BooleanField(label=_("Active"), required=False)
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,  # simple-history's history_change_reason column
        help_text=_("Kept in the rule's history."),
    )

    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.specs = specs_for(rule.kind)
        self.params: dict[str, Any] = {}
        param_fields = {spec.name: param_field(spec) for spec in self.specs}
        # Parameters first, then the flag and the reason.
        self.fields = {**param_fields, **self.fields}
        for spec in self.specs:
            self.initial[spec.name] = initial_value(spec, rule.params.get(spec.name))
        self.initial["active"] = rule.active
        self.initial["short_title"] = rule.short_title

    def param_fields(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in self.specs]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(spec.name in self.errors for spec in self.specs):
            return cleaned
        raw: dict[str, Any] = {}
        for spec in self.specs:
            value = cleaned.get(spec.name)
            try:
                raw[spec.name] = self._raw(spec, value)
            except forms.ValidationError as exc:
                self.add_error(spec.name, exc)
        if self.errors:
            return cleaned
        self.params, errors = validate_params(self.rule.kind, raw)
        for name, messages in errors.items():
            for message in messages:
                self.add_error(None if name == GENERAL else name, message)
        return cleaned

    @staticmethod
    def _raw(spec: ParamSpec, value: Any) -> Any:
        if spec.type == LIST:
            return split_codes(value or "")
        if spec.type == DICT:
            return parse_dict(value or "")
        if spec.type == CHOICE:
            return value or None
        return value
