from __future__ import annotations

from django.urls import path

from . import views_public

urlpatterns = [
    path("ballot/", views_public.ballot_start, name="reports-ballot"),
    path("ballot/vote/", views_public.ballot_vote, name="reports-ballot-vote"),
]
