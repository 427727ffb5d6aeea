from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import join_codes
from .fields import UnitInScopeField, use_fast_selects
from .models import Household, HouseholdCategory, UnitKind


def apply_errors(form: forms.Form, exc: ValidationError | Exception) -> None:
    """Show a service's ValidationError (or another error with a message, such as
    UnknownCalendarYear) on the form: on its fields where they exist, above it otherwise."""
    if not isinstance(exc, ValidationError):
        form.add_error(None, str(exc))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def with_defaults(data: Any, **defaults: Any) -> Any:
    """A filter's data with its blank fields set to the value the page uses anyway (the current
    year, this month), so that the form shows what is on screen instead of an empty box. `None`
    (an unbound form) stays `None`: the fields' `initial` shows the defaults then."""
    if data is None:
        return None
    filled = data.copy()
    for name, value in defaults.items():
        if not filled.get(name):
            filled[name] = value
    return filled


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Head of household or code"))
    village = UnitInScopeField(
        label=_("Village / community"),
        required=False,
        help_text=_("The village's code or name."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *HouseholdCategory.choices], required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed, not chosen: a county has 300 villages (a city thousands).
        self.fields["village"].units = units.villages()
        use_fast_selects(self)


class HouseholdForm(forms.ModelForm):
    category_choices = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=HouseholdCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    class Meta:
        model = Household
        fields = ["code", "head", "village", "group", "size", "address", "phone"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = units.villages()
        self.fields["group"].queryset = units.of_kind(UnitKind.GROUP)
        self.fields["category_choices"].initial = self.instance.category_list

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.instance.categories = join_codes(cleaned.get("category_choices") or [])
        return cleaned


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Name or code"))
    post = forms.ChoiceField(label=_("Post"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Post

        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [("", "—"), *Post.choices]
