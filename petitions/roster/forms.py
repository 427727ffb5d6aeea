"""Forms of the roster, appointment and office-ledger pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from directory.access import units_for_user
from directory.forms import with_defaults
from directory.models import OFFICE_KINDS, TOWNSHIP_KINDS, OrgUnit, Person, UnitKind
from directory.plausible import not_in_future
from rules.periods import Period

from ..matters.forms import DATE_WIDGET, PersonCodeField, today
from ..matters.models import Petition
from .models import (
    AppointmentMatter,
    DayPart,
    MatterOutcome,
    MissedContact,
    OfficeVisit,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    RescheduledMeeting,
    SpecialPeriod,
)
from .slots import candidate_pool, candidates

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: str | None, default: dt.date) -> Period:
    match = _MONTH.match(value or "")
    if match and 1 <= int(match.group(2)) <= 12:
        return Period.month(int(match.group(1)), int(match.group(2)))
    return Period.month(default.year, default.month)


#: the two layouts of the month: a calendar (the default) and the list of duties
ROSTER_VIEWS = [("calendar", _("Calendar")), ("list", _("List"))]


#: months offered before and after the one shown
MONTH_CHOICES_AROUND = 12


def month_choices(shown: Period) -> list[tuple[str, str]]:
    """The months around the one shown, labelled as people write them (2026年12月)."""
    choices = []
    year, month = shown.start.year, shown.start.month
    for offset in range(-MONTH_CHOICES_AROUND, MONTH_CHOICES_AROUND + 1):
        y, m = divmod(year * 12 + month - 1 + offset, 12)
        first = dt.date(y, m + 1, 1)
        choices.append((f"{first:%Y-%m}", date_format(first, "YEAR_MONTH_FORMAT")))
    return choices


class RosterFilterForm(forms.Form):
    # A list of months named in words: the filter always shows the month on screen.
    month = forms.ChoiceField(label=_("Month"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *ReceptionKind.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Place / unit"), queryset=OrgUnit.objects.none(), required=False
    )
    empty = forms.BooleanField(label=_("Only empty duties"), required=False)
    view = forms.ChoiceField(choices=ROSTER_VIEWS, required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *args: Any, user: Any, **kwargs: Any) -> None:
        month = f"{today():%Y-%m}"
        data = with_defaults(data, month=month)
        shown = parse_month(data.get("month") if data is not None else None, today())
        if data is not None:
            data["month"] = shown.code  # "2025-1" and "2025-01" are the same month
        super().__init__(data, *args, **kwargs)
        self.fields["month"].choices = month_choices(shown)
        self.fields["month"].initial = month
        self.fields["unit"].queryset = units_for_user(user).of_kind(*OFFICE_KINDS)

    @property
    def layout(self) -> str:
        """ "calendar" or "list"."""
        chosen = self.cleaned_data.get("view") if self.is_valid() else None
        return chosen or "calendar"


class CandidateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.name}）"


def _candidates_for(reception: Reception) -> Any:
    pool = candidates(reception, candidate_pool([reception]))
    return (
        Person.objects.filter(pk__in=[p.pk for p in pool]).select_related("unit").order_by("code")
    )


class FillForm(forms.Form):
    person = CandidateChoiceField(
        label=_("On duty"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, reception: Reception, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _candidates_for(reception)
        self.fields["person"].initial = reception.person_id


class SubstituteForm(forms.Form):
    substitute = CandidateChoiceField(label=_("Substitute"), queryset=Person.objects.none())
    reason = forms.CharField(label=_("Why the leader cannot attend"), max_length=200)
    recipient = forms.CharField(
        label=_("Notified"),
        max_length=200,
        help_text=_("e.g. the first convener of the joint meeting"),
    )
    notified_on = forms.DateField(label=_("Notified on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, reception: Reception, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = _candidates_for(reception).exclude(
            pk=reception.person_id
        )
        self.fields["notified_on"].initial = timezone.localdate()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReceptionStatus.choices)
    reason = forms.CharField(label=_("Reason excused"), required=False, max_length=200)
    visitors = forms.IntegerField(
        label=_("Visitors received"), required=False, min_value=0, max_value=32767
    )
    heard = forms.CharField(
        label=_("What was heard"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    part = forms.ChoiceField(label=_("Time of day"), choices=DayPart.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReceptionKind.choices)
    unit = forms.ModelChoiceField(label=_("Place / unit"), queryset=OrgUnit.objects.none())
    person = PersonCodeField(label=_("Person (code)"), max_length=40)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), help_text=_("e.g. 2025-10"))

    def clean_month(self) -> Period:
        value = self.cleaned_data["month"]
        if not _MONTH.match(value):
            raise ValidationError(_("Enter a month as YYYY-MM."))
        return parse_month(value, timezone.localdate())


class PetitionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Petition) -> str:
        return f"{obj.ref} {obj.summary}"


class AppointmentForm(forms.Form):
    petitions = PetitionChoiceField(
        label=_("Matters (1–3)"),
        queryset=Petition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    consent_on = forms.DateField(label=_("Leader consented on"), required=False, widget=DATE_WIDGET)
    consent_note = forms.CharField(label=_("Consent note"), required=False, max_length=200)

    def __init__(self, *args: Any, petitions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["petitions"].queryset = petitions


class ConsentForm(forms.Form):
    on = forms.DateField(label=_("Consented on"), widget=DATE_WIDGET, validators=[not_in_future])
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class InviteForm(forms.Form):
    matter = forms.ModelChoiceField(label=_("Matter"), queryset=AppointmentMatter.objects.none())
    on = forms.DateField(label=_("Invited on"), widget=DATE_WIDGET, validators=[not_in_future])
    note = forms.CharField(label=_("Invitation"), required=False, max_length=200)

    def __init__(self, *args: Any, appointment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = appointment.matters.select_related("petition")
        self.fields["matter"].label_from_instance = lambda m: m.petition.ref


class NotifyForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Township or department"), queryset=OrgUnit.objects.none()
    )
    on = forms.DateField(label=_("Notified on"), widget=DATE_WIDGET, validators=[not_in_future])
    text = forms.CharField(label=_("Notice"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).of_kind(
            *TOWNSHIP_KINDS, UnitKind.DEPARTMENT
        )


class RecordForm(forms.Form):
    """The reception record: what was heard, and one block of fields per matter."""

    heard = forms.CharField(
        label=_("What the leader heard"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, appointment: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matters = list(appointment.matters.select_related("petition"))
        units = units_for_user(user).of_kind(*OFFICE_KINDS)
        for matter in self.matters:
            prefix = f"m{matter.pk}_"
            self.fields[prefix + "outcome"] = forms.ChoiceField(
                label=_("Outcome of %(ref)s") % {"ref": matter.petition.ref},
                choices=[c for c in MatterOutcome.choices if c[0]],
            )
            self.fields[prefix + "decision"] = forms.CharField(label=_("Decision"), required=False)
            self.fields[prefix + "owner"] = PersonCodeField(
                label=_("Follow-up owner (code)"), required=False, max_length=40
            )
            self.fields[prefix + "unit"] = forms.ModelChoiceField(
                label=_("Assigned to"), queryset=units, required=False
            )
            self.fields[prefix + "days"] = forms.IntegerField(
                label=_("Working days for the written reply"), required=False, min_value=1
            )

    def matter_fields(self) -> list[tuple[AppointmentMatter, list[Any]]]:
        return [
            (
                m,
                [
                    self[f"m{m.pk}_{name}"]
                    for name in ("outcome", "decision", "owner", "unit", "days")
                ],
            )
            for m in self.matters
        ]


class SpecialPeriodForm(forms.ModelForm):
    class Meta:
        model = SpecialPeriod
        fields = ["name", "start", "end", "reason"]
        widgets = {"start": DATE_WIDGET, "end": DATE_WIDGET}


class LeaveForm(forms.Form):
    person = PersonCodeField(label=_("Person (code)"), max_length=40)
    start = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class _ScopedLedgerForm(forms.ModelForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).of_kind(*OFFICE_KINDS)
        if user.unit_id:
            self.fields["unit"].initial = user.unit_id


class OfficeVisitForm(_ScopedLedgerForm):
    received_by = PersonCodeField(label=_("Received by (code)"), required=False, max_length=40)

    class Meta:
        model = OfficeVisit
        fields = [
            "unit",
            "date",
            "visitor_name",
            "visitor_phone",
            "matter",
            "received_by",
            "outcome",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "matter": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }


class MissedContactForm(_ScopedLedgerForm):
    person = PersonCodeField(label=_("Leader (code)"), max_length=40)

    class Meta:
        model = MissedContact
        fields = ["unit", "person", "kind", "missed_on", "caller_name", "caller_phone", "note"]
        widgets = {"missed_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}


class RescheduledForm(_ScopedLedgerForm):
    person = PersonCodeField(label=_("Leader (code)"), max_length=40)
    other_person = PersonCodeField(
        label=_("Received instead by (code)"), required=False, max_length=40
    )

    class Meta:
        model = RescheduledMeeting
        fields = [
            "unit",
            "person",
            "visitor_name",
            "visitor_phone",
            "matter",
            "requested_on",
            "new_date",
            "other_person",
        ]
        widgets = {
            "requested_on": DATE_WIDGET,
            "new_date": DATE_WIDGET,
            "matter": forms.Textarea(attrs={"rows": 2}),
        }


class DoneForm(forms.Form):
    on = forms.DateField(label=_("Done on"), widget=DATE_WIDGET, validators=[not_in_future])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
