"""Administrators maintain the org tree, people, links and accounts here, with history.
Nothing is hard-deleted: the delete action is replaced by a soft-delete action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Household, Link, LoginAttempt, OrgUnit, Person, User
from .services import unit_save


@admin.action(description=_("Soft-delete the selected records"))
def soft_delete_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    for obj in queryset:
        obj.soft_delete(reason=f"soft-deleted by {request.user}")


class NoHardDeleteAdmin(SimpleHistoryAdmin):
    actions = [soft_delete_selected]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(NoHardDeleteAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        unit_save(unit=obj, reason="edited in the admin")


@admin.register(Person)
class PersonAdmin(NoHardDeleteAdmin):
    list_display = ["code", "name", "unit", "rank", "posts"]
    list_filter = ["rank"]
    search_fields = ["code", "name"]
    list_select_related = ["unit"]


@admin.register(Link)
class LinkAdmin(NoHardDeleteAdmin):
    list_display = ["person", "unit", "kind"]
    list_filter = ["kind"]
    list_select_related = ["person", "unit"]


@admin.register(Household)
class HouseholdAdmin(NoHardDeleteAdmin):
    list_display = ["code", "head", "village", "group", "categories", "size"]
    search_fields = ["code", "head"]
    list_select_related = ["village", "group"]


@admin.register(User)
class AccountAdmin(UserAdmin, SimpleHistoryAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Unit and roles"), {"fields": ("display_name", "unit", "roles", "person")}),
    )
    list_display = ["username", "display_name", "unit", "roles", "is_active"]
    list_select_related = ["unit"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """The audit of sign-ins: read only."""

    list_display = ["at", "username", "user", "address", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
