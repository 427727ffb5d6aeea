"""Forms of the proposals pages. Validation of single fields lives here; rules about several
records (what step is owed, dates in order, clocks) live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import TOWNSHIP_KINDS, OrgUnit, Person, Post, UnitKind

from .documents import allowed_extensions, validate_document
from .models import (
    BODY_KINDS,
    Category,
    ContactMethod,
    Kind,
    PublicListItem,
    Rating,
    ResultClass,
    Session,
    Stage,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def not_in_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future."))


def past_date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), validators=[not_in_future], **kwargs)


def handling_units() -> QuerySet[OrgUnit]:
    """Units an item can be assigned to: departments, townships and streets."""
    return OrgUnit.objects.of_kind(UnitKind.DEPARTMENT, *TOWNSHIP_KINDS).order_by("path")


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["code", "name", "body", "opens", "closes"]
        widgets = {"opens": DateInput(), "closes": DateInput()}


class ProposalForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("as the session's body puts forward")), *Kind.choices],
        required=False,
    )
    in_session = forms.BooleanField(
        label=_("Made during the session"),
        required=False,
        initial=True,
        help_text=_("Untick for an item made between sessions (闭会期间)."),
    )
    submitted = past_date_field(_("Submitted on"))
    lead_author = forms.ModelChoiceField(label=_("Lead author"), queryset=Person.objects.none())
    joint_authors = forms.ModelMultipleChoiceField(
        label=_("Joint authors"), queryset=Person.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        authors = Person.objects.with_post(Post.DEPUTY, Post.MEMBER).order_by("name")
        self.fields["lead_author"].queryset = authors
        self.fields["joint_authors"].queryset = authors

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        session = data.get("session")
        if session is not None and not data.get("kind"):
            data["kind"] = BODY_KINDS.get(session.body, Kind.SUGGESTION)
        return data

    def authors(self) -> list[Person]:
        lead = self.cleaned_data["lead_author"]
        joint = [p for p in self.cleaned_data["joint_authors"] if p.pk != lead.pk]
        return [lead, *joint]


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=OrgUnit.objects.none(), required=False
    )
    assigned_on = past_date_field(_("Assigned on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = handling_units()
        self.fields["co_units"].queryset = handling_units()


class ComplexForm(forms.Form):
    explanation = forms.CharField(
        label=_("Why the item is complex"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A wide-ranging or hard item may be answered within the longer limit."),
    )


class ContactForm(forms.Form):
    contacted_on = past_date_field(_("Contacted on"))
    method = forms.ChoiceField(label=_("Method"), choices=ContactMethod.choices)
    note = forms.CharField(
        label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AnswerForm(forms.Form):
    answered_on = past_date_field(_("Answered on"))
    result = forms.ChoiceField(label=_("Result"), choices=ResultClass.choices)
    text = forms.CharField(
        label=_("Summary of the answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    document = forms.FileField(
        label=_("Answer document"),
        validators=[validate_document],
        help_text=_("The signed answer letter: %(types)s, at most 10 MB.")
        % {"types": allowed_extensions()},
    )


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("Opinion to the lead unit"), widget=forms.Textarea(attrs={"rows": 4})
    )
    given_on = past_date_field(_("Given on"))


class FeedbackForm(forms.Form):
    attitude = forms.ChoiceField(
        label=_("The handling unit's attitude"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(
        label=_("The handling result"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    given_on = past_date_field(_("Given on"))


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("all")), *Stage.choices], required=False
    )
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=Session.objects.all(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class ListItemForm(forms.ModelForm):
    class Meta:
        model = PublicListItem
        fields = [
            "list_kind",
            "year",
            "code",
            "title",
            "description",
            "lead_leader",
            "responsible_unit",
            "target_date",
            "published",
            "internal_note",
        ]
        widgets = {"target_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].queryset = Person.objects.with_post(
            Post.COUNTY_LEADER, Post.COUNTY_SECRETARY
        ).order_by("code")
        self.fields["responsible_unit"].queryset = handling_units()


class ProgressForm(forms.Form):
    on = past_date_field(_("Date"))
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    completed = forms.BooleanField(label=_("The item is completed"), required=False)
