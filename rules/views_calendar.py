"""The working-day calendar pages. Every signed-in user may read the calendar (it explains
their due dates); only administrators enter or change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from directory.models import Role
from directory.timeutil import today as local_today

from .forms_calendar import CalendarDayForm, CalendarYearForm, CalendarYearNewForm, format_schedule
from .models import CalendarYear
from .services_calendar import (
    YearReplaced,
    calendar_day_set,
    calendar_year_replace,
    year_history,
    year_months,
    year_schedule,
    year_summaries,
)
from .today_panels import enter_year_url, warning_year
from .workdays import UnknownCalendarYear


def is_calendar_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN))


def _require_admin(request: HttpRequest) -> None:
    if not is_calendar_admin(request.user):
        raise PermissionDenied


def _get_year(year: int) -> CalendarYear:
    try:
        return CalendarYear.objects.get(year=year)
    except CalendarYear.DoesNotExist as exc:
        raise Http404 from exc


def calendar_list(request: HttpRequest) -> HttpResponse:
    today = local_today()
    years = year_summaries()
    known = {summary.year for summary in years}
    urgent = warning_year(today, known)
    pending = today.year + 1 if urgent is None and today.year + 1 not in known else None
    return render(
        request,
        "rules/calendar_list.html",
        {
            "years": years,
            "urgent_year": urgent,
            "pending_year": pending,
            "enter_url": enter_year_url(urgent or pending) if (urgent or pending) else "",
            "can_edit": is_calendar_admin(request.user),
        },
    )


def _render_year(request: HttpRequest, calendar_year: CalendarYear, day_form: Any) -> HttpResponse:
    return render(
        request,
        "rules/calendar_year.html",
        {
            "calendar_year": calendar_year,
            "months": year_months(calendar_year.year),
            "history": year_history(calendar_year.year),
            "can_edit": is_calendar_admin(request.user),
            "day_form": day_form,
        },
    )


def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    calendar_year = _get_year(year)
    day_form = CalendarDayForm(year=year) if is_calendar_admin(request.user) else None
    return _render_year(request, calendar_year, day_form)


def _saved_message(result: YearReplaced) -> str:
    return _(
        "The %(year)s calendar is saved: %(added)s days added, %(changed)s changed, "
        "%(removed)s removed; %(clocks)s open deadlines recomputed."
    ) % {
        "year": result.calendar_year.year,
        "added": result.added,
        "changed": result.changed,
        "removed": result.removed,
        "clocks": result.clocks_changed,
    }


def _save_year_form(request: HttpRequest, form: CalendarYearForm) -> HttpResponse | None:
    """Call the service with a valid form; a refusal lands on the form, nothing is saved."""
    data = form.cleaned_data
    try:
        result = calendar_year_replace(
            year=data["year"],
            holidays=data["holidays"],
            workdays=data["workdays"],
            acting_user=request.user,
            note=data["note"],
        )
    except (ValidationError, UnknownCalendarYear) as exc:
        form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        return None
    messages.success(request, _saved_message(result))
    return redirect("calendar-year", year=result.calendar_year.year)


def _render_form(
    request: HttpRequest, form: CalendarYearForm, year: CalendarYear | None
) -> HttpResponse:
    return render(request, "rules/calendar_form.html", {"form": form, "calendar_year": year})


@require_http_methods(["GET", "POST"])
def calendar_year_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        form = CalendarYearNewForm(request.POST)
        if form.is_valid() and (response := _save_year_form(request, form)):
            return response
    else:
        form = CalendarYearNewForm(initial={"year": request.GET.get("year")})
    return _render_form(request, form, None)


@require_http_methods(["GET", "POST"])
def calendar_year_edit(request: HttpRequest, year: int) -> HttpResponse:
    _require_admin(request)
    calendar_year = _get_year(year)
    if request.method == "POST":
        form = CalendarYearForm(request.POST, year=year)
        if form.is_valid() and (response := _save_year_form(request, form)):
            return response
    else:
        holidays, workdays = year_schedule(year)
        initial = {"holidays": format_schedule(holidays), "workdays": format_schedule(workdays)}
        form = CalendarYearForm(initial={**initial, "note": calendar_year.note}, year=year)
    return _render_form(request, form, calendar_year)


@require_POST
def calendar_day_edit(request: HttpRequest, year: int) -> HttpResponse:
    _require_admin(request)
    calendar_year = _get_year(year)
    form = CalendarDayForm(request.POST, year=year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = calendar_day_set(
                year=year,
                day=data["date"],
                kind=data["kind"],
                name=data["name"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # the schedule's field errors, on this small form
        except UnknownCalendarYear as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _saved_message(result))
            return redirect("calendar-year", year=year)
    return _render_year(request, calendar_year, form)
