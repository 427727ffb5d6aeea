"""What administrators must see of the deliveries: e-mails, text messages and robot messages
given up or still being retried, digests that could not be built, deadlines the scan could not
decide; and the duty groups whose robots receive a unit's reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.base import validated_save
from directory.models import OrgUnit, Role

from .deliveries import delivery_retry
from .models import Delivery, DeliveryState, DutyGroup, Reminder, ReminderSkip, ReminderState

LIST_LIMIT = 100  # rows per table; the counts above them are complete

navigation.register(
    gettext_lazy("Deliveries"), "delivery-problems", group="system", roles=(Role.ADMIN,), order=85
)
navigation.register(
    gettext_lazy("Duty groups"), "duty-group-list", group="system", roles=(Role.ADMIN,), order=86
)


def _require_admin(user: Any) -> None:
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied


def latest_scan_day() -> dt.date | None:
    return ReminderSkip.objects.order_by("-day").values_list("day", flat=True).first()


def delivery_problems(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    related = ("notification__user", "notification__group__unit")
    troubled = Delivery.objects.filter(state__in=(DeliveryState.DEAD, DeliveryState.FAILED))
    counts = dict(troubled.values_list("state").annotate(n=Count("pk")).order_by())
    day = latest_scan_day()
    skips = ReminderSkip.objects.filter(day=day).select_related("clock__rule", "clock__unit")
    context = {
        "counts": counts,
        "deliveries": troubled.select_related(*related).order_by("state", "-created_at")[
            :LIST_LIMIT
        ],
        "reminders": Reminder.objects.filter(state__in=(ReminderState.DEAD, ReminderState.FAILED))
        .select_related("clock__rule", "recipient", "group__unit")
        .order_by("state", "-created_at")[:LIST_LIMIT],
        "skip_day": day,
        "skip_count": skips.count(),
        "skips": skips.order_by("clock__due", "pk")[:LIST_LIMIT],
    }
    return render(request, "rules/delivery_problems.html", context)


def delivery_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        return redirect("delivery-problems")
    delivery = get_object_or_404(Delivery, pk=pk)
    if delivery_retry(delivery=delivery):
        messages.success(request, _("The delivery will be sent again at the next run."))
    else:
        messages.error(request, _("Only a delivery that was given up can be sent again."))
    return redirect("delivery-problems")


# --- duty groups --------------------------------------------------------------------------------


class DutyGroupForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=DutyGroup._meta.get_field("webhook_url").verbose_name,
        help_text=DutyGroup._meta.get_field("webhook_url").help_text,
        max_length=500,
        assume_scheme="https",
    )

    class Meta:
        model = DutyGroup
        fields = ["unit", "platform", "webhook_url", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")


def duty_group_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    groups = DutyGroup.objects.select_related("unit").order_by("unit__path")
    return render(request, "rules/duty_group_list.html", {"groups": groups})


def duty_group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request.user)
    group = get_object_or_404(DutyGroup, pk=pk) if pk else None
    form = DutyGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        validated_save(form.instance, "duty group saved")
        messages.success(request, _("The duty group is saved."))
        return redirect("duty-group-list")
    return render(request, "rules/duty_group_form.html", {"form": form, "group": group})
