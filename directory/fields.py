"""Form fields and widgets for filters over many units (DESIGN "Scale": 300 villages and more
in a county, ten times that in a city): a unit typed by code or name instead of a <select> of
every unit, and a <select> rendered in Python instead of a template render per option."""

from __future__ import annotations

from html import escape as escape_html
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy

from .listing import html
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
        selected = " selected" if text in chosen else ""
        return f'<option value="{html(text)}"{selected}>{html(label)}</option>'  # escaped


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value as plain text, always escaped."""
    return escape_html("%s" % (value,))  # noqa: UP031  (the filter's own formatting)


def _attrs(attrs: dict[str, Any] | None) -> str:
    """Django's forms/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    parts = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {html(name)}")
        else:
            parts.append(f' {html(name)}="{_text(value)}"')
    return "".join(parts)


#: Widget templates that are only an <input> (django/forms/widgets/input.html).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "date", "number", "email", "url", "search", "checkbox", "hidden")
)
_ERROR_TEMPLATES = frozenset(
    ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")
)


class FastFormRenderer(DjangoTemplates):
    """Django's form templates for a filter form's layout (div.html), fields (field.html),
    labels, empty error lists and plain inputs, written out in Python: the same markup
    without four template renders per field (a list page's filter form cost more than its
    fifty rows). Anything else (a field with errors, another widget) renders as usual."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == "django/forms/div.html":
            return self._div(context)
        if template_name == "django/forms/field.html":
            return self._field(context["field"])
        if template_name == "django/forms/label.html":
            return self._label(context)
        if template_name in _ERROR_TEMPLATES and not context["errors"]:
            return ""
        if template_name in _INPUT_TEMPLATES:
            return self._input(context["widget"])
        return super().render(template_name, context, request)

    @staticmethod
    def _div(context: dict[str, Any]) -> str:
        fields, hidden = context["fields"], context["hidden_fields"]
        parts = [str(context["errors"])]
        if context["errors"] and not fields:
            parts.append("<div>" + "".join(str(h) for h in hidden) + "</div>")
        for index, (field, _errors) in enumerate(fields):
            classes = field.css_classes()
            parts.append(f'<div class="{html(classes)}">' if classes else "<div>")
            parts.append(str(field.as_field_group()))
            if index == len(fields) - 1:
                parts.extend(str(h) for h in hidden)
            parts.append("</div>")
        if not fields and not context["errors"]:
            parts.extend(str(h) for h in hidden)
        return "\n".join(parts)

    @staticmethod
    def _field(field: Any) -> str:
        parts = []
        if field.use_fieldset:
            describedby = field.aria_describedby
            extra = f' aria-describedby="{html(describedby)}"' if describedby else ""
            parts.append(f"<fieldset{extra}>")
            if field.label:
                parts.append(str(field.legend_tag()))
        elif field.label:
            parts.append(str(field.label_tag()))
        if field.help_text:
            helptext_id = f' id="{html(field.auto_id)}_helptext"' if field.auto_id else ""
            parts.append(f'<div class="helptext"{helptext_id}>{field.help_text}</div>')
        parts.append(str(field.errors))
        parts.append(str(field) + ("</fieldset>" if field.use_fieldset else ""))
        return "\n".join(parts)

    @staticmethod
    def _label(context: dict[str, Any]) -> str:
        label = html(context["label"])
        if not context["use_tag"]:
            return str(label)
        tag = html(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"

    @staticmethod
    def _input(widget: dict[str, Any]) -> str:
        value = widget["value"]
        shown = "" if value is None else f' value="{_text(value)}"'
        return (
            f'<input type="{html(widget["type"])}"'
            f' name="{html(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
        )


FAST_RENDERER = FastFormRenderer()


def use_fast_selects(form: forms.BaseForm) -> None:
    """Render the form's single selects with FastSelect and the form itself with
    FastFormRenderer (call at the end of __init__, once querysets are set)."""
    form.renderer = FAST_RENDERER
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs)
            fast.choices = widget.choices
            fast.is_required = widget.is_required
            field.widget = fast


#: (form class, language) → the markup of the unbound form (SameWhenUnbound)
_UNBOUND: dict[tuple[type, str | None], SafeString] = {}


class SameWhenUnbound(forms.Form):
    """A filter form whose unbound markup depends on nothing but its class and the language
    (fixed choices, units typed rather than listed, no initial values): rendered once per
    language and kept, for a list's first page opens with it (its rendering was most of
    what the first page did beyond the bare rows). Bound, with initial values or another
    renderer, it renders as usual."""

    def as_div(self) -> SafeString:
        if (
            self.is_bound
            or self.initial
            or self.prefix
            or self.renderer is not FAST_RENDERER
            or any(field.initial is not None for field in self.fields.values())
        ):
            return super().as_div()
        key = (type(self), get_language())
        if key not in _UNBOUND:
            _UNBOUND[key] = super().as_div()
        return _UNBOUND[key]
