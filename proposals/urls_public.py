from __future__ import annotations

from django.urls import path

from . import views_lists

urlpatterns = [
    path("lists/", views_lists.public_lists, name="public-lists"),
]
