from __future__ import annotations

from django.urls import path

from .appeals import public_views as views_public_appeals
from .roster import public_views as views_public

urlpatterns = [
    path("roster/", views_public.public_roster, name="public-roster"),
    path("lobby/", views_public.public_lobby, name="public-lobby"),
    path("appeals/new/", views_public_appeals.public_appeal_new, name="public-appeal-new"),
    path(
        "appeals/receipt/",
        views_public_appeals.public_appeal_receipt,
        name="public-appeal-receipt",
    ),
    path("appeals/lookup/", views_public_appeals.public_appeal_lookup, name="public-appeal-lookup"),
    path("appeals/status/", views_public_appeals.public_appeal_status, name="public-appeal-status"),
    path(
        "appeals/feedback/",
        views_public_appeals.public_appeal_feedback,
        name="public-appeal-feedback",
    ),
]
