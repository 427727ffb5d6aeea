"""Org tree, people and households: every queryset through directory.access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from . import navigation
from .access import (
    get_household_for_user,
    get_person_for_user,
    households_for_user,
    people_for_user,
    units_for_user,
)
from .forms import HouseholdFilterForm, HouseholdForm, PersonFilterForm, apply_errors
from .listing import household_rows
from .models import Link, Role
from .paging import page_of
from .services import household_save

navigation.register(gettext_lazy("Org units"), "unit-list", group="directory", order=20)
navigation.register(gettext_lazy("People"), "person-list", group="directory", order=21)
navigation.register(gettext_lazy("Households"), "household-list", group="directory", order=22)
navigation.register(
    pgettext_lazy("navigation", "Administration"),
    "admin:index",
    group="system",
    roles=(Role.ADMIN,),
    order=99,
)

EDITOR_ROLES = (Role.ADMIN, Role.UNIT_STAFF)


def unit_list(request: HttpRequest) -> HttpResponse:
    units = units_for_user(request.user).select_related("parent")
    return render(request, "directory/unit_list.html", {"units": units})


def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    people = people_for_user(request.user).select_related("unit")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            people = people.filter(Q(name__icontains=q) | Q(code__icontains=q))
        if post := form.cleaned_data["post"]:
            people = people.with_post(post)
    return render(
        request, "directory/person_list.html", {"form": form, "page": page_of(people, request)}
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    links = Link.objects.filter(person=person).select_related("unit")
    return render(request, "directory/person_detail.html", {"person": person, "links": links})


def household_list(request: HttpRequest) -> HttpResponse:
    units = units_for_user(request.user)
    form = HouseholdFilterForm(request.GET or None, units=units)
    households = households_for_user(request.user).select_related("village", "group")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            households = households.filter(Q(head__icontains=q) | Q(code__icontains=q))
        if village := form.cleaned_data["village"]:
            households = households.filter(village=village)
        if category := form.cleaned_data["category"]:
            households = households.in_category(category)
    page = page_of(households, request)
    context = {
        "form": form,
        "page": page,
        "rows": household_rows(page.rows),
        "can_edit": request.user.has_role(*EDITOR_ROLES),
    }
    return render(request, "directory/household_list.html", context)


def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    history = household.history.select_related("history_user").order_by("-history_date")[:20]
    context = {
        "household": household,
        "history": history,
        "can_edit": request.user.has_role(*EDITOR_ROLES),
    }
    return render(request, "directory/household_detail.html", context)


def household_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not request.user.has_role(*EDITOR_ROLES):
        raise PermissionDenied
    household = get_household_for_user(request.user, pk) if pk else None
    form = HouseholdForm(
        request.POST or None, instance=household, units=units_for_user(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = household_save(
                household=form.instance,
                reason=form.cleaned_data["reason"] or "edited in the browser",
            )
        except ValidationError as exc:  # a date or number that cannot be true
            apply_errors(form, exc)
        else:
            messages.success(request, _("Household %(name)s saved.") % {"name": saved})
            return redirect("household-detail", pk=saved.pk)
    return render(request, "directory/household_form.html", {"form": form, "household": household})
