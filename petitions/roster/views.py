"""Roster pages: the month, generation and rotation, one duty (fill, substitute, status),
appointment receptions, absences and special periods, and the leader's own roster (.ics)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from directory import navigation
from directory.access import get_or_404
from directory.models import Role
from directory.paging import page_of
from rules.models import with_provisional_due
from rules.workdays import UnknownCalendarYear

from ..matters.access import is_office, petitions_for_user
from ..matters.exports import xlsx_response
from ..matters.forms import apply_errors, today
from . import forms as fr
from . import services as sr
from .calendar import month_weeks, neighbour_months
from .exports import roster_workbook
from .ics import calendar_text
from .models import (
    Appointment,
    AppointmentMatter,
    Leave,
    NoticeKind,
    Reception,
    ReceptionKind,
    SpecialPeriod,
)
from .services import MatterResult, leader_reach
from .slots import propose_rotation

navigation.register(gettext_lazy("Reception roster"), "roster-month", group="petitions", order=31)
navigation.register(
    pgettext_lazy("navigation", "My roster"),
    "my-roster",
    group="petitions",
    roles=(Role.LEADER,),
    order=32,
)

RELATED = ("unit", "person", "rule", "subject", "substitute_for")
#: a township or department may keep its own office days and township duties
UNIT_KINDS = (ReceptionKind.TOWNSHIP_DUTY, ReceptionKind.OFFICE_DAY)
ROTATION_HISTORY_DAYS = 180


def can_edit(user: Any, reception: Reception) -> bool:
    return is_office(user) or (user.has_role(Role.UNIT_STAFF) and reception.kind in UNIT_KINDS)


def receptions_for_user(user: Any) -> QuerySet[Reception]:
    return Reception.objects.visible_to(user)


def get_reception_for_user(user: Any, pk: int) -> Reception:
    return get_or_404(receptions_for_user(user).select_related(*RELATED), pk=pk)


def _month_receptions(user: Any, form: fr.RosterFilterForm) -> tuple[Any, QuerySet[Reception]]:
    data = form.cleaned_data if form.is_valid() else {}
    period = fr.parse_month(data.get("month"), today())
    receptions = receptions_for_user(user).between(period.start, period.end)
    if data.get("kind"):
        receptions = receptions.filter(kind=data["kind"])
    if data.get("unit"):
        receptions = receptions.filter(unit=data["unit"])
    if data.get("empty"):
        receptions = receptions.filter(person__isnull=True)
    return period, receptions.select_related(*RELATED).order_by(
        "date", "part", "kind", "unit__path", "post"
    )


def roster_month(request: HttpRequest) -> HttpResponse:
    """The month as a calendar (who sits when, for whom, appointments), or as the list."""
    form = fr.RosterFilterForm(request.GET or None, user=request.user)
    period, receptions = _month_receptions(request.user, form)
    before, after = neighbour_months(period)
    context = {
        "form": form,
        "period": period,
        "layout": form.layout,
        "can_manage": is_office(request.user),
        "month": f"{period.start:%Y-%m}",
        "before": before,
        "after": after,
        "query": _query_without(request, "month", "view", "page"),
    }
    if form.layout == "list":
        context["page"] = page_of(receptions, request, size=200)
    else:
        context["weeks"] = month_weeks(period, receptions, today())
    return render(request, "petitions/roster_month.html", context)


def _query_without(request: HttpRequest, *names: str) -> str:
    """The filters of the request without `names`, to build links that change only those."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def roster_export(request: HttpRequest) -> HttpResponse:
    form = fr.RosterFilterForm(request.GET or None, user=request.user)
    period, receptions = _month_receptions(request.user, form)
    return xlsx_response(roster_workbook(receptions), f"roster-{period.code}.xlsx")


def roster_generate(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not is_office(request.user):
        raise PermissionDenied
    form = fr.MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("month", [])))
        return redirect("roster-month")
    period = form.cleaned_data["month"]
    try:
        created = sr.roster_generate(first=period.start, last=period.end, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except UnknownCalendarYear as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(count)d duties created for %(month)s.") % {"count": created, "month": period.code},
        )
    return redirect(f"{reverse('roster-month')}?month={period.start:%Y-%m}")


