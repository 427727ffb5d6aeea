from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.forms import with_defaults
from directory.models import TOWNSHIP_KINDS, OrgUnit, Person, UnitKind
from rules.models import Pack, RuleKind

from .models import Campaign, CampaignTarget, EvaluatorGroup, GroupKind, Rating, SubmissionKind

PARTS = [
    ("", _("whole year")),
    *[(f"Q{q}", _("quarter %(q)d") % {"q": q}) for q in range(1, 5)],
    *[(f"{m:02d}", _("month %(m)d") % {"m": m}) for m in range(1, 13)],
]


def current_year() -> int:
    return timezone.localdate().year


class ComplianceFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    part = forms.ChoiceField(label=_("Period"), choices=PARTS, required=False)
    pack = forms.ChoiceField(label=_("Rule pack"), required=False)
    kind = forms.ChoiceField(label=_("Rule kind"), required=False)
    township = forms.ChoiceField(label=_("Township"), required=False)

    def __init__(self, data: Any = None, *args: Any, townships: list[OrgUnit], **kwargs: Any):
        super().__init__(with_defaults(data, year=current_year()), *args, **kwargs)
        self.fields["year"].initial = current_year()
        self.fields["pack"].choices = [("", "—"), *Pack.choices]
        self.fields["kind"].choices = [("", "—"), *RuleKind.choices]
        self.fields["township"].choices = [("", "—"), *((t.code, t.name) for t in townships)]
        self.townships = {t.code: t for t in townships}

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None

    @property
    def chosen_year(self) -> int:
        return self.value("year") or current_year()

    @property
    def township_unit(self) -> OrgUnit | None:
        return self.townships.get(self.value("township") or "")


class ReportPdfForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    signer = forms.CharField(label=_("Signing supervisor"), max_length=100, required=False)

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            ("", _("whole jurisdiction")),
            *((u.code, u.name) for u in units),
        ]
        self.units = {u.code: u for u in units}

    @property
    def chosen_unit(self) -> OrgUnit | None:
        return self.units.get(self.cleaned_data.get("unit") or "")


class SubmissionForm(forms.Form):
    SELF, UNIT = "self", "unit"

    kind = forms.ChoiceField(label=_("Kind"), choices=SubmissionKind.choices)
    year = forms.IntegerField(label=_("Year reported on"), min_value=2000, max_value=2100)
    on_behalf = forms.ChoiceField(label=_("Submitted by"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)
    submitted_on = forms.DateField(
        label=_("Submitted on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, person: Person | None, unit: OrgUnit | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if person is not None:
            choices.append((self.SELF, _("myself (%(name)s)") % {"name": person.name}))
        if unit is not None:
            choices.append((self.UNIT, _("my unit (%(name)s)") % {"name": unit.name}))
        self.fields["on_behalf"].choices = choices
        if choices:
            self.fields["on_behalf"].initial = choices[0][0]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("text") and not cleaned.get("attachment"):
            raise forms.ValidationError(_("Write the report or attach it."))
        return cleaned


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "code",
            "name",
            "year",
            "target_kind",
            "satisfied_points",
            "basic_points",
            "unsatisfied_points",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class TargetsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units.of_kind(*TOWNSHIP_KINDS, UnitKind.DEPARTMENT)
        self.fields["people"].queryset = people.exclude(posts="").select_related("unit")


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Group"), choices=GroupKind.choices)
    name = forms.CharField(
        label=pgettext_lazy("name of a thing", "Name"),
        max_length=100,
        required=False,
        help_text=_("Empty: the name of the group kind."),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        min_value=0,
        max_value=1000,
        decimal_places=2,
        required=False,
        help_text=EvaluatorGroup._meta.get_field("weight").help_text,
    )


class CodesForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Evaluator group"), queryset=EvaluatorGroup.objects.none()
    )
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=2000, initial=20)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = EvaluatorGroup.objects.filter(campaign=campaign)


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Ballot code"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class BallotForm(forms.Form):
    """One required rating per evaluated unit or person; field names are `t<target id>`."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=30)

    def __init__(self, *args: Any, targets: list[CampaignTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for target in targets:
            self.fields[f"t{target.pk}"] = forms.ChoiceField(
                label=target.name, choices=Rating.choices, widget=forms.RadioSelect
            )
        self.targets = targets

    def ratings(self) -> dict[int, str]:
        return {t.pk: self.cleaned_data[f"t{t.pk}"] for t in self.targets}


class PaperTallyForm(forms.Form):
    """Counts per (target, rating): fields `c<target id>_<rating>`."""

    def __init__(
        self, *args: Any, targets: list[CampaignTarget], initial_counts: dict, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            for rating, label in Rating.choices:
                self.fields[f"c{target.pk}_{rating}"] = forms.IntegerField(
                    label=f"{target.name} · {label}",
                    min_value=0,
                    max_value=1_000_000,
                    initial=initial_counts.get((target.pk, rating), 0),
                )

    def counts(self) -> dict[tuple[int, str], int]:
        return {
            (t.pk, rating): self.cleaned_data[f"c{t.pk}_{rating}"]
            for t in self.targets
            for rating in Rating.values
        }

    def grid(self) -> list[tuple[CampaignTarget, list[Any]]]:
        return [(t, [self[f"c{t.pk}_{rating}"] for rating in Rating.values]) for t in self.targets]
