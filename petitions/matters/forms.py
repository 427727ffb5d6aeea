"""Forms of the petition pages: the one-page registration, the list filter and each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.access import units_for_user
from directory.fields import SameWhenUnbound, UnitInScopeField, use_fast_selects
from directory.forms import apply_errors  # noqa: F401  (re-exported for the views)
from directory.models import OFFICE_KINDS, OrgUnit, Person, Post
from directory.plausible import not_in_future

from .models import (
    Category,
    Channel,
    Petition,
    PetitionAssignment,
    PetitionStatus,
    Satisfaction,
    SupervisionMode,
)
from .services import PetitionerData, group_reps_limit

DEFAULT_PETITIONER_ROWS = 5
HEADCOUNT_MAX = 32767  # what the column holds; a real visit is far smaller
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def handling_units(user: Any) -> Any:
    return units_for_user(user).of_kind(*OFFICE_KINDS)


class PersonCodeField(forms.CharField):
    """A person by code (typing a code at the counter is quicker than a long list)."""

    def clean(self, value: Any) -> Person | None:
        code = super().clean(value)
        if not code:
            return None
        person = Person.objects.select_related("unit").filter(code=code.strip()).first()
        if person is None:
            raise ValidationError(_('No person has the code "%(code)s".'), params={"code": code})
        return person


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PetitionRegisterForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    headcount = forms.IntegerField(
        label=_("People in the visit"),
        min_value=1,
        max_value=HEADCOUNT_MAX,
        initial=1,
        help_text=_("A group visit counts everyone who came, not only the representatives."),
    )
    summary = forms.CharField(label=_("Summary"), max_length=200)
    content = forms.CharField(label=_("What it is about"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=OrgUnit.objects.none(), required=False
    )
    subject_unit = forms.ModelChoiceField(
        label=_("Unit complained about"), queryset=OrgUnit.objects.none(), required=False
    )
    subject_person = PersonCodeField(
        label=_("Person complained about (code)"), required=False, max_length=40
    )
    subject_text = forms.CharField(
        label=_("Complained about, as the petitioner put it"), required=False, max_length=200
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Scanned letters and photos: PDF, JPG, PNG or TIFF."),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Route at once to (lead unit)"), queryset=OrgUnit.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_for_user(user)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["township"].queryset = units.townships()
        self.fields["subject_unit"].queryset = units
        self.fields["lead_unit"].queryset = handling_units(user)
        self.fields["co_units"].queryset = handling_units(user)


class PetitionerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def data_row(self) -> PetitionerData | None:
        data = self.cleaned_data
        if not any(data.get(key) for key in ("name", "id_number", "phone", "address")):
            return None
        return PetitionerData(
            data.get("name", ""),
            data.get("id_number", ""),
            data.get("phone", ""),
            data.get("address", ""),
        )


def petitioner_formset(data: Any = None) -> Any:
    """As many rows as a group may send representatives (NAT-GROUP-REPS), else five."""
    rows = group_reps_limit() or DEFAULT_PETITIONER_ROWS
    formset_class = forms.formset_factory(PetitionerForm, extra=rows, max_num=rows)
    return formset_class(data, prefix="p")


class PetitionFilterForm(SameWhenUnbound):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Reference, summary or petitioner's name")
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("all")),
            ("open", _("open")),
            ("overdue", _("overdue")),
            *PetitionStatus.choices,
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", "—"), *Channel.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", "—"), *Category.choices]
    )
    # Typed, not chosen: a list of every unit was most of the list page's time (DESIGN "Scale").
    township = UnitInScopeField(
        label=_("Township"), required=False, help_text=_("The township's code or name.")
    )
    lead_unit = UnitInScopeField(
        label=_("Lead unit"), required=False, help_text=_("The unit's code or name.")
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_WIDGET)
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DATE_WIDGET)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("newest first")), ("due", _("due date first"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].units = units_for_user(user).townships()
        self.fields["lead_unit"].units = handling_units(user)
        use_fast_selects(self)


# --- step forms ----------------------------------------------------------------------------------


class StepForm(forms.Form):
    # the day the step was taken: never later than today
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[not_in_future])

    def __init__(self, *args: Any, petition: Petition, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.user = user
        self.fields["on"].initial = timezone.localdate()


class RouteForm(StepForm):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=OrgUnit.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=OrgUnit.objects.none(), required=False
    )
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = handling_units(self.user)
        self.fields["co_units"].queryset = handling_units(self.user)


class ObjectForm(StepForm):
    unit = forms.ModelChoiceField(label=_("Objecting unit"), queryset=OrgUnit.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = PetitionAssignment.objects.filter(petition=self.petition, state="active")
        units = units_for_user(self.user).filter(pk__in=active.values("unit_id"))
        self.fields["unit"].queryset = units


class AcceptForm(StepForm):
    accepted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("accepted")), ("0", _("not accepted"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    # Asked only when the decision is "not accepted": app.css hides it while "accepted" is
    # ticked (no script needed); the service ignores it for an acceptance.
    reason = forms.CharField(
        label=_("Reason for not accepting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-shown-when": "refused"}),
    )


class ExtendForm(StepForm):
    days = forms.IntegerField(label=_("Extension in days"), min_value=1)
    reason = forms.CharField(
        label=_("Reason (told to the petitioner)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(StepForm):
    answer = forms.CharField(label=_("Written answer"), widget=forms.Textarea(attrs={"rows": 5}))


class RequestForm(StepForm):
    unit = forms.ModelChoiceField(label=_("Unit that reviews"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = handling_units(self.user)


class CloseForm(StepForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("Needed when the petitioner's period to ask for review has not ended."),
    )


class SuperviseForm(StepForm):
    mode = forms.ChoiceField(label=_("Mode"), choices=SupervisionMode.choices)
    instructions = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label=_("To be done by"), required=False, widget=DATE_WIDGET)


class ReturnVisitForm(StepForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChargeForm(StepForm):
    leader = forms.ModelChoiceField(
        label=_("Leader in charge (包案)"), queryset=Person.objects.none(), required=False
    )
    is_backlog = forms.BooleanField(label=_("Backlog case (积案)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = Person.objects.with_post(
            Post.COUNTY_SECRETARY, Post.COUNTY_LEADER
        )
        self.fields["leader"].initial = self.petition.charge_leader_id
        self.fields["is_backlog"].initial = self.petition.is_backlog


class RepeatForm(StepForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Attachments"))


def today() -> dt.date:
    return timezone.localdate()
