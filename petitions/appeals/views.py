"""Staff pages of appeals: the list, intake from other platforms, the appeal page with one form
per step, attachments, the Excel export and the category limits.

Every appeal is fetched through petitions.appeals.access (404 outside what the user may see)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.models import Role
from directory.paging import page_of
from directory.timeutil import today
from rules.clocks import clocks_for_item
from rules.workdays import UnknownCalendarYear

from ..matters.exports import xlsx_response
from ..matters.forms import apply_errors
from . import forms as f
from . import services as s
from .access import (
    can_answer,
    get_appeal_attachment_for_user,
    get_appeal_for_user,
    is_appeal_office,
    sees_full_contact,
)
from .exports import appeal_workbook
from .models import Appeal, AppealCategory, AppealStatus
from .selectors import appeal_filter, appeal_rows, appeal_search, with_row_names

STAFF_ROLES = (Role.PETITION_OFFICE, Role.UNIT_STAFF, Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
navigation.register(
    gettext_lazy("Online appeals"), "appeal-list", group="appeals", roles=STAFF_ROLES, order=33
)
navigation.register(
    gettext_lazy("Appeal categories"),
    "appeal-categories",
    group="appeals",
    order=36,
    check=is_appeal_office,
)


def appeal_list(request: HttpRequest) -> HttpResponse:
    form = f.AppealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = page_of(with_row_names(appeal_filter(request.user, filters, today())), request)
    context = {
        "form": form,
        "page": page,
        "rows": appeal_rows(page.rows, today()),
        "can_intake": is_appeal_office(request.user),
    }
    return render(request, "petitions/appeals/appeal_list.html", context)


def appeal_export(request: HttpRequest) -> HttpResponse:
    form = f.AppealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    appeals = appeal_search(request.user, filters, today())
    return xlsx_response(appeal_workbook(appeals), "appeals.xlsx")


def appeal_new(request: HttpRequest) -> HttpResponse:
    if not is_appeal_office(request.user) or request.user.unit is None:
        raise PermissionDenied
    form = f.IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = s.appeal_intake(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, UnknownCalendarYear) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Appeal %(ref)s saved.") % {"ref": appeal.ref})
            return redirect("appeal-detail", pk=appeal.pk)
    return render(request, "petitions/appeals/appeal_new.html", {"form": form})


def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_appeal_for_user(request.user, pk)
    clocks = list(clocks_for_item(appeal))
    context = {
        "appeal": appeal,
        "today": today(),
        "clocks": clocks,
        "due_provisional": any(c.provisional and c.due == appeal.due for c in clocks),
        "replies": appeal.replies.select_related("unit", "user"),
        "steps": appeal.steps.select_related("unit"),
        "attachments": appeal.attachments.all(),
        "full_contact": sees_full_contact(request.user, appeal),
        "actions": [key for key, step in STEPS.items() if step.allowed(request.user, appeal)],
    }
    return render(request, "petitions/appeals/appeal_detail.html", context)


def appeal_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = get_appeal_attachment_for_user(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- steps: one form and one service per step ------------------------------------------------------


@dataclass(frozen=True)
class Step:
    title: Any
    form: Callable[..., Any]
    allowed: Callable[[Any, Appeal], bool]
    perform: Callable[[Appeal, dict[str, Any], Any], Any]
    initial: Callable[[Appeal], dict[str, Any]] = lambda appeal: {"on": today()}


def _office_open(user: Any, appeal: Appeal) -> bool:
    return is_appeal_office(user) and appeal.is_open


def _can_reply(user: Any, appeal: Appeal) -> bool:
    return appeal.is_open and (is_appeal_office(user) or can_answer(user, appeal))


def _can_return(user: Any, appeal: Appeal) -> bool:
    waiting = appeal.status in (AppealStatus.ASSIGNED, AppealStatus.REOPENED)
    return waiting and can_answer(user, appeal)


def _can_feedback(user: Any, appeal: Appeal) -> bool:
    return is_appeal_office(user) and appeal.status == AppealStatus.REPLIED


STEPS: dict[str, Step] = {
    "assign": Step(
        gettext_lazy("Assign to a unit"),
        f.AssignForm,
        _office_open,
        lambda a, d, u: s.appeal_assign(appeal=a, acting_user=u, **d),
    ),
    "return": Step(
        gettext_lazy("Return: not for our unit"),
        f.ReturnForm,
        _can_return,
        lambda a, d, u: s.appeal_return(appeal=a, acting_user=u, **d),
    ),
    "reply": Step(
        gettext_lazy("Reply"),
        f.ReplyForm,
        _can_reply,
        lambda a, d, u: s.appeal_reply(appeal=a, acting_user=u, **d),
    ),
    "feedback": Step(
        gettext_lazy("Record the citizen's feedback"),
        f.StaffFeedbackForm,
        _can_feedback,
        lambda a, d, u: s.appeal_feedback(appeal=a, acting_user=u, **d),
    ),
    "notable": Step(
        gettext_lazy("Mark for the daily bulletin"),
        f.NotableForm,
        lambda u, a: is_appeal_office(u),
        lambda a, d, u: s.appeal_mark_notable(appeal=a, acting_user=u, on=today(), **d),
        lambda a: {"notable": not a.notable, "note": a.notable_note},
    ),
}


def _step_form(step: Step, request: HttpRequest, appeal: Appeal) -> Any:
    kwargs: dict[str, Any] = {"initial": step.initial(appeal)}
    if step.form is f.AssignForm:
        kwargs["user"] = request.user
    return step.form(request.POST or None, **kwargs)


def appeal_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    appeal = get_appeal_for_user(request.user, pk)
    spec = STEPS.get(step)
    if spec is None:
        raise Http404
    if not spec.allowed(request.user, appeal):
        if request.method == "POST":  # the page was open while someone else moved the appeal
            messages.error(
                request,
                _(
                    "This step is no longer open: the appeal is now “%(status)s”. Someone else "
                    "may have just handled it; the page below shows what was done."
                )
                % {"status": appeal.get_status_display()},
            )
            return redirect("appeal-detail", pk=appeal.pk)
        raise PermissionDenied
    form = _step_form(spec, request, appeal)
    if request.method == "POST" and form.is_valid():
        try:
            spec.perform(appeal, form.cleaned_data, request.user)
        except (ValidationError, UnknownCalendarYear) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            if get_appeal_for_user_or_none(request.user, appeal.pk) is None:
                return redirect("appeal-list")  # returned: the unit no longer sees it
            return redirect("appeal-detail", pk=appeal.pk)
    context = {"appeal": appeal, "form": form, "title": spec.title, "step": step}
    return render(request, "petitions/appeals/appeal_step.html", context)


def get_appeal_for_user_or_none(user: Any, pk: int) -> Appeal | None:
    try:
        return get_appeal_for_user(user, pk)
    except Http404:
        return None


# --- categories ---------------------------------------------------------------------------------------


def category_list(request: HttpRequest) -> HttpResponse:
    if not is_appeal_office(request.user):
        raise PermissionDenied
    context = {
        "categories": AppealCategory.objects.all(),
        "default_limit": s.default_limit(),
    }
    return render(request, "petitions/appeals/category_list.html", context)


def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not is_appeal_office(request.user):
        raise PermissionDenied
    category = get_object_or_404(AppealCategory, pk=pk) if pk else None
    form = f.CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved._change_reason = "category edited"
        saved.save()
        messages.success(request, _("Category saved. New appeals use the new limit."))
        return redirect("appeal-categories")
    return render(
        request, "petitions/appeals/category_edit.html", {"form": form, "category": category}
    )
