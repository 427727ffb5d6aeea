"""Suggestions and proposals: the list (a handling unit's 'assigned and due' page), the item
page with the actions its viewer may take, the deputies' own page and the Excel export.

Every item is loaded through proposals.access (404 outside the viewer's items); an action the
viewer may not take on an item they can see is 403."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from directory import navigation
from directory.access import get_or_404
from directory.models import Role
from directory.paging import page_of
from rules.clocks import clocks_for_item

from .access import (
    co_handlings_of,
    get_proposal_for_user,
    is_author,
    is_lead_handler,
    is_office_for,
    may_register,
    office_bodies,
    sees_everything,
)
from .documents import content_type_for
from .export import XLSX, ledger_workbook
from .forms import (
    AnswerForm,
    AssignForm,
    ComplexForm,
    ContactForm,
    FeedbackForm,
    OpinionForm,
    ProposalFilterForm,
    ProposalForm,
)
from .models import FIRST_HANDLING, Proposal, Session, Stage
from .selectors import clocks_by_item, for_list
from .services import (
    co_handling_opinion,
    proposal_answer,
    proposal_assign,
    proposal_feedback,
    proposal_mark_complex,
    proposal_record_contact,
    proposal_register,
)

navigation.register(
    pgettext_lazy("navigation", "Suggestions and proposals"),
    "proposal-home",
    group="proposals",
    order=40,
    everyone=True,
)

FORMS: dict[str, type] = {
    "assign": AssignForm,
    "complex": ComplexForm,
    "contact": ContactForm,
    "answer": AnswerForm,
    "opinion": OpinionForm,
    "feedback": FeedbackForm,
}


def proposal_home(request: HttpRequest) -> HttpResponse:
    """Deputies' and members' accounts (no staff role) land on their own items."""
    user: Any = request.user
    if not user.role_list and not user.is_superuser:
        return redirect("proposal-mine")
    return redirect("proposal-list")


def _filtered(request: HttpRequest) -> tuple[ProposalFilterForm, Any]:
    form = ProposalFilterForm(request.GET or None)
    items = Proposal.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"]:
            items = items.filter(Q(title__icontains=q) | Q(ref__icontains=q))
        if data["stage"]:
            items = items.filter(stage=data["stage"])
        if data["session"]:
            items = items.filter(session=data["session"])
    items = for_list(items)
    if form.is_valid() and form.cleaned_data["overdue"]:
        items = items.filter(next_due__lt=timezone.localdate())
    return form, items


@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    form, items = _filtered(request)
    context = {
        "form": form,
        "page": page_of(items, request),
        "today": timezone.localdate(),
        "may_register": may_register(request.user),
        "is_deputy": bool(request.user.person_id),
    }
    return render(request, "proposals/proposal_list.html", context)


@require_GET
def proposal_export(request: HttpRequest) -> HttpResponse:
    _form, items = _filtered(request)
    response = HttpResponse(ledger_workbook(items), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"proposals-{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response


def _available(user: Any, proposal: Proposal) -> list[str]:
    """The actions the viewer may take on the item now."""
    office = is_office_for(user, proposal.session.body)
    lead = is_lead_handler(user, proposal)
    names = []
    if office and proposal.stage == Stage.REGISTERED:
        names.append("assign")
    if office and not proposal.complex and proposal.stage in (Stage.REGISTERED, *FIRST_HANDLING):
        names.append("complex")
    if lead and proposal.stage not in (Stage.REGISTERED, Stage.CLOSED):
        names.append("contact")
    if lead and proposal.answer_round:
        names.append("answer")
    if co_handlings_of(user, proposal) and proposal.stage != Stage.CLOSED:
        names.append("opinion")
    if proposal.feedback_round and (office or is_author(user, proposal)):
        names.append("feedback")
    return names


def _detail(
    request: HttpRequest, proposal: Proposal, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    today = timezone.localdate()
    dates = {"assigned_on": today, "contacted_on": today, "answered_on": today, "given_on": today}
    forms = {
        name: bound.get(name) or FORMS[name](initial=dates)
        for name in _available(request.user, proposal)
    }
    context = {
        "proposal": proposal,
        "authors": proposal.authorships.select_related("person", "person__unit"),
        "co_handlings": proposal.co_handlings.select_related("unit"),
        "clocks": clocks_for_item(proposal),
        "contacts": proposal.contacts.all(),
        "answers": proposal.answers.all(),
        "feedbacks": proposal.feedbacks.all(),
        "forms": forms,
        "today": today,
        "history": proposal.history.select_related("history_user").order_by("-history_date")[:20]
        if sees_everything(request.user) or is_office_for(request.user, proposal.session.body)
        else [],
    }
    return render(request, "proposals/proposal_detail.html", context, status=400 if bound else 200)


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_proposal_for_user(request.user, pk))


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _act(
    request: HttpRequest,
    pk: int,
    name: str,
    perform: Callable[[Proposal, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Validate the action's form, run its service, and go back to the item page."""
    proposal = get_proposal_for_user(request.user, pk)
    if name not in _available(request.user, proposal):
        raise PermissionDenied
    form = FORMS[name](request.POST, request.FILES)
    if form.is_valid():
        try:
            perform(proposal, form.cleaned_data)
        except ValidationError as exc:
            proposal.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("proposal-detail", pk=proposal.pk)
    return _detail(request, proposal, {name: form})


