from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from directory.login import LoginForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, extra_context={"site_name": settings.SITE_NAME}
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rules/", include("rules.urls")),
    path("calendar/", include("rules.urls_calendar")),
    path("notifications/", include("rules.urls_reminders")),
    path("ledger/", include("directory.urls_ledger")),
    path("petitions/", include("petitions.urls")),
    path("proposals/", include("proposals.urls")),
    path("visits/", include("visits.urls")),
    path("assistance/", include("assistance.urls")),
    path("reports/", include("reports.urls")),
    # Pages anyone may open without an account (see directory.middleware.PUBLIC_PREFIXES).
    path("public/petitions/", include("petitions.urls_public")),
    path("public/proposals/", include("proposals.urls_public")),
    path("public/visits/", include("visits.urls_public")),
    path("public/assistance/", include("assistance.urls_public")),
    path("public/reports/", include("reports.urls_public")),
    path("django-admin/", admin.site.urls),
    path("", include("directory.urls")),
]

# Uploaded files (petition attachments, answer documents …) are never served as plain media:
# each app serves its files through a view that checks access.
