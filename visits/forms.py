"""Forms of the visits app: the visit form (one-handed on a phone), a day's round, the ledger
filter and meetings. Querysets come from directory.access, so a form offers only what the user
may see."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.access import households_for_user, people_for_user, units_for_user
from directory.fields import SameWhenUnbound, use_fast_selects
from directory.forms import with_defaults
from directory.models import (
    OFFICE_KINDS,
    TOWNSHIP_KINDS,
    Household,
    OrgUnit,
    Person,
    Post,
    UnitKind,
)
from directory.timeutil import today as local_today

from .models import Meeting, Visit, VisitKind
from .pinyin import matches

PLACE_CHOICE_KINDS = (*TOWNSHIP_KINDS, UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.DEPARTMENT)
# People who make visits: leaders and cadres with a post (a household head is never a person).
VISITING_POSTS = [p for p in Post.values if p not in (Post.DEPUTY, Post.MEMBER)]


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


def place_choices(user: Any) -> QuerySet[OrgUnit]:
    return units_for_user(user).filter(kind__in=PLACE_CHOICE_KINDS).order_by("path")


def people_choices(user: Any) -> QuerySet[Person]:
    """Leaders and cadres in scope, and the user's own person wherever it sits."""
    people = people_for_user(user).with_post(*VISITING_POSTS)
    if getattr(user, "person_id", None):
        people = people | Person.objects.filter(pk=user.person_id)
    return people.select_related("unit").order_by("unit__path", "code").distinct()


