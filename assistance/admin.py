"""Administrators list the festivals (besides the Spring Festival) whose visits open by
themselves, in the admin site."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Festival


@admin.register(Festival)
class FestivalAdmin(SimpleHistoryAdmin):
    list_display = ("name", "date", "categories", "lead_days")
    ordering = ("-date",)
