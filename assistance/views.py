"""A cadre's "my households" (phone-first), contact logged from it, the contact card PDF, a
household's file with its four-musts events, aid and diary, and the open four-musts visits.

Every record is loaded through assistance.access (404 outside what the viewer may see); an
action the viewer may not take on a record they can see is 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory import navigation
from directory.models import OrgUnit, Person
from directory.paging import page_of
from directory.timeutil import today
from rules.clocks import clocks_for_item
from rules.models import Clock, ClockState
from rules.workdays import UnknownCalendarYear
from visits.facts import household_diary

from .access import (
    aid_for_user,
    events_for_user,
    get_aid_for_user,
    get_household_for_user,
    get_pairing_for_user,
    may_manage_pairings,
    may_record_aid,
    problems_for_user,
)
from .forms import AidCorrectionForm, AidForm, ContactForm, EventForm, VillageEventForm
from .models import VILLAGE_KINDS, HouseholdEvent, Pairing
from .pdf import contact_card_pdf
from .selectors import aid_progress, my_households
from .services import aid_correct, aid_record, contact_log, event_record, village_event_record

navigation.register(
    gettext_lazy("My households"), "assistance-mine", group="assistance", order=22, everyone=True
)
navigation.register(gettext_lazy("Four musts"), "assistance-events", group="assistance", order=24)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _mine_context(request: HttpRequest, bound: tuple[int, ContactForm] | None = None) -> dict:
    user: Any = request.user
    day = today()
    rows = my_households(user.person, day) if user.person_id else []
    for row in rows:
        pk = row.pairing.pk
        row.form = (
            bound[1]
            if bound and bound[0] == pk
            else ContactForm(auto_id=f"c{pk}-%s", initial={"date": day})
        )
    return {
        "rows": rows,
        "attention": [r for r in rows if r.attention],
        "others": [r for r in rows if not r.attention],
        "aid": aid_progress(user.person, day.year) if user.person_id else None,
        "today": day,
        "bound_pk": bound[0] if bound else None,
    }


@require_GET
def my_households_view(request: HttpRequest) -> HttpResponse:
    return render(request, "assistance/mine.html", _mine_context(request))


def _may_log(user: Any, pairing: Pairing) -> bool:
    return pairing.person_id == user.person_id or may_manage_pairings(
        user, pairing.household.village
    )


@require_POST
def contact_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    if not _may_log(request.user, pairing):
        raise PermissionDenied
    form = ContactForm(request.POST, auto_id=f"c{pk}-%s")
    if form.is_valid():
        try:
            contact_log(pairing=pairing, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    if not form.is_valid():
        if pairing.person_id != request.user.person_id:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("assistance-household", pairing.household_id)
        context = _mine_context(request, bound=(pk, form))
        return render(request, "assistance/mine.html", context, status=400)
    messages.success(
        request, _("Contact with %(head)s recorded.") % {"head": pairing.household.head}
    )
    return redirect(_next(request, reverse("assistance-mine")))


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@require_GET
def contact_card_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    response = HttpResponse(contact_card_pdf(pairing), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"minqing-card-{pairing.household.code}.pdf"
    )
    return response


# --- the household's file ------------------------------------------------------------------------


def _household_context(request: HttpRequest, household: Any) -> dict[str, Any]:
    user: Any = request.user
    pairings = list(
        Pairing.objects.filter(household=household)
        .select_related("person__unit", "handed_over_from__person")
        .order_by("-start", "-pk")
    )
    events = list(HouseholdEvent.objects.filter(household=household).order_by("-date", "-pk")[:20])
    for event in events:
        event.clock_list = list(clocks_for_item(event))
    aid = list(aid_for_user(user).filter(household=household).select_related("person", "corrects"))
    paired_people = {p.person_id for p in pairings}
    return {
        "household": household,
        "pairings": pairings,
        "events": events,
        "aid_entries": aid,
        "diary": household_diary([household.pk]).get(household.pk, [])[:20],
        "problems": list(problems_for_user(user).filter(household=household)[:20]),
        "event_form": EventForm(initial={"date": today()}),
        "aid_form": _aid_form(request, household) if _aid_people(request, household) else None,
        "may_manage": may_manage_pairings(user, household.village),
        "is_paired": user.person_id in paired_people,
        "today": today(),
    }


def _aid_people(request: HttpRequest, household: Any) -> Any:
    """Cadres the user may record aid for on this household: themselves, or (staff in scope)
    every cadre paired with it today."""
    user: Any = request.user
    paired = Pairing.objects.in_force(today()).filter(household=household).values("person_id")
    people = Person.objects.filter(pk__in=paired)
    if may_manage_pairings(user, household.village):
        return people
    return people.filter(pk=user.person_id) if user.person_id else people.none()


def _aid_form(request: HttpRequest, household: Any, data: Any = None) -> AidForm:
    return AidForm(data, people=_aid_people(request, household), initial={"date": today()})


@require_GET
def household_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    return render(request, "assistance/household.html", _household_context(request, household))


@require_POST
def event_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            _event, clocks = event_record(
                household=household, acting_user=request.user, **form.cleaned_data
            )
        except (ValidationError, UnknownCalendarYear) as exc:
            form.add_error(None, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _event_message(len(clocks)))
            return redirect("assistance-household", household.pk)
    context = _household_context(request, household)
    context["event_form"] = form
    return render(request, "assistance/household.html", context, status=400)


def _event_message(clocks: int) -> str:
    if not clocks:
        return _("Event recorded. No cadre is paired with the household: no visit is due.")
    return _("Event recorded: %(n)d visit(s) due.") % {"n": clocks}


@require_POST
def aid_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    form = _aid_form(request, household, request.POST)
    if not form.fields["person"].queryset.exists():
        raise PermissionDenied
    if form.is_valid():
        try:
            aid_record(household=household, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Aid recorded."))
            return redirect("assistance-household", household.pk)
    context = _household_context(request, household)
    context["aid_form"] = form
    return render(request, "assistance/household.html", context, status=400)


@require_http_methods(["GET", "POST"])
def aid_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_aid_for_user(request.user, pk)
    if entry.corrects_id or not may_record_aid(request.user, entry.household, entry.person_id):
        raise PermissionDenied
    form = AidCorrectionForm(request.POST or None, initial={"amount": entry.amount})
    if request.method == "POST" and form.is_valid():
        try:
            aid_correct(
                entry=entry,
                acting_user=request.user,
                reason=form.cleaned_data["description"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Correction recorded."))
            return redirect("assistance-household", entry.household_id)
    return render(request, "assistance/aid_correct.html", {"entry": entry, "form": form})


# --- four musts ------------------------------------------------------------------------------------


def _villages(request: HttpRequest) -> Any:
    return OrgUnit.objects.visible_to(request.user).filter(kind__in=VILLAGE_KINDS).order_by("path")


@require_GET
def events_view(request: HttpRequest) -> HttpResponse:
    """Open four-musts visits in the viewer's scope, most urgent first."""
    events = events_for_user(request.user).values("pk")
    clocks = (
        Clock.objects.filter(
            state=ClockState.OPEN,
            content_type=ContentType.objects.get_for_model(HouseholdEvent),
            object_id__in=events,
        )
        .select_related("person", "rule")
        .order_by("due", "pk")
    )
    page = page_of(clocks, request)
    items = HouseholdEvent.objects.select_related("household__village").in_bulk(
        [c.object_id for c in page.rows]
    )
    rows = [(clock, items.get(clock.object_id)) for clock in page.rows]
    context = {"page": page, "rows": rows, "today": today()}
    return render(request, "assistance/events.html", context)


@require_http_methods(["GET", "POST"])
def village_event_view(request: HttpRequest) -> HttpResponse:
    form = VillageEventForm(
        request.POST or None, villages=_villages(request), initial={"date": today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            events, clocks = village_event_record(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, UnknownCalendarYear) as exc:
            form.add_error(None, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("Recorded for %(households)d paired households: %(clocks)d visit(s) due.")
                % {"households": len(events), "clocks": len(clocks)},
            )
            return redirect("assistance-events")
    return render(request, "assistance/village_event.html", {"form": form})
