"""The daily bulletin (民情日报, TY-O1) as a page and a PDF for any day, producing it again by
hand, and the weekly hotline analysis for the district heads (TJ-H2)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.timeutil import today
from rules.workdays import UnknownCalendarYear

from .access import READER_ROLES, can_read_bulletin, is_appeal_office
from .bulletin import bulletin_data, bulletin_pdf, bulletin_produce
from .forms import DayForm
from .models import Bulletin
from .selectors import hotline_week

navigation.register(
    gettext_lazy("Daily bulletin"),
    "appeal-bulletin",
    group="appeals",
    roles=READER_ROLES,
    order=34,
    check=can_read_bulletin,
)
navigation.register(
    gettext_lazy("Hotline analysis"),
    "appeal-hotline",
    group="appeals",
    roles=READER_ROLES,
    order=35,
    check=can_read_bulletin,
)


def _reader(request: HttpRequest) -> None:
    if not can_read_bulletin(request.user):
        raise PermissionDenied


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


def bulletin_index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = DayForm(request.GET or None, initial={"day": today()})
    if form.is_valid():
        return redirect("appeal-bulletin-day", day=form.cleaned_data["day"].isoformat())
    context = {"form": form, "bulletins": Bulletin.objects.order_by("-day")[:30]}
    return render(request, "petitions/appeals/bulletin_index.html", context)


def bulletin_day(request: HttpRequest, day: str) -> HttpResponse:
    _reader(request)
    date = _day(day)
    try:
        data = bulletin_data(date)
    except UnknownCalendarYear as exc:
        messages.error(request, str(exc))
        return redirect("appeal-bulletin")
    context = {
        "data": data,
        "bulletin": Bulletin.objects.filter(day=date).first(),
        "can_produce": is_appeal_office(request.user) and date <= today(),
    }
    return render(request, "petitions/appeals/bulletin_day.html", context)


def bulletin_day_pdf(request: HttpRequest, day: str) -> HttpResponse:
    _reader(request)
    try:
        data = bulletin_data(_day(day))
    except UnknownCalendarYear as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(bulletin_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{day}.pdf"'
    return response


def bulletin_produce_view(request: HttpRequest, day: str) -> HttpResponse:
    """Produce the bulletin of a past day again (and send it, if it never was)."""
    date = _day(day)
    if request.method != "POST" or not is_appeal_office(request.user) or date > today():
        raise PermissionDenied
    try:
        _bulletin, notified = bulletin_produce(day=date, acting_user=request.user)
    except UnknownCalendarYear as exc:
        messages.error(request, str(exc))
    else:
        if notified:
            messages.success(
                request, _("Bulletin produced and sent to %(n)s leaders.") % {"n": notified}
            )
        else:
            messages.success(request, _("Bulletin produced again; it had been sent before."))
    return redirect("appeal-bulletin-day", day=day)


def hotline_analysis(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = DayForm(request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() else today() - dt.timedelta(days=7)
    week = hotline_week(request.user, day, today())
    context = {
        "form": form,
        "week": week,
        "previous": (week.first - dt.timedelta(days=7)).isoformat(),
        "next": (week.first + dt.timedelta(days=7)).isoformat(),
    }
    return render(request, "petitions/appeals/hotline_week.html", context)
