"""Visit pages: the ledger, the visit form and a day's round, "my quotas", the supervisor's
board and meetings. Every queryset goes through visits.access / directory.access."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import get_unit_for_user
from directory.models import OrgUnit, Role
from directory.paging import page_of

from .access import get_visit_for_user, visits_for_user
from .exports import visits_workbook
from .forms import (
    HouseholdSearchForm,
    RoundFormSet,
    RoundHeaderForm,
    VisitFilterForm,
    VisitForm,
    search_households,
)
from .listing import visit_rows
from .models import Visit
from .services import RoundLine, round_save, visit_delete, visit_save

navigation.register(gettext_lazy("Visits"), "visit-list", group="visits", order=40)
navigation.register(
    gettext_lazy("My quotas"), "visit-my-quotas", group="visits", roles=(Role.LEADER,), order=41
)
navigation.register(
    gettext_lazy("Visit quotas"),
    "visit-quota-board",
    group="visits",
    roles=(Role.SUPERVISOR, Role.ADMIN),
    order=42,
)

WRITER_ROLES = (Role.LEADER, Role.UNIT_STAFF, Role.ADMIN)
# Values kept from one visit to the next with "save and log another".
CARRIED = ("date", "kind", "unit", "people", "days")


def require_writer(user: Any) -> None:
    if not user.has_role(*WRITER_ROLES):
        raise PermissionDenied


def visit_list(request: HttpRequest) -> HttpResponse:
    form = VisitFilterForm(request.GET or None)
    visits = (
        form.filter(visits_for_user(request.user)).select_related("unit").order_by("-date", "-pk")
    )
    page = page_of(visits, request)
    context = {
        "form": form,
        "page": page,
        "rows": visit_rows(page.rows),
        "can_write": request.user.has_role(*WRITER_ROLES),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "visits/visit_list.html", context)


def visit_export(request: HttpRequest) -> HttpResponse:
    form = VisitFilterForm(request.GET or None)
    visits = form.filter(visits_for_user(request.user)).select_related("unit")
    response = HttpResponse(
        visits_workbook(visits),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="visits.xlsx"'
    return response


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    context = {
        "visit": visit,
        "people": visit.people.select_related("unit"),
        "households": visit.households.select_related("village"),
        "history": visit.history.select_related("history_user").order_by("-history_date")[:20],
        "can_write": request.user.has_role(*WRITER_ROLES),
    }
    return render(request, "visits/visit_detail.html", context)


def visit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_writer(request.user)
    visit = get_visit_for_user(request.user, pk) if pk else Visit()
    initial = {
        key: request.GET.getlist(key) if key == "people" else request.GET[key]
        for key in CARRIED
        if key in request.GET
    }
    form = VisitForm(request.POST or None, instance=visit, user=request.user, initial=initial)
    searching = "search" in request.POST
    if request.method == "POST" and not searching and form.is_valid():
        try:
            saved = _save_visit(form, request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Visit of %(date)s saved.") % {"date": saved.date})
            return redirect(_after_save(request, saved, form))
    return render(request, "visits/visit_form.html", _form_context(request, form, visit))


def _save_visit(form: VisitForm, user: Any) -> Visit:
    return visit_save(
        visit=form.instance,
        people=list(form.cleaned_data["people"]),
        households=list(form.cleaned_data["households"]),
        acting_user=user,
    )


def _after_save(request: HttpRequest, visit: Visit, form: VisitForm) -> str:
    if "another" in request.POST:
        carried = {
            "date": visit.date.isoformat(),
            "kind": visit.kind,
            "unit": visit.unit_id,
            "days": visit.days,
            "people": [p.pk for p in form.cleaned_data["people"]],
        }
        return f"{reverse('visit-new')}?{urlencode(carried, doseq=True)}"
    if request.user.person_id and request.user.has_role(Role.LEADER):
        return reverse("visit-my-quotas")
    return reverse("visit-detail", args=[visit.pk])


def _form_context(request: HttpRequest, form: VisitForm, visit: Visit) -> dict[str, Any]:
    picked = form.picked_households()
    unit = _unit_of(request, form)
    query = request.POST.get("q", "")
    exclude = {h.pk for h in picked}
    results = search_households(request.user, unit, query, exclude) if unit else []
    return {"form": form, "visit": visit, "picked": picked, "results": results, "q": query}


def _unit_of(request: HttpRequest, form: VisitForm) -> OrgUnit | None:
    raw = form["unit"].value()
    if not raw or not str(raw).isdigit():
        return None
    return form.fields["unit"].queryset.filter(pk=raw).first()


def household_search(request: HttpRequest) -> HttpResponse:
    """The picker's results (an htmx partial): households of the place matching the query."""
    form = HouseholdSearchForm(request.GET)
    results: list[dict] = []
    if form.is_valid() and form.cleaned_data["unit"]:
        unit = get_unit_for_user(request.user, form.cleaned_data["unit"])
        picked = {int(v) for v in request.GET.getlist("households") if v.isdigit()}
        results = search_households(request.user, unit, form.cleaned_data["q"] or "", picked)
    return render(request, "visits/_household_results.html", {"results": results})


def visit_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.user)
    visit = get_visit_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("visit-detail", pk=visit.pk)
    visit_delete(visit=visit, reason=request.POST.get("reason", ""), acting_user=request.user)
    messages.success(request, _("Visit deleted; it no longer counts."))
    return redirect("visit-list")


def visit_round(request: HttpRequest) -> HttpResponse:
    """A whole day's round: the day's people and length once, then one line per stop."""
    require_writer(request.user)
    header = RoundHeaderForm(request.POST or None, user=request.user)
    lines = RoundFormSet(request.POST or None, user=request.user, prefix="stop")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        stops = [_round_line(f.cleaned_data) for f in lines if f.has_changed() and f.cleaned_data]
        try:
            saved = round_save(
                date=header.cleaned_data["date"],
                people=list(header.cleaned_data["people"]),
                lines=stops,
                days=header.cleaned_data["days"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            header.add_error(None, exc)
        else:
            messages.success(request, _("%(n)d visits of the round saved.") % {"n": len(saved)})
            return redirect("visit-list")
    return render(request, "visits/visit_round.html", {"header": header, "lines": lines})


def _round_line(data: dict[str, Any]) -> RoundLine:
    return RoundLine(
        unit=data["unit"],
        kind=data["kind"],
        households=data["household_list"],
        heard=data.get("heard", ""),
    )
