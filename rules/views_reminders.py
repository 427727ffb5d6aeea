"""The inbox of reminders and the supervisor's page of overdue and due-soon deadlines."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import units_for_user
from directory.base import validated_save
from directory.charts import BarChart, bar_chart, week_ends
from directory.fields import UnitInScopeField, use_fast_selects
from directory.models import Role, User
from directory.paging import page_of
from directory.timeutil import today as local_today

from .channels import SmsGatewayChannel, person_mobile
from .deadline_rows import deadline_rows, overdue_counts
from .models import Clock, DeliveryPreference, Notification, Rule, RuleKind
from .workdays import UnknownCalendarYear, WorkCalendar, add_workdays

navigation.register(
    gettext_lazy("Deadlines"),
    "deadline-board",
    group="supervision",
    roles=(Role.SUPERVISOR, Role.PETITION_OFFICE, Role.ADMIN),
    order=60,
)

BOARD_ROLES = (Role.SUPERVISOR, Role.PETITION_OFFICE, Role.ADMIN)


def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user)
    return render(request, "rules/inbox.html", {"page": page_of(notifications, request, size=30)})


def inbox_count(request: HttpRequest) -> HttpResponse:
    """The unread count, fetched by htmx after the page loads (keeps page query counts flat)."""
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "rules/_inbox_count.html", {"unread": unread})


def inbox_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if request.method != "POST":
        return redirect("inbox")
    mine = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if pk is not None:
        get_object_or_404(Notification, pk=pk, user=request.user)
        mine = mine.filter(pk=pk)
    mine.update(read_at=timezone.now())
    return redirect("inbox")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = DeliveryPreference
        fields = ["email", "sms", "mobile"]

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("sms") and not (data.get("mobile") or person_mobile(self.user)):
            self.add_error(
                "mobile",
                _("Enter the mobile number the text messages should go to."),
            )
        return data


def inbox_preferences(request: HttpRequest) -> HttpResponse:
    preference, _created = DeliveryPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference, user=request.user)
    if request.method == "POST" and form.is_valid():
        validated_save(form.instance, "delivery choices changed")
        messages.success(request, _("Your delivery choices are saved."))
        return redirect("inbox")
    context = {
        "form": form,
        "sms_available": SmsGatewayChannel().configured(),
        "person_mobile": person_mobile(request.user),
    }
    return render(request, "rules/inbox_preferences.html", context)


class BoardFilterForm(forms.Form):
    unit = UnitInScopeField(
        label=gettext_lazy("Unit"),
        required=False,
        help_text=gettext_lazy("The unit's code or name; its sub-units are included."),
    )
    item_type = forms.ChoiceField(label=gettext_lazy("Kind of item"), required=False)
    rule = forms.ModelChoiceField(
        label=gettext_lazy("Rule"),
        queryset=Rule.objects.of_kind(RuleKind.DEADLINE),
        required=False,
        to_field_name="rule_id",
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].units = units_for_user(user)
        types = ContentType.objects.filter(pk__in=Clock.objects.values("content_type")).order_by(
            "app_label", "model"
        )
        self.fields["item_type"].choices = [("", "—")] + [(str(t.pk), str(t.name)) for t in types]
        use_fast_selects(self)


def _horizon(today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day counted as due soon; into a year not entered yet, provisionally."""
    calendar = calendar.with_provisional()
    try:
        return add_workdays(today, max(settings.REMINDER_DUE_SOON_WORKDAYS, default=0), calendar)
    except UnknownCalendarYear:  # beyond the statutory tables
        return dt.date(today.year, 12, 31)


TREND_WEEKS = 12  # a display window, not a duty threshold


def _overdue_trend(clocks: QuerySet[Clock], today: dt.date) -> BarChart:
    """Overdue deadlines at the end of each of the last weeks (today for this week)."""
    ends = week_ends(today, TREND_WEEKS)
    counts = overdue_counts(clocks, ends)
    return bar_chart(
        [(day, f"{day.month}/{day.day}", n) for day, n in zip(ends, counts, strict=True)]
    )


def deadline_board(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(*BOARD_ROLES):
        raise PermissionDenied
    today = local_today()
    calendar = WorkCalendar()  # one for the horizon and the rows' days left: each year once
    form = BoardFilterForm(request.GET or None, user=request.user)
    clocks = Clock.objects.visible_to(request.user)
    if form.is_valid():
        if unit := form.cleaned_data["unit"]:
            clocks = clocks.filter(unit__path__startswith=unit.path)
        if item_type := form.cleaned_data["item_type"]:
            clocks = clocks.filter(content_type_id=item_type)
        if rule := form.cleaned_data["rule"]:
            clocks = clocks.filter(rule=rule)
    trend = _overdue_trend(clocks, today)
    clocks = clocks.open().filter(due__lte=_horizon(today, calendar))
    # One pass over the open clocks: per unit, and the totals summed from those rows.
    per_unit = list(
        clocks.values("unit__name", "unit__code")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due__lt=today)))
        .order_by("-late", "-n", "unit__code")
    )
    overdue = sum(row["late"] for row in per_unit)
    counts = {"overdue": overdue, "soon": sum(row["n"] for row in per_unit) - overdue}
    by_unit = per_unit[:20]
    clocks = clocks.select_related("rule", "unit", "content_type").order_by("due", "pk")
    page = page_of(clocks, request)
    context = {
        "form": form,
        "today": today,
        "counts": counts,
        "by_unit": by_unit,
        "page": page,
        "rows": deadline_rows(page.rows, user=request.user, today=today, calendar=calendar),
        "trend": trend,
    }
    return render(request, "rules/deadline_board.html", context)
