from __future__ import annotations

from django.urls import path

from . import views_public

urlpatterns = [
    path("roster/", views_public.public_roster, name="public-roster"),
    path("lobby/", views_public.public_lobby, name="public-lobby"),
]