class VisitForm(forms.ModelForm):
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=_("People on the visit"),
        help_text=_("Hold to pick several people."),
    )
    households = forms.ModelMultipleChoiceField(
        queryset=Household.objects.none(), label=_("Households visited"), required=False
    )

    class Meta:
        model = Visit
        fields = [
            "date",
            "kind",
            "unit",
            "days",
            "enterprise",
            "heard",
            "collective",
            "entourage",
            "cars",
            "lodged_with_household",
            "board_paid",
            "no_banners",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "days": forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
            "heard": forms.Textarea(attrs={"rows": 3}),
            "entourage": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "cars": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "lodged_with_household": forms.NullBooleanSelect,
            "board_paid": forms.NullBooleanSelect,
            "no_banners": forms.NullBooleanSelect,
        }
        field_classes = {"unit": PlaceChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["people"].queryset = people_choices(user)
        self.fields["households"].queryset = households_for_user(user)
        self.fields["unit"].queryset = place_choices(user)
        self.fields["unit"].label = _("Where")
        # Changing the place refreshes the household search results (htmx).
        self.fields["unit"].widget.attrs.update(
            {
                "hx-get": reverse("visit-household-search"),
                "hx-trigger": "change",
                "hx-target": "#results",
                "hx-include": "[name=q], #picked input[name=households]",
            }
        )
        if not self.instance.pk and not self.is_bound:
            # model_to_dict() put the new visit's empty values in; offer today and oneself.
            self.initial["date"] = self.initial.get("date") or local_today()
            self.initial["kind"] = self.initial.get("kind") or VisitKind.HOUSEHOLD
            if getattr(user, "person_id", None) and not self.initial.get("people"):
                self.initial["people"] = [user.person_id]

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > local_today():
            raise forms.ValidationError(gettext("A visit cannot be dated in the future."))
        return day

    def picked_households(self) -> list[Household]:
        """The households ticked so far (bound data or the visit's), for the picker."""
        if self.is_bound:
            ids = [v for v in self.data.getlist("households") if str(v).isdigit()]
            return list(
                self.fields["households"].queryset.filter(pk__in=ids).select_related("village")
            )
        if self.instance.pk:
            return list(self.instance.households.select_related("village"))
        return []


class HouseholdSearchForm(forms.Form):
    unit = forms.IntegerField(required=False)
    q = forms.CharField(required=False, max_length=40)


def search_households(
    user: Any, unit: OrgUnit | None, query: str, exclude: set[int], limit: int = 30
) -> list[dict]:
    """Households of the place (a village, or every village of a township) whose head matches
    by name, pinyin initials or code; the place's households are few hundred, so they are
    matched in Python (initials are not in the database)."""
    if unit is None:
        return []
    households = households_for_user(user)
    if unit.kind == UnitKind.GROUP:
        households = households.filter(village_id=unit.parent_id)
    elif unit.kind == UnitKind.TOWNSHIP:
        households = households.filter(village__parent=unit)
    else:
        households = households.filter(village=unit)
    rows = households.order_by("village__path", "code").values(
        "pk", "code", "head", "categories", "village__name"
    )
    found = []
    for row in rows.iterator(chunk_size=2000):
        if row["pk"] in exclude or not matches(query, row["head"], row["code"]):
            continue
        found.append(row)
        if len(found) >= limit:
            break
    return found


class RoundHeaderForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), label=_("People on the visit")
    )
    days = forms.DecimalField(
        label=_("Days spent that day"),
        min_value=Decimal("0.5"),
        max_value=Decimal(1),
        decimal_places=1,
        initial=Decimal(1),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people_choices(user)
        if not self.is_bound:
            self.initial.setdefault("date", local_today())
            if getattr(user, "person_id", None):
                self.initial.setdefault("people", [user.person_id])

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > local_today():
            raise forms.ValidationError(gettext("A visit cannot be dated in the future."))
        return day


class RoundLineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=VisitKind.choices, initial=VisitKind.HOUSEHOLD
    )
    unit = PlaceChoiceField(queryset=OrgUnit.objects.none(), label=_("Where"))
    households = forms.CharField(
        label=_("Households"),
        required=False,
        help_text=_("Heads' names, pinyin initials or codes, separated by spaces."),
    )
    heard = forms.CharField(
        label=_("What was heard"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = place_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("unit")
        tokens = [t for t in re.split(r"[\s,，;；、]+", data.get("households") or "") if t]
        if unit is None or not tokens:
            data["household_list"] = []
            return data
        data["household_list"] = self._resolve(unit, tokens)
        return data

    def _resolve(self, unit: OrgUnit, tokens: list[str]) -> list[Household]:
        candidates = search_households(self.user, unit, "", set(), limit=100_000)
        picked: list[int] = []
        for token in tokens:
            exact = [c for c in candidates if token in (c["code"], c["head"])]
            found = exact or [c for c in candidates if matches(token, c["head"], c["code"])]
            if len(found) != 1:
                message = (
                    gettext("No household matches “%(t)s” here.")
                    if not found
                    else gettext("“%(t)s” matches several households: %(names)s; use the code.")
                )
                names = "、".join(f"{c['head']}（{c['code']}）" for c in found[:5])
                raise forms.ValidationError({"households": message % {"t": token, "names": names}})
            picked.append(found[0]["pk"])
        return list(Household.objects.filter(pk__in=picked))


class BaseRoundFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "user": self.user}


RoundFormSet = forms.formset_factory(RoundLineForm, formset=BaseRoundFormSet, extra=4, max_num=20)


class VisitFilterForm(SameWhenUnbound):
    q = forms.CharField(label=_("Person"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *VisitKind.choices]
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_fast_selects(self)

    def filter(self, visits: QuerySet[Visit]) -> QuerySet[Visit]:
        if not self.is_valid():
            return visits
        data = self.cleaned_data
        if data["q"]:
            visits = visits.filter(participants__person__name__icontains=data["q"]).distinct()
        if data["kind"]:
            visits = visits.filter(kind=data["kind"])
        if data["start"]:
            visits = visits.filter(date__gte=data["start"])
        if data["end"]:
            visits = visits.filter(date__lte=data["end"])
        return visits


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "title", "unit", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"unit": PlaceChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).filter(kind__in=OFFICE_KINDS)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("behind", _("furthest behind first")), ("name", _("by name"))],
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        year = local_today().year
        super().__init__(with_defaults(data, year=year), *args, **kwargs)
        self.fields["year"].initial = self.initial.get("year", year)
