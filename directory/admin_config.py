"""The admin app with the product's own site (directory.admin_site): named in INSTALLED_APPS in
place of "django.contrib.admin". Kept apart from admin_site so that nothing here imports models
while the app registry loads."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class MinqingAdminConfig(AdminConfig):
    default_site = "directory.admin_site.NoDeleteAdminSite"
