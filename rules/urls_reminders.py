from __future__ import annotations

from django.urls import path

from . import views_reminders as views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox-count"),
    path("inbox/read/", views.inbox_read, name="inbox-read-all"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox-read"),
    path("inbox/preferences/", views.inbox_preferences, name="inbox-preferences"),
    path("deadlines/", views.deadline_board, name="deadline-board"),
]
