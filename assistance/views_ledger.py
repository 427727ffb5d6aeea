"""The pairing ledger (结对帮扶台账): list with filters, Excel export, new pairings, ending and
handing over; and the villages and grassroots units paired with leaders and bodies (HF-A1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory import navigation
from directory.access import households_for_user, people_for_user, units_for_user
from directory.models import Role
from directory.paging import page_of
from directory.timeutil import today

from .access import get_pairing_for_user, may_manage_pairings, pairings_for_user
from .exports import XLSX, pairing_workbook
from .forms import HandOverForm, PairingEndForm, PairingFilterForm, PairingForm, UnitPairingForm
from .models import Pairing, UnitPairing
from .services import pairing_end, pairing_hand_over, pairing_save, unit_pairing_save
from .views import _add_errors

navigation.register(
    pgettext_lazy("navigation", "Pairings"),
    "assistance-pairings",
    group="assistance",
    roles=(Role.UNIT_STAFF, Role.ADMIN, Role.SUPERVISOR, Role.LEADER),
    order=23,
)


def _filtered(request: HttpRequest) -> tuple[PairingFilterForm, Any]:
    form = PairingFilterForm(request.GET or None)
    pairings = pairings_for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            pairings = pairings.filter(
                Q(person__name__contains=q)
                | Q(person__code=q)
                | Q(household__head__contains=q)
                | Q(household__code=q)
            )
        if data["kind"]:
            pairings = pairings.filter(kind=data["kind"])
        if data["current"]:
            pairings = pairings.in_force(today())
    pairings = pairings.select_related(
        "person__unit", "household__village", "handed_over_from__person"
    ).order_by("-start", "-pk")
    return form, pairings


@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    form, pairings = _filtered(request)
    context = {
        "form": form,
        "page": page_of(pairings, request),
        "may_manage": may_manage_pairings(request.user),
        "today": today(),
    }
    return render(request, "assistance/pairing_list.html", context)


@require_GET
def pairing_export(request: HttpRequest) -> HttpResponse:
    _form, pairings = _filtered(request)
    response = HttpResponse(pairing_workbook(pairings.iterator(chunk_size=2000)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"pairings-{today():%Y%m%d}.xlsx"
    )
    return response


def _pairing_form(request: HttpRequest, data: Any = None) -> PairingForm:
    user: Any = request.user
    return PairingForm(
        data,
        people=people_for_user(user).order_by("code"),
        households=households_for_user(user).order_by("code"),
        initial={"start": today()},
    )


@require_http_methods(["GET", "POST"])
def pairing_new(request: HttpRequest) -> HttpResponse:
    if not may_manage_pairings(request.user):
        raise PermissionDenied
    form = _pairing_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        pairing = Pairing(**form.cleaned_data)
        try:
            pairing_save(pairing=pairing, acting_user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Pairing recorded."))
            return redirect("assistance-pairing", pairing.pk)
    return render(request, "assistance/pairing_form.html", {"form": form})


def _detail_context(request: HttpRequest, pairing: Pairing) -> dict[str, Any]:
    people = people_for_user(request.user).exclude(pk=pairing.person_id).order_by("code")
    return {
        "pairing": pairing,
        "chain": list(
            Pairing.objects.filter(household=pairing.household, kind=pairing.kind)
            .select_related("person")
            .order_by("start", "pk")
        ),
        "may_manage": may_manage_pairings(request.user, pairing.household.village),
        "end_form": PairingEndForm(initial={"end": today()}),
        "handover_form": HandOverForm(people=people, initial={"on": today()}),
    }


@require_GET
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    return render(request, "assistance/pairing_detail.html", _detail_context(request, pairing))


@require_POST
def pairing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    if not may_manage_pairings(request.user, pairing.household.village):
        raise PermissionDenied
    context = _detail_context(request, pairing)
    if action == "end":
        form: Any = PairingEndForm(request.POST)
        context["end_form"] = form
    else:
        form = HandOverForm(request.POST, people=context["handover_form"].fields["person"].queryset)
        context["handover_form"] = form
    if form.is_valid():
        try:
            target = _act(request, pairing, action, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("assistance-pairing", target.pk)
    return render(request, "assistance/pairing_detail.html", context, status=400)


def _act(request: HttpRequest, pairing: Pairing, action: str, data: dict[str, Any]) -> Pairing:
    if action == "end":
        pairing_end(pairing=pairing, end=data["end"], acting_user=request.user)
        messages.success(request, _("Pairing ended."))
        return pairing
    successor = pairing_hand_over(
        pairing=pairing, to_person=data["person"], on=data["on"], acting_user=request.user
    )
    messages.success(request, _("Household handed over to %(name)s.") % {"name": successor.person})
    return successor


# --- villages and grassroots units (HF-A1) --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def unit_pairing_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_manage = may_manage_pairings(user)
    form = UnitPairingForm(
        request.POST or None,
        people=people_for_user(user).order_by("code"),
        units=units_for_user(user).order_by("path"),
        initial={"start": today()},
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                unit_pairing_save(pairing=UnitPairing(**form.cleaned_data), acting_user=user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Village pairing recorded."))
                return redirect("assistance-unit-pairings")
    pairings = (
        UnitPairing.objects.visible_to(user)
        .select_related("person", "body", "unit")
        .order_by("unit__path", "-start", "pk")
    )
    context = {"page": page_of(pairings, request), "form": form, "may_manage": may_manage}
    return render(
        request, "assistance/unit_pairings.html", context, status=400 if form.errors else 200
    )
