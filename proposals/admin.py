"""Administrators keep the liaison offices (which unit registers which body's items) and the
sessions in the admin site as well as on the pages."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import LiaisonOffice, Session


@admin.register(LiaisonOffice)
class LiaisonOfficeAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "body")
    list_filter = ("body",)


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "body", "opens", "closes")
    list_filter = ("body",)
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # nothing is hard-deleted
