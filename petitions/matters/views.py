"""Petition pages: register, list, detail, history, attachments, export and one page per step.

Every petition is fetched through petitions.matters.access (404 outside what the user may see)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from directory import navigation
from directory.models import Role
from directory.paging import page_of
from rules.workdays import UnknownCalendarYear

from . import forms as f
from . import services as s
from .access import (
    can_handle,
    can_object,
    can_reveal,
    can_review,
    get_attachment_for_user,
    get_petition_for_user,
    is_office,
)
from .exports import petition_workbook, xlsx_response
from .models import Petition, PetitionStatus, RevealedField
from .selectors import (
    petition_page_context,
    petition_rows,
    petition_search,
    with_list_relations,
    with_row_relations,
)

navigation.register(
    pgettext_lazy("navigation", "Petitions"), "petition-list", group="petitions", order=30
)

SUPERVISING_ROLES = (Role.PETITION_OFFICE, Role.SUPERVISOR, Role.ADMIN)


def petition_list(request: HttpRequest) -> HttpResponse:
    form = f.PetitionFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = with_row_relations(petition_search(request.user, filters, f.today()))
    page = page_of(petitions, request)
    context = {
        "form": form,
        "page": page,
        "rows": petition_rows(page.rows, f.today()),
        "can_register": is_office(request.user),
    }
    return render(request, "petitions/petition_list.html", context)


def petition_export(request: HttpRequest) -> HttpResponse:
    form = f.PetitionFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = with_list_relations(petition_search(request.user, filters, f.today()))
    return xlsx_response(petition_workbook(petitions), "petitions.xlsx")


def _register(form: Any, formset: Any, request: HttpRequest) -> Petition:
    data = form.cleaned_data
    rows = [row for row in (pf.data_row() for pf in formset) if row is not None]
    action, _sep, linked_pk = request.POST.get("repeat_action", "").partition(":")
    linked = None
    if action in ("repeat", "new") and linked_pk.isdigit():
        linked = get_petition_for_user(request.user, int(linked_pk))
    if action == "repeat" and linked is not None:
        s.petition_record_repeat(
            petition=linked,
            received_on=data["received_on"],
            channel=data["channel"],
            note=data["summary"],
            acting_user=request.user,
        )
        return linked
    return s.petition_register(
        acting_user=request.user,
        receiving_unit=request.user.unit,
        received_on=data["received_on"],
        today=f.today(),
        petitioners=rows,
        attachments=data["attachments"],
        linked_to=linked,
        **{key: data[key] for key in REGISTER_FIELDS},
    )


REGISTER_FIELDS = (
    "channel",
    "headcount",
    "summary",
    "content",
    "category",
    "township",
    "subject_unit",
    "subject_person",
    "subject_text",
    "lead_unit",
    "co_units",
    "instructions",
)


def petition_register(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user) or request.user.unit is None:
        raise PermissionDenied
    form = f.PetitionRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    formset = f.petitioner_formset(request.POST or None)
    matches: list[Petition] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            petition = _register(form, formset, request)
        except s.RepeatDetected as exc:
            matches = exc.matches
        except (ValidationError, UnknownCalendarYear) as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, _("Petition %(ref)s saved.") % {"ref": petition.ref})
            return redirect("petition-detail", pk=petition.pk)
    context = {"form": form, "formset": formset, "matches": matches}
    return render(request, "petitions/petition_register.html", context)


def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    context = petition_page_context(request.user, petition)
    context.update(
        petition=petition,
        today=f.today(),
        steps=available_steps(request.user, petition),
        can_reveal=can_reveal(request.user, petition),
        can_attach=is_office(request.user) or can_handle(request.user, petition),
    )
    return render(request, "petitions/petition_detail.html", context)


def petition_history(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    context = {
        "petition": petition,
        "events": petition.events.select_related("user").order_by("on", "pk"),
        "records": petition.history.select_related("history_user").order_by("-history_date")[:100],
    }
    return render(request, "petitions/petition_history.html", context)


def petition_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def petition_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    if request.method != "POST" or not (
        is_office(request.user) or can_handle(request.user, petition)
    ):
        raise PermissionDenied
    form = f.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for upload in form.cleaned_data["attachments"]:
                s.attachment_add(petition=petition, upload=upload, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Attachments added."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("petition-detail", pk=petition.pk)


def petition_reveal(request: HttpRequest, pk: int, petitioner_pk: int, field: str) -> HttpResponse:
    """Show one full ID number or phone, writing an access-log row (POST only)."""
    petition = get_petition_for_user(request.user, pk)
    if request.method != "POST" or field not in RevealedField.values:
        raise Http404
    if not can_reveal(request.user, petition):
        raise PermissionDenied
    petitioner = get_object_or_404(petition.petitioners, pk=petitioner_pk)
    value = s.petitioner_reveal(petitioner=petitioner, field=field, user=request.user)
    template = (
        "petitions/_revealed.html"
        if request.headers.get("HX-Request")
        else "petitions/revealed.html"
    )
    context = {
        "petition": petition,
        "petitioner": petitioner,
        "field": RevealedField(field).label,
        "value": value,
    }
    return render(request, template, context)


# --- steps ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: Any
    form: type[f.StepForm]
    allowed: Callable[[Any, Petition], bool]
    run: Callable[[Petition, dict[str, Any], Any], Any]


def _supervisor(user: Any, petition: Petition) -> bool:
    return petition.is_open and (user.is_superuser or user.has_role(*SUPERVISING_ROLES))


def _office_when(*statuses: str) -> Callable[[Any, Petition], bool]:
    return lambda user, petition: is_office(user) and petition.status in statuses


def _handler_when(*statuses: str) -> Callable[[Any, Petition], bool]:
    return lambda user, petition: can_handle(user, petition) and petition.status in statuses


def _can_object(user: Any, petition: Petition) -> bool:
    if petition.status not in (PetitionStatus.ROUTED, PetitionStatus.ACCEPTED):
        return False
    return any(
        a.state == "active" and can_object(user, a.unit)
        for a in petition.assignments.select_related("unit")
    )


OPEN_BEFORE_ACCEPTANCE = (PetitionStatus.REGISTERED, PetitionStatus.ROUTED)

STEPS: dict[str, Step] = {
    "route": Step(
        gettext_lazy("Route to units"),
        f.RouteForm,
        _office_when(*OPEN_BEFORE_ACCEPTANCE, PetitionStatus.ACCEPTED),
        lambda p, d, u: s.petition_route(
            petition=p,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            on=d["on"],
            instructions=d["instructions"],
            acting_user=u,
        ),
    ),
    "object": Step(
        gettext_lazy("Object to the routing"),
        f.ObjectForm,
        _can_object,
        lambda p, d, u: s.petition_object(
            petition=p, unit=d["unit"], on=d["on"], reason=d["reason"], acting_user=u
        ),
    ),
    "accept": Step(
        gettext_lazy("Acceptance notice"),
        f.AcceptForm,
        _handler_when(PetitionStatus.ROUTED),
        lambda p, d, u: s.petition_accept(
            petition=p, on=d["on"], accepted=d["accepted"], reason=d["reason"], acting_user=u
        ),
    ),
    "extend": Step(
        gettext_lazy("Extend the time limit"),
        f.ExtendForm,
        _handler_when(PetitionStatus.ACCEPTED),
        lambda p, d, u: s.petition_extend(
            petition=p, days=d["days"], reason=d["reason"], on=d["on"], acting_user=u
        ),
    ),
    "answer": Step(
        gettext_lazy("Written answer"),
        f.AnswerForm,
        _handler_when(PetitionStatus.ACCEPTED),
        lambda p, d, u: s.petition_answer(
            petition=p, on=d["on"], answer=d["answer"], acting_user=u
        ),
    ),
    "review": Step(
        gettext_lazy("Review requested"),
        f.RequestForm,
        _office_when(PetitionStatus.ANSWERED),
        lambda p, d, u: s.petition_request_review(
            petition=p, on=d["on"], unit=d["unit"], acting_user=u
        ),
    ),
    "review-answer": Step(
        gettext_lazy("Review opinion"),
        f.AnswerForm,
        lambda u, p: p.status == PetitionStatus.REVIEW and can_review(u, p.review_unit),
        lambda p, d, u: s.petition_answer_review(
            petition=p, on=d["on"], answer=d["answer"], acting_user=u
        ),
    ),
    "recheck": Step(
        gettext_lazy("Re-review requested"),
        f.RequestForm,
        _office_when(PetitionStatus.REVIEWED),
        lambda p, d, u: s.petition_request_recheck(
            petition=p, on=d["on"], unit=d["unit"], acting_user=u
        ),
    ),
    "recheck-answer": Step(
        gettext_lazy("Re-review opinion"),
        f.AnswerForm,
        lambda u, p: p.status == PetitionStatus.RECHECK and can_review(u, p.recheck_unit),
        lambda p, d, u: s.petition_answer_recheck(
            petition=p, on=d["on"], answer=d["answer"], acting_user=u
        ),
    ),
    "close": Step(
        gettext_lazy("Close the matter"),
        f.CloseForm,
        _office_when(PetitionStatus.ANSWERED, PetitionStatus.REVIEWED),
        lambda p, d, u: s.petition_close(petition=p, on=d["on"], reason=d["reason"], acting_user=u),
    ),
    "supervise": Step(
        gettext_lazy("Supervise (督办)"),
        f.SuperviseForm,
        _supervisor,
        lambda p, d, u: s.petition_supervise(
            petition=p,
            mode=d["mode"],
            instructions=d["instructions"],
            unit=u.unit,
            on=d["on"],
            due_on=d["due_on"],
            acting_user=u,
        ),
    ),
    "return-visit": Step(
        gettext_lazy("Return visit"),
        f.ReturnVisitForm,
        lambda u, p: is_office(u) and p.answered_on is not None,
        lambda p, d, u: s.petition_return_visit(
            petition=p, on=d["on"], satisfaction=d["satisfaction"], note=d["note"], acting_user=u
        ),
    ),
    "charge": Step(
        gettext_lazy("Leader in charge"),
        f.ChargeForm,
        lambda u, p: is_office(u) and p.is_open,
        lambda p, d, u: s.petition_charge(
            petition=p, leader=d["leader"], is_backlog=d["is_backlog"], on=d["on"], acting_user=u
        ),
    ),
    "repeat": Step(
        gettext_lazy("Repeat visit"),
        f.RepeatForm,
        lambda u, p: is_office(u) and p.is_open,
        lambda p, d, u: s.petition_record_repeat(
            petition=p, received_on=d["on"], channel=d["channel"], note=d["note"], acting_user=u
        ),
    ),
}


def available_steps(user: Any, petition: Petition) -> list[tuple[str, Any]]:
    return [(name, step.label) for name, step in STEPS.items() if step.allowed(user, petition)]


def moved_on_message(petition: Petition) -> str:
    return _(
        "This step is no longer open: the matter is now “%(status)s”. Someone else may have "
        "just handled it; the page below shows what was done."
    ) % {"status": petition.get_status_display()}


def petition_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    spec = STEPS.get(step)
    if spec is None:
        raise Http404
    petition = get_petition_for_user(request.user, pk)
    if not spec.allowed(request.user, petition):
        if request.method == "POST":  # the page was open while someone else moved the matter
            messages.error(request, moved_on_message(petition))
            return redirect("petition-detail", pk=petition.pk)
        raise PermissionDenied
    form = spec.form(request.POST or None, petition=petition, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(petition, form.cleaned_data, request.user)
        except (ValidationError, UnknownCalendarYear) as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, _("%(step)s: saved.") % {"step": spec.label})
            return redirect("petition-detail", pk=petition.pk)
    context = {"petition": petition, "form": form, "step": spec, "step_name": step}
    return render(request, "petitions/petition_step.html", context)