def roster_propose(request: HttpRequest) -> HttpResponse:
    """The fair rotation for the month's empty duties: shown, then applied on POST."""
    if not is_office(request.user):
        raise PermissionDenied
    form = fr.RosterFilterForm(request.GET or None, user=request.user)
    period, receptions = _month_receptions(request.user, form)
    empty = list(receptions.filter(person__isnull=True))
    history_from = period.start - dt.timedelta(days=ROTATION_HISTORY_DAYS)
    proposals = propose_rotation(empty, history_from=history_from)
    if request.method == "POST":
        try:
            applied = sr.roster_apply(proposals=proposals, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(count)d duties filled by rotation.") % {"count": applied}
            )
        return redirect(f"{reverse('roster-month')}?month={period.start:%Y-%m}")
    context = {"proposals": proposals, "period": period, "query": request.GET.urlencode()}
    return render(request, "petitions/roster_propose.html", context)


#: notices about an appointment's matters (the others are about the duty itself)
APPOINTMENT_NOTICES = (NoticeKind.CONSENT, NoticeKind.INVITATION, NoticeKind.UNIT_NOTICE)


def reception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reception = get_reception_for_user(request.user, pk)
    editable = can_edit(request.user, reception)
    appointment = Appointment.objects.filter(reception=reception).first()
    notices = reception.notices.all()
    if appointment_hidden_from(request.user, appointment):
        # The duty stays visible; what was heard and told about the matters does not.
        appointment = None
        reception.heard = ""
        notices = notices.exclude(kind__in=APPOINTMENT_NOTICES)
    context = {
        "reception": reception,
        "can_edit": editable,
        "can_manage": is_office(request.user),
        "fill_form": fr.FillForm(reception=reception) if editable else None,
        "substitute_form": fr.SubstituteForm(reception=reception)
        if editable and reception.person_id
        else None,
        "status_form": fr.StatusForm(initial={"status": reception.status}) if editable else None,
        "notices": notices,
        "appointment": appointment,
        "history": reception.history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "petitions/reception_detail.html", context)


def _reception_post(request: HttpRequest, pk: int) -> Reception:
    reception = get_reception_for_user(request.user, pk)
    if request.method != "POST" or not can_edit(request.user, reception):
        raise PermissionDenied
    return reception


