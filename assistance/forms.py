"""Forms of the assistance pages. Single-field validation lives here; rules that involve several
records (overlapping pairings, pairing in force for aid, clocks) live in the models and services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.models import OFFICE_KINDS, TOWNSHIP_KINDS, OrgUnit, Person, UnitKind
from directory.timeutil import today

from .models import (
    VILLAGE_KINDS,
    AidKind,
    EventKind,
    PairingKind,
    Problem,
    ProblemCategory,
    ProblemClass,
    Supervision,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def not_in_future(value: dt.date) -> None:
    if value > today():
        raise ValidationError(_("This date is in the future."))


def date_field(label: Any, *, past: bool = True, **kwargs: Any) -> forms.DateField:
    validators = [not_in_future] if past else []
    return forms.DateField(label=label, widget=DateInput(), validators=validators, **kwargs)


class CodeField(forms.CharField):
    """A person or household entered by its code, looked up among the records the user may
    use: a select of every household of a county would hold 120,000 options."""

    def __init__(self, *, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("Enter the code."))
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value: Any) -> Any:
        if hasattr(value, "code"):
            return value.code
        if isinstance(value, int) and self.queryset is not None:
            found = self.queryset.filter(pk=value).values_list("code", flat=True).first()
            return found or value
        return value

    def clean(self, value: Any) -> Any:
        code = super().clean(value)
        if not code:
            return None
        found = (
            self.queryset.filter(code=code.strip()).first() if self.queryset is not None else None
        )
        if found is None:
            raise ValidationError(
                _("No record with the code %(code)s is within your reach."),
                params={"code": code},
            )
        return found


class ContactForm(forms.Form):
    """A visit or a call logged from "my households"."""

    KINDS = (("household", _("visit in person")), ("call", _("phone call")))

    date = date_field(_("date"))
    kind = forms.ChoiceField(label=_("contact"), choices=KINDS, initial="household")
    heard = forms.CharField(
        label=_("what was heard (民情日记)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the household thinks, needs and worries about."),
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("event"), choices=EventKind.choices)
    date = date_field(_("recorded on"))
    festival = forms.CharField(label=_("festival"), max_length=50, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == EventKind.FESTIVAL and not data.get("festival"):
            self.add_error("festival", _("Name the festival."))
        if data.get("kind") != EventKind.FESTIVAL:
            data["festival"] = ""
        return data


class VillageEventForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("village / community"), queryset=OrgUnit.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("event"), choices=[c for c in EventKind.choices if c[0] != EventKind.FESTIVAL]
    )
    date = date_field(_("recorded on"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class AidForm(forms.Form):
    date = date_field(_("date"))
    kind = forms.ChoiceField(label=_("kind"), choices=AidKind.choices, initial=AidKind.MONEY)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    person = forms.ModelChoiceField(label=_("cadre"), queryset=Person.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        if people.count() == 1:
            self.fields["person"].initial = people.first()


class AidCorrectionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("correct amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("0 withdraws the entry."),
    )
    description = forms.CharField(label=_("reason for the correction"), max_length=200)


class PairingForm(forms.Form):
    person = CodeField(label=_("cadre"))
    household = CodeField(label=_("household"))
    kind = forms.ChoiceField(label=_("kind"), choices=PairingKind.choices)
    start = date_field(_("start"), past=False)
    end = date_field(_("end"), past=False, required=False)

    def __init__(self, *args: Any, people: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["household"].queryset = households


class PairingEndForm(forms.Form):
    end = date_field(_("end"), past=False)


class HandOverForm(forms.Form):
    person = CodeField(label=_("hand over to"))
    on = date_field(_("from"), past=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class UnitPairingForm(forms.Form):
    person = CodeField(label=_("leader"), required=False)
    body = forms.ModelChoiceField(
        label=_("body (party or government unit)"), queryset=OrgUnit.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("village or grassroots unit"), queryset=OrgUnit.objects.none()
    )
    start = date_field(_("start"), past=False)
    end = date_field(_("end"), past=False, required=False)

    def __init__(self, *args: Any, people: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["body"].queryset = units.filter(kind__in=OFFICE_KINDS)
        self.fields["unit"].queryset = units.filter(
            kind__in=(*VILLAGE_KINDS, UnitKind.GROUP, *TOWNSHIP_KINDS)
        )


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = [
            "village",
            "household",
            "found_on",
            "description",
            "category",
            "classification",
            "supervision",
            "responsible",
            "due",
            "explanation",
        ]
        widgets = {
            "found_on": DateInput(),
            "due": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, villages: Any, people: Any, households: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["household"] = CodeField(
            label=_("household"), queryset=households, required=False
        )
        self.fields["responsible"] = CodeField(
            label=_("responsible person"), queryset=people, required=False
        )
        self.fields["found_on"].validators.append(not_in_future)


class ProblemCloseForm(forms.Form):
    closed_on = date_field(_("solved on"))
    resolution = forms.CharField(
        label=_("how it was solved"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProblemFilterForm(forms.Form):
    STATES = (("open", _("open")), ("all", _("all")))

    state = forms.ChoiceField(label=_("state"), choices=STATES, required=False)
    category = forms.ChoiceField(
        label=_("kind"), choices=[("", _("all kinds")), *ProblemCategory.choices], required=False
    )
    classification = forms.ChoiceField(
        label=_("classification"), choices=[("", _("all")), *ProblemClass.choices], required=False
    )
    supervision = forms.ChoiceField(
        label=_("supervision mode"), choices=[("", _("all")), *Supervision.choices], required=False
    )


class PairingFilterForm(forms.Form):
    q = forms.CharField(label=_("cadre or household"), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("all kinds")), *PairingKind.choices], required=False
    )
    current = forms.BooleanField(label=_("in force today only"), required=False)


class AnalysisForm(forms.Form):
    held_on = date_field(_("held on"))
    summary = forms.CharField(
        label=_("summary and decisions"), widget=forms.Textarea(attrs={"rows": 3})
    )
