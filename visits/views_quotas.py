""" "My quotas" for a leader, one person's quotas for a supervisor, the board across people,
and meetings with their no-meeting-week flags."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from directory.access import get_person_for_user, people_for_user
from directory.forms import apply_errors
from directory.models import Person, Role
from directory.paging import Page, page_of
from directory.timeutil import today as local_today
from rules.models import Rule

from .access import meetings_for_user
from .forms import MeetingForm, YearForm
from .measures import no_meeting_weeks
from .quotas import board, quotas_for_person
from .services import meeting_save

BOARD_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.LEADER)
BOARD_PAGE_SIZE = 50


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return local_today().year


def my_quotas(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "visits/quotas.html", {"no_person": True})
    return _quotas_page(request, person, own=True)


def person_quotas(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    return _quotas_page(request, person, own=False)


def _quotas_page(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    today = local_today()
    year = _year(request)
    quotas = quotas_for_person(person, year, today)
    context = {
        "quotas": quotas,
        "person": person,
        "own": own,
        "year": year,
        "today": today,
        "years": [year - 1, year, year + 1] if year < today.year else [year - 1, year],
    }
    return render(request, "visits/quotas.html", context)


def quota_board(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(*BOARD_ROLES):
        raise PermissionDenied
    year = _year(request)
    form = YearForm(request.GET or None, initial={"year": year, "sort": "behind"})
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "behind"
    rules, lines = board(people_for_user(request.user), year, local_today())
    if sort == "name":
        lines.sort(key=lambda line: line.code)
    else:
        lines.sort(key=lambda line: (line.score, -line.behind, line.code))
    context = {"form": form, "rules": rules, "page": _page(lines, request), "year": year}
    return render(request, "visits/quota_board.html", context)


def _page(rows: list[Any], request: HttpRequest) -> Page:
    """A page of an already computed list (the board is sorted in memory)."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    number = min(number, max(1, math.ceil(len(rows) / BOARD_PAGE_SIZE)))
    start = (number - 1) * BOARD_PAGE_SIZE
    return Page(
        rows=rows[start : start + BOARD_PAGE_SIZE],
        number=number,
        has_next=start + BOARD_PAGE_SIZE < len(rows),
        size=BOARD_PAGE_SIZE,
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    can_write = request.user.has_role(Role.ADMIN, Role.UNIT_STAFF, Role.LEADER)
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                meeting = meeting_save(meeting=form.instance, acting_user=request.user)
            except ValidationError as exc:  # a date that cannot be true
                apply_errors(form, exc)
            else:
                if _in_no_meeting_week(meeting.date):
                    messages.warning(request, _("This meeting falls in a no-meeting week."))
                else:
                    messages.success(request, _("Meeting saved."))
                return redirect("meeting-list")
    page = page_of(meetings_for_user(request.user).select_related("unit"), request)
    weeks = _weeks_for({m.date.year for m in page.rows} | {local_today().year})
    for meeting in page.rows:
        meeting.flagged = any(week.contains(meeting.date) for week in weeks)
    this_year = [w for w in weeks if w.start.year == local_today().year]
    context = {"form": form, "page": page, "can_write": can_write, "weeks": this_year}
    return render(request, "visits/meeting_list.html", context)


def _no_meeting_rule() -> Rule | None:
    return Rule.objects.active().filter(rule_id="HF-V6").first()


def _weeks_for(years: set[int]) -> list[Any]:
    rule = _no_meeting_rule()
    return [week for year in sorted(years) for week in no_meeting_weeks(rule, year)]


def _in_no_meeting_week(day: Any) -> bool:
    return any(week.contains(day) for week in _weeks_for({day.year}))
