"""The admin site: nothing is hard-deleted, and its login is the product's login.

Every ModelAdmin registered here — the product's, auth's groups, django-q's schedules and task
results, whatever a later app registers — is given no delete permission (no delete page, no
delete button, no deletion through an inline) and no "delete selected" action. Records that
matter keep their history and are soft-deleted where their model allows it (directory.admin);
the queue's schedules are declared by `setup_schedules` and edited, never removed, here.
The login form applies the same lockout as the login page (directory.login)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .login import AdminLoginForm


class NoDeleteMixin:
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions

    def get_inline_instances(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)  # type: ignore[misc]
        for inline in inlines:
            inline.has_delete_permission = lambda *args, **kwargs: False
        return inlines


class NoDeleteAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disable_action("delete_selected")

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        base = admin_class or admin.ModelAdmin
        no_delete = type(base.__name__, (NoDeleteMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, no_delete, **options)