@require_POST
def proposal_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        return proposal_assign(
            proposal=proposal,
            lead_unit=data["lead_unit"],
            co_units=list(data["co_units"]),
            assigned_on=data["assigned_on"],
        )

    return _act(request, pk, "assign", perform, _("The item is assigned."))


@require_POST
def proposal_complex_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        return proposal_mark_complex(proposal=proposal, explanation=data["explanation"])

    return _act(request, pk, "complex", perform, _("The item is marked complex."))


@require_POST
def proposal_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        return proposal_record_contact(
            proposal=proposal,
            contacted_on=data["contacted_on"],
            method=data["method"],
            note=data["note"],
        )

    return _act(request, pk, "contact", perform, _("The contact is recorded."))


@require_POST
def proposal_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        return proposal_answer(
            proposal=proposal,
            answered_on=data["answered_on"],
            result=data["result"],
            text=data["text"],
            document=data["document"],
        )

    return _act(request, pk, "answer", perform, _("The answer is recorded."))


@require_POST
def proposal_opinion_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        entry = co_handlings_of(request.user, proposal)[0]
        return co_handling_opinion(
            co_handling=entry, opinion=data["opinion"], given_on=data["given_on"]
        )

    return _act(request, pk, "opinion", perform, _("The opinion is recorded."))


@require_POST
def proposal_feedback_view(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(proposal: Proposal, data: dict[str, Any]) -> Any:
        return proposal_feedback(
            proposal=proposal,
            given_on=data["given_on"],
            attitude=data["attitude"],
            result=data["result"],
            comment=data["comment"],
            by_author=is_author(request.user, proposal),
        )

    return _act(request, pk, "feedback", perform, _("Thank you: the feedback is recorded."))


@require_GET
def answer_document(request: HttpRequest, pk: int, round_: int) -> FileResponse:
    proposal = get_proposal_for_user(request.user, pk)
    answer = get_or_404(proposal.answers.all(), round=round_)
    if not answer.document:
        raise Http404
    name = answer.document_name or Path(answer.document.name).name
    return FileResponse(
        answer.document.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type_for(name),
    )


def _register_sessions(user: Any) -> Any:
    sessions = Session.objects.order_by("-opens")
    if user.is_superuser or user.has_role(Role.ADMIN):
        return sessions
    return sessions.filter(body__in=sorted(office_bodies(user)))


def proposal_new(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise PermissionDenied
    form = ProposalForm(request.POST or None, sessions=_register_sessions(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposal_register(
                session=data["session"],
                kind=data["kind"],
                in_session=data["in_session"],
                submitted=data["submitted"],
                title=data["title"],
                text=data["text"],
                category=data["category"],
                authors=form.authors(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Registered as %(ref)s.") % {"ref": proposal.ref})
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "proposals/proposal_form.html", {"form": form})


@require_GET
def proposal_mine(request: HttpRequest) -> HttpResponse:
    """A deputy's or member's own items, each clock, the answers, and where feedback is due."""
    user: Any = request.user
    items = (
        Proposal.objects.filter(authorships__person_id=user.person_id)
        .select_related("session", "lead_unit")
        .prefetch_related("answers", "feedbacks")
        .order_by("-submitted", "-pk")
        if user.person_id
        else Proposal.objects.none()
    )
    page = page_of(items, request)
    clocks = clocks_by_item(page.rows)
    rows = [{"item": item, "clocks": clocks.get(item.pk, [])} for item in page.rows]
    context = {"page": page, "rows": rows, "today": timezone.localdate()}
    return render(request, "proposals/mine.html", context)
