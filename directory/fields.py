"""Form fields and widgets for filters over many units (DESIGN "Scale": 300 villages and more
in a county, ten times that in a city): a unit typed by code or name instead of a <select> of
every unit, and a <select> rendered in Python instead of a template render per option."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from .models import OrgUnit


class UnitInScopeField(forms.CharField):
    """A unit typed by its code or its exact name (a link may carry its id), found among
    `units` (the units the user may see, of the kind the filter needs): a text field, not a
    list of every unit (thousands of options, most of a page's time)."""

    default_error_messages = {
        "unknown": gettext_lazy("No unit with this code or name is in your part of the county."),
        "ambiguous": gettext_lazy("Several units have this name: enter the unit's code."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.units: QuerySet[OrgUnit] = OrgUnit.objects.none()
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, OrgUnit) else value

    def clean(self, value: Any) -> OrgUnit | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        lookup = Q(code=text) | Q(name=text)
        if text.isdigit():
            lookup |= Q(pk=int(text))
        found = list(self.units.filter(lookup)[:3])
        exact = [u for u in found if u.code == text or str(u.pk) == text]
        if len(exact) == 1:
            return exact[0]
        if not found:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return found[0]


class FastSelect(forms.Select):
    """Django's <select>, rendered in Python: the same markup without a template render per
    option (a filter form's selects were a third of a list page's time)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, text, chosen) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every part is escaped by format_html)

    @staticmethod
    def _option(value: Any, label: Any, chosen: set[str]) -> str:
        text = "" if value is None else str(value)
        selected = mark_safe(" selected") if text in chosen else ""  # noqa: S308
        return format_html('<option value="{}"{}>{}</option>', text, selected, label)


def use_fast_selects(form: forms.BaseForm) -> None:
    """Render the form's single selects with FastSelect (call at the end of __init__, once
    querysets are set)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs)
            fast.choices = widget.choices
            fast.is_required = widget.is_required
            field.widget = fast