def _done(request: HttpRequest, reception: Reception, form: Any, action: Any) -> HttpResponse:
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Duty saved."))
            return redirect("reception-detail", pk=reception.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("reception-detail", pk=reception.pk)


def reception_fill(request: HttpRequest, pk: int) -> HttpResponse:
    reception = _reception_post(request, pk)
    form = fr.FillForm(request.POST, reception=reception)
    return _done(
        request,
        reception,
        form,
        lambda d: sr.reception_fill(
            reception=reception, person=d["person"], acting_user=request.user
        ),
    )


def reception_substitute(request: HttpRequest, pk: int) -> HttpResponse:
    reception = _reception_post(request, pk)
    form = fr.SubstituteForm(request.POST, reception=reception)
    return _done(
        request,
        reception,
        form,
        lambda d: sr.reception_substitute(
            reception=reception,
            substitute=d["substitute"],
            reason=d["reason"],
            notified_on=d["notified_on"],
            recipient=d["recipient"],
            acting_user=request.user,
        ),
    )


def reception_status(request: HttpRequest, pk: int) -> HttpResponse:
    reception = _reception_post(request, pk)
    form = fr.StatusForm(request.POST)
    return _done(
        request,
        reception,
        form,
        lambda d: sr.reception_set_status(
            reception=reception,
            status=d["status"],
            reason=d["reason"],
            heard=d["heard"],
            visitors=d["visitors"] or 0,
            acting_user=request.user,
        ),
    )


def reception_new(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise PermissionDenied
    form = fr.ReceptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            reception = sr.reception_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Duty saved."))
            return redirect("reception-detail", pk=reception.pk)
    return render(request, "petitions/reception_new.html", {"form": form})


# --- appointments ------------------------------------------------------------------------------------


def appointment_new(request: HttpRequest, pk: int) -> HttpResponse:
    reception = get_reception_for_user(request.user, pk)
    if not is_office(request.user) or reception.person is None:
        raise PermissionDenied
    townships, sector = leader_reach(reception.person)
    matters = (
        petitions_for_user(request.user)
        .open()
        .filter(Q(township_id__in=townships) | Q(lead_unit_id__in=sector))
        .order_by("received_on")[:100]
    )
    form = fr.AppointmentForm(
        request.POST or None,
        petitions=petitions_for_user(request.user).filter(pk__in=[p.pk for p in matters]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = sr.appointment_create(
                reception=reception,
                petitions=list(form.cleaned_data["petitions"]),
                consent_on=form.cleaned_data["consent_on"],
                consent_note=form.cleaned_data["consent_note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("appointment-detail", pk=appointment.pk)
    return render(request, "petitions/appointment_new.html", {"form": form, "reception": reception})


def appointment_hidden_from(user: Any, appointment: Appointment | None) -> bool:
    """An appointment reception takes up its matters (what the leader heard, the invitations
    naming the petitioners): whoever may not see one of its petitions — the unit or person it
    is about — sees none of it."""
    if appointment is None:
        return False
    return appointment.matters.exclude(petition__in=petitions_for_user(user)).exists()


def get_appointment_for_user(user: Any, pk: int) -> Appointment:
    appointment = get_or_404(
        Appointment.objects.select_related("reception__person", "reception__unit"), pk=pk
    )
    get_reception_for_user(user, appointment.reception_id)
    if appointment_hidden_from(user, appointment):
        raise Http404
    return appointment


def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, pk)
    visible = set(
        petitions_for_user(request.user)
        .filter(appointment_matters__appointment=appointment)
        .values_list("pk", flat=True)
    )
    matters = [
        m
        for m in with_provisional_due(
            appointment.matters.select_related("petition", "assigned_unit", "follow_up_owner"),
            field="reply_by",
            name="reply_provisional",
        )
        if m.petition_id in visible
    ]
    office = is_office(request.user)
    context = {
        "appointment": appointment,
        "matters": matters,
        "notices": appointment.reception.notices.all(),
        "can_manage": office,
        "consent_form": fr.ConsentForm(initial={"on": today()}) if office else None,
        "invite_form": fr.InviteForm(appointment=appointment, initial={"on": today()})
        if office
        else None,
        "notify_form": fr.NotifyForm(user=request.user, initial={"on": today()})
        if office
        else None,
        "record_form": fr.RecordForm(appointment=appointment, user=request.user)
        if office
        else None,
    }
    return render(request, "petitions/appointment_detail.html", context)


def _record(appointment: Appointment, form: fr.RecordForm, user: Any) -> None:
    results = [
        MatterResult(
            matter=matter,
            outcome=form.cleaned_data[f"m{matter.pk}_outcome"],
            decision=form.cleaned_data[f"m{matter.pk}_decision"],
            follow_up_owner=form.cleaned_data[f"m{matter.pk}_owner"],
            assigned_unit=form.cleaned_data[f"m{matter.pk}_unit"],
            reply_days=form.cleaned_data[f"m{matter.pk}_days"],
        )
        for matter in form.matters
    ]
    sr.appointment_record(
        appointment=appointment,
        on=appointment.reception.date,
        heard=form.cleaned_data["heard"],
        results=results,
        acting_user=user,
    )


def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, pk)
    if request.method != "POST" or not is_office(request.user):
        raise PermissionDenied
    user = request.user
    forms_and_actions = {
        "consent": (
            fr.ConsentForm(request.POST),
            lambda f: sr.appointment_consent(
                appointment=appointment,
                on=f.cleaned_data["on"],
                note=f.cleaned_data["note"],
                acting_user=user,
            ),
        ),
        "invite": (
            fr.InviteForm(request.POST, appointment=appointment),
            lambda f: sr.appointment_invite(
                matter=f.cleaned_data["matter"],
                on=f.cleaned_data["on"],
                note=f.cleaned_data["note"],
                acting_user=user,
            ),
        ),
        "notify": (
            fr.NotifyForm(request.POST, user=user),
            lambda f: sr.appointment_notify(
                appointment=appointment,
                unit=f.cleaned_data["unit"],
                on=f.cleaned_data["on"],
                text=f.cleaned_data["text"],
                acting_user=user,
            ),
        ),
        "record": (
            fr.RecordForm(request.POST, appointment=appointment, user=user),
            lambda f: _record(appointment, f, user),
        ),
    }
    if action not in forms_and_actions:
        raise Http404
    form, run = forms_and_actions[action]
    if form.is_valid():
        try:
            run(form)
        except (ValidationError, UnknownCalendarYear) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Appointment saved."))
            return redirect("appointment-detail", pk=appointment.pk)
    for field, errors in form.errors.items():
        messages.error(
            request, f"{form[field].label if field in form.fields else ''} {' '.join(errors)}"
        )
    return redirect("appointment-detail", pk=appointment.pk)


# --- absences and special periods ------------------------------------------------------------------------


def absences(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise PermissionDenied
    is_admin = request.user.is_superuser or request.user.has_role(Role.ADMIN)
    leave_form = fr.LeaveForm(request.POST if request.POST.get("form") == "leave" else None)
    period_form = fr.SpecialPeriodForm(
        request.POST if request.POST.get("form") == "period" else None
    )
    if request.method == "POST":
        try:
            if leave_form.is_bound and leave_form.is_valid():
                sr.leave_record(**leave_form.cleaned_data)
                messages.success(request, _("Absence saved."))
                return redirect("roster-absences")
            if period_form.is_bound and is_admin and period_form.is_valid():
                sr.special_period_declare(acting_user=request.user, **period_form.cleaned_data)
                messages.success(request, _("Special protection period declared."))
                return redirect("roster-absences")
        except ValidationError as exc:
            apply_errors(leave_form if leave_form.is_bound else period_form, exc)
    context = {
        "leave_form": leave_form,
        "period_form": period_form if is_admin else None,
        "leaves": Leave.objects.select_related("person").filter(
            end__gte=today() - dt.timedelta(days=90)
        )[:100],
        "periods": SpecialPeriod.objects.all()[:50],
    }
    return render(request, "petitions/absences.html", context)


# --- the leader's own roster -------------------------------------------------------------------------------

MY_ROSTER_DAYS = 90


def _my_receptions(user: Any, first: dt.date) -> QuerySet[Reception]:
    if not user.person_id:
        return Reception.objects.none()
    return (
        Reception.objects.filter(
            person_id=user.person_id,
            date__gte=first,
            date__lte=first + dt.timedelta(days=MY_ROSTER_DAYS),
        )
        .select_related("unit", "rule", "substitute_for")
        .order_by("date", "part")
    )


def my_roster(request: HttpRequest) -> HttpResponse:
    day = today()
    receptions = list(_my_receptions(request.user, day))
    visible = AppointmentMatter.objects.filter(
        petition__in=petitions_for_user(request.user)
    ).select_related("petition")
    appointments = list(
        Appointment.objects.filter(reception__in=[r for r in receptions if r.date == day])
        .select_related("reception")
        .prefetch_related(Prefetch("matters", queryset=visible), "matters__petition__petitioners")
    )
    charged = (
        petitions_for_user(request.user).open().filter(charge_leader_id=request.user.person_id)
    )
    context = {
        "receptions": receptions,
        "appointments": appointments,
        "upcoming_appointments": Appointment.objects.filter(
            reception__in=[r for r in receptions if r.date > day]
        ).select_related("reception"),
        "charged": charged.select_related("lead_unit")[:20] if request.user.person_id else [],
        "today": day,
    }
    return render(request, "petitions/my_roster.html", context)


def my_roster_ics(request: HttpRequest) -> HttpResponse:
    receptions = _my_receptions(request.user, today() - dt.timedelta(days=30))
    response = HttpResponse(
        calendar_text(receptions, host=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-roster.ics"'
    return response
