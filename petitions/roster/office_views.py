"""The office reception ledger (TY-C3) with missed calls (TY-C1) and rescheduled meetings
(TY-C2): one page per unit, each item tracked to done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from directory import navigation
from directory.access import get_or_404
from directory.models import Role
from rules.workdays import UnknownCalendarYear

from ..matters.forms import apply_errors, today
from . import forms as fr
from . import services as sr
from .models import MissedContact, OfficeVisit, RescheduledMeeting

navigation.register(
    pgettext_lazy("navigation", "Office reception ledger"),
    "office-ledger",
    group="petitions",
    order=33,
)

EDITOR_ROLES = (Role.PETITION_OFFICE, Role.UNIT_STAFF, Role.ADMIN)
LEDGER_ROWS = 50

KINDS: dict[str, tuple[type, type, Any, Any]] = {
    # kind: (model, form, record service, done service)
    "visit": (
        OfficeVisit,
        fr.OfficeVisitForm,
        lambda obj, user: sr.office_visit_record(visit=obj, acting_user=user),
        None,
    ),
    "missed": (
        MissedContact,
        fr.MissedContactForm,
        lambda obj, user: sr.missed_contact_record(contact=obj, acting_user=user),
        lambda obj, d: sr.missed_contact_return(contact=obj, on=d["on"], note=d["note"]),
    ),
    "rescheduled": (
        RescheduledMeeting,
        fr.RescheduledForm,
        lambda obj, user: sr.rescheduled_record(meeting=obj, acting_user=user),
        lambda obj, d: sr.rescheduled_done(meeting=obj, on=d["on"], outcome=d["note"]),
    ),
}


def _can_edit(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*EDITOR_ROLES))


def _forms(user: Any, bound: str = "", data: Any = None) -> dict[str, Any]:
    initial = {"date": today(), "missed_on": today(), "requested_on": today()}
    return {
        kind: form_class(data if kind == bound else None, user=user, initial=initial)
        for kind, (_model, form_class, _record, _done) in KINDS.items()
    }


def office_ledger(
    request: HttpRequest, bound: str = "", forms: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    context = {
        "visits": OfficeVisit.objects.visible_to(user).select_related("unit", "received_by")[
            :LEDGER_ROWS
        ],
        "missed": MissedContact.objects.visible_to(user).select_related("unit", "person")[
            :LEDGER_ROWS
        ],
        "rescheduled": RescheduledMeeting.objects.visible_to(user).select_related(
            "unit", "person", "other_person"
        )[:LEDGER_ROWS],
        "forms": (forms or _forms(user)) if _can_edit(user) else None,
        "done_form": fr.DoneForm(initial={"on": today()}),
        "today": today(),
    }
    return render(request, "petitions/office_ledger.html", context)


def office_add(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    if request.method != "POST" or not _can_edit(request.user):
        raise PermissionDenied
    forms = _forms(request.user, kind, request.POST)
    form = forms[kind]
    if form.is_valid():
        try:
            KINDS[kind][2](form.instance, request.user)
        except (ValidationError, UnknownCalendarYear) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Ledger entry saved."))
            return redirect("office-ledger")
    return office_ledger(request, kind, forms)


def office_done(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS or KINDS[kind][3] is None:
        raise Http404
    if request.method != "POST" or not _can_edit(request.user):
        raise PermissionDenied
    model = KINDS[kind][0]
    item = get_or_404(model.objects.visible_to(request.user), pk=pk)
    form = fr.DoneForm(request.POST)
    if form.is_valid():
        try:
            KINDS[kind][3](item, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Marked as done."))
    return redirect("office-ledger")
