"""The inbox of reminders and the supervisor's page of overdue and due-soon deadlines."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import units_for_user
from directory.base import validated_save
from directory.charts import bar_chart, week_ends
from directory.fields import UnitInScopeField, use_fast_selects
from directory.models import Role, User
from directory.paging import page_of
from directory.timeutil import today as local_today

from .channels import SmsGatewayChannel, person_mobile
from .deadline_rows import board_counts, deadline_rows
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
        types = ContentType.objects.filter(pk__in=clock_content_type_ids()).order_by(
            "app_label", "model"
        )  # one query: the item types are a subquery
        self.fields["item_type"].choices = [("", "—")] + [(str(t.pk), str(t.name)) for t in types]
        use_fast_selects(self)


def clock_content_type_ids() -> RawSQL:
    """The item types that have clocks (a subquery), read by skipping through the clocks'
    item index (one probe per type) rather than through every clock."""
    table = Clock._meta.db_table
    sql = (
        f"WITH RECURSIVE types(id) AS ("  # noqa: S608  (names from the model, no input)
        f" SELECT MIN(content_type_id) FROM {table}"
        f" UNION ALL SELECT (SELECT MIN(content_type_id) FROM {table}"
        f" WHERE content_type_id > types.id) FROM types WHERE types.id IS NOT NULL"
        f") SELECT id FROM types WHERE id IS NOT NULL"
    )
    return RawSQL(sql, [])  # noqa: S611  (no input in it)


def _horizon(today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day counted as due soon; into a year not entered yet, provisionally."""
    calendar = calendar.with_provisional()
    try:
        return add_workdays(today, max(settings.REMINDER_DUE_SOON_WORKDAYS, default=0), calendar)
    except UnknownCalendarYear:  # beyond the statutory tables
        return dt.date(today.year, 12, 31)


TREND_WEEKS = 12  # a display window, not a duty threshold


def _filtered(clocks: QuerySet[Clock], form: BoardFilterForm) -> QuerySet[Clock]:
    if form.is_valid():
        if unit := form.cleaned_data["unit"]:
            clocks = clocks.filter(unit__path__startswith=unit.path)
        if item_type := form.cleaned_data["item_type"]:
            clocks = clocks.filter(content_type_id=item_type)
        if rule := form.cleaned_data["rule"]:
            clocks = clocks.filter(rule=rule)
    return clocks


def deadline_board(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(*BOARD_ROLES):
        raise PermissionDenied
    today = local_today()
    calendar = WorkCalendar()  # one for the horizon and the rows' days left: each year once
    form = BoardFilterForm(request.GET or None, user=request.user)
    horizon = _horizon(today, calendar)
    ends = week_ends(today, TREND_WEEKS)
    # The counts read many clocks (items checked against the set of visible items), the page
    # a few in order (items checked clock by clock): the same clocks (Clock.visible_to).
    per_row = _filtered(Clock.objects.visible_to(request.user, per_row=True), form)
    counted = board_counts(
        _filtered(Clock.objects.visible_to(request.user), form),
        per_row,
        today=today,
        horizon=horizon,
        days=ends,
    )
    overdue = sum(row["late"] for row in counted.per_unit)
    counts = {"overdue": overdue, "soon": sum(row["n"] for row in counted.per_unit) - overdue}
    clocks = per_row.open().filter(due__lte=horizon)
    clocks = clocks.select_related("rule", "unit", "content_type").order_by("due", "pk")
    page = page_of(clocks, request)
    trend = bar_chart(
        [(day, f"{day.month}/{day.day}", n) for day, n in zip(ends, counted.trend, strict=True)]
    )
    context = {
        "form": form,
        "today": today,
        "counts": counts,
        "by_unit": counted.per_unit[:20],
        "page": page,
        "rows": deadline_rows(page.rows, user=request.user, today=today, calendar=calendar),
        "trend": trend,
    }
    return render(request, "rules/deadline_board.html", context)
