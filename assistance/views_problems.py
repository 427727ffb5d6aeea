"""The problem ledger (突出问题汇总台账, HF-S1): list, new problem, a problem's page with its
timetable clock and closing; the township's monthly and the office's quarterly analyses
(CP-S1), which group the open problems by village and kind and record that the analysis
was held."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory import navigation
from directory.access import households_for_user, people_for_user, scope_for
from directory.models import OrgUnit, jurisdiction_of
from directory.paging import page_of
from directory.timeutil import today
from rules.clocks import clocks_for_item
from rules.periods import Period
from rules.workdays import UnknownCalendarYear

from .access import (
    get_problem_for_user,
    get_township_for_user,
    may_close_problem,
    may_record_analysis,
    may_see_office_analysis,
    problems_for_user,
    townships_for_user,
)
from .forms import AnalysisForm, ProblemCloseForm, ProblemFilterForm, ProblemForm
from .models import VILLAGE_KINDS, Analysis, AnalysisLevel, Problem, ProblemState
from .selectors import categories_in, problem_groups
from .services import analysis_record, problem_close, problem_save
from .views import _add_errors

navigation.register(
    gettext_lazy("Problem ledger"), "assistance-problems", group="assistance", order=26
)


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    form = ProblemFilterForm(request.GET or None)
    problems = problems_for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] != "all":
            problems = problems.still_open()
        for name in ("category", "classification", "supervision"):
            if data[name]:
                problems = problems.filter(**{name: data[name]})
    else:
        problems = problems.still_open()
    problems = problems.select_related("village", "household", "responsible").order_by(
        "-found_on", "-pk"
    )
    context = {"form": form, "page": page_of(problems, request), "today": today()}
    return render(request, "assistance/problem_list.html", context)


def _problem_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> ProblemForm:
    user: Any = request.user
    return ProblemForm(
        data,
        villages=OrgUnit.objects.visible_to(user).filter(kind__in=VILLAGE_KINDS).order_by("path"),
        people=people_for_user(user).order_by("code"),
        households=households_for_user(user).order_by("code"),
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    initial: dict[str, Any] = {"found_on": today()}
    raw = request.GET.get("household", "")
    if raw.isdigit():
        household = households_for_user(user).filter(pk=int(raw)).first()
        if household is not None:
            initial.update(household=household, village=household.village_id)
    form = _problem_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        problem = form.save(commit=False)
        problem.found_by = user.person
        try:
            problem_save(problem=problem, acting_user=user)
        except (ValidationError, UnknownCalendarYear) as exc:
            if isinstance(exc, ValidationError):
                _add_errors(form, exc)
            else:
                form.add_error("due", str(exc))
        else:
            messages.success(request, _("Problem recorded."))
            return redirect("assistance-problem", problem.pk)
    return render(request, "assistance/problem_form.html", {"form": form})


def _problem_context(request: HttpRequest, problem: Problem, close_form: Any = None) -> dict:
    return {
        "problem": problem,
        "clocks": list(clocks_for_item(problem)),
        "may_close": problem.state == ProblemState.OPEN
        and may_close_problem(request.user, problem),
        "close_form": close_form or ProblemCloseForm(initial={"closed_on": today()}),
        "today": today(),
    }


@require_GET
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    return render(request, "assistance/problem_detail.html", _problem_context(request, problem))


@require_POST
def problem_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    if problem.state != ProblemState.OPEN or not may_close_problem(request.user, problem):
        raise PermissionDenied
    form = ProblemCloseForm(request.POST)
    if form.is_valid():
        try:
            problem_close(
                problem=problem,
                on=form.cleaned_data["closed_on"],
                resolution=form.cleaned_data["resolution"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Problem closed."))
            return redirect("assistance-problem", problem.pk)
    context = _problem_context(request, problem, form)
    return render(request, "assistance/problem_detail.html", context, status=400)


# --- analyses ----------------------------------------------------------------------------------


def _month(value: str, default: dt.date) -> Period:
    try:
        period = Period.parse(value)
    except (ValueError, IndexError):
        return Period.month(default.year, default.month)
    return period if len(period.code) == 7 else Period.month(default.year, default.month)


def _quarter(value: str, default: dt.date) -> Period:
    try:
        period = Period.parse(value)
    except (ValueError, IndexError):
        period = None
    if period is None or "-Q" not in period.code:
        return Period.quarter(default.year, (default.month - 1) // 3 + 1)
    return period


def _analysis_context(
    request: HttpRequest, unit: OrgUnit, level: str, period: Period, form: Any = None
) -> dict[str, Any]:
    problems = problems_for_user(request.user).filter(village__path__startswith=unit.path)
    groups, totals = problem_groups(problems)
    return {
        "unit": unit,
        "period": period,
        "level": level,
        "groups": groups,
        "totals": totals,
        "total": sum(totals.values()),
        "categories": categories_in(totals),
        "found_in_period": problems.filter(
            found_on__gte=period.start, found_on__lte=period.end
        ).count(),
        "overdue": problems.still_open().filter(due__lt=today()).count(),
        "held": Analysis.objects.filter(unit=unit, level=level, period=period.code).first(),
        "form": form or AnalysisForm(initial={"held_on": min(today(), period.end)}),
        "townships": list(townships_for_user(request.user)),
        "may_record": may_record_analysis(request.user, unit, level),
    }


@require_http_methods(["GET", "POST"])
def township_analysis(request: HttpRequest) -> HttpResponse:
    """The township's monthly analysis of the grid's open problems."""
    townships = townships_for_user(request.user)
    chosen = request.GET.get("township", "")
    unit = (
        get_township_for_user(request.user, int(chosen)) if chosen.isdigit() else townships.first()
    )
    if unit is None:
        raise Http404
    period = _month(request.GET.get("month", ""), today())
    return _analysis_page(request, unit, AnalysisLevel.TOWNSHIP_MONTH, period)


@require_http_methods(["GET", "POST"])
def office_analysis(request: HttpRequest) -> HttpResponse:
    """The leading-group office's quarterly analysis of the whole jurisdiction."""
    if not may_see_office_analysis(request.user):
        raise PermissionDenied
    scope = scope_for(request.user)
    # the office's own county (district, city), even when a city sits above it
    unit = jurisdiction_of(request.user.unit) if request.user.unit_id else None
    if unit is None or not scope.covers(unit):
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("path")
        unit = next((u for u in root if scope.covers(u)), None)
    if unit is None:
        raise Http404
    period = _quarter(request.GET.get("quarter", ""), today())
    return _analysis_page(request, unit, AnalysisLevel.OFFICE_QUARTER, period)


def _analysis_page(request: HttpRequest, unit: OrgUnit, level: str, period: Period) -> HttpResponse:
    form = None
    if request.method == "POST":
        if not may_record_analysis(request.user, unit, level):
            raise PermissionDenied
        form = AnalysisForm(request.POST)
        if form.is_valid() and not period.contains(form.cleaned_data["held_on"]):
            form.add_error("held_on", _("The date must fall in the period analysed."))
        if form.is_valid():
            try:
                analysis_record(
                    unit=unit, level=level, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Analysis recorded."))
                return redirect(request.get_full_path())
    context = _analysis_context(request, unit, level, period, form)
    return render(request, "assistance/analysis.html", context, status=400 if form else 200)
