"""The three public lists (TY-L1): staff pages to keep them and record progress, and the
public page anyone may read without an account."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from directory import navigation
from directory.forms import apply_errors
from directory.models import Role

from .access import get_list_item_for_user, may_manage_lists, may_update_list_item
from .forms import ListItemForm, ProgressForm
from .models import ListKind, ListProgress, PublicListItem
from .services import list_item_progress, list_item_save

navigation.register(
    gettext_lazy("Three public lists"),
    "proposal-lists",
    group="proposals",
    roles=tuple(Role.values),
    order=41,
)


def _grouped(items: Any, today: Any) -> list[dict[str, Any]]:
    """Items by list, in the lists' fixed order, each with its status for today."""
    labels = dict(ListKind.choices)
    by_kind = {kind: list(rows) for kind, rows in groupby(items, key=lambda item: item.list_kind)}
    return [
        {
            "kind": kind,
            "label": labels[kind],
            "items": [(item, item.status(today)) for item in by_kind.get(kind, [])],
        }
        for kind in ListKind.values
    ]


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request)
    items = (
        PublicListItem.objects.filter(year=year)
        .select_related("lead_leader", "responsible_unit")
        .order_by("list_kind", "target_date", "code")
    )
    context = {
        "lists": _grouped(items, today),
        "year": year,
        "years": (year - 1, year + 1),
        "may_manage": may_manage_lists(request.user),
    }
    return render(request, "proposals/list_index.html", context)


def list_item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not may_manage_lists(request.user):
        raise PermissionDenied
    item = get_list_item_for_user(request.user, pk) if pk else None
    form = ListItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = list_item_save(item=form.instance, reason="edited in the browser")
        except ValidationError as exc:  # a date or number that cannot be true
            apply_errors(form, exc)
        else:
            messages.success(request, _("List item %(title)s saved.") % {"title": saved.title})
            return redirect("proposal-list-item", pk=saved.pk)
    return render(request, "proposals/list_item_form.html", {"form": form, "item": item})


def _item_page(request: HttpRequest, item: PublicListItem, form: Any = None) -> HttpResponse:
    may_update = may_update_list_item(request.user, item)
    if may_update and form is None:
        form = ProgressForm(initial={"on": timezone.localdate()})
    context = {
        "item": item,
        "status": item.status(timezone.localdate()),
        "progress": item.progress.all(),
        "form": form if may_update else None,
        "may_manage": may_manage_lists(request.user),
    }
    return render(
        request,
        "proposals/list_item_detail.html",
        context,
        status=400 if form and form.is_bound else 200,
    )


@require_GET
def list_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, get_list_item_for_user(request.user, pk))


@require_POST
def list_item_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_list_item_for_user(request.user, pk)
    if not may_update_list_item(request.user, item):
        raise PermissionDenied
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, form)
    try:
        list_item_progress(item=item, **form.cleaned_data)
    except ValidationError as exc:  # someone else has just completed the item, or a date that
        # cannot be true
        apply_errors(form, exc)
        return _item_page(request, item, form)
    messages.success(request, _("The progress is recorded."))
    return redirect("proposal-list-item", pk=item.pk)


@require_GET
def public_lists(request: HttpRequest) -> HttpResponse:
    """No login: the published items with their public fields and latest progress only."""
    today = timezone.localdate()
    year = _year(request)
    items = (
        PublicListItem.objects.published()
        .filter(year=year)
        .select_related("lead_leader", "responsible_unit")
        .prefetch_related(
            Prefetch("progress", queryset=ListProgress.objects.order_by("-on", "-pk"))
        )
        .order_by("list_kind", "target_date", "code")
    )
    context = {"lists": _grouped(items, today), "year": year, "years": (year - 1, year + 1)}
    return render(request, "proposals/public_lists.html", context)
