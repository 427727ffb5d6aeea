from __future__ import annotations

from django.urls import path

from . import views_deliveries
from . import views_reminders as views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox-count"),
    path("inbox/read/", views.inbox_read, name="inbox-read-all"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox-read"),
    path("inbox/preferences/", views.inbox_preferences, name="inbox-preferences"),
    path("deadlines/", views.deadline_board, name="deadline-board"),
    path("deliveries/", views_deliveries.delivery_problems, name="delivery-problems"),
    path(
        "deliveries/<int:pk>/send-again/",
        views_deliveries.delivery_send_again,
        name="delivery-send-again",
    ),
    path("duty-groups/", views_deliveries.duty_group_list, name="duty-group-list"),
    path("duty-groups/new/", views_deliveries.duty_group_edit, name="duty-group-new"),
    path("duty-groups/<int:pk>/", views_deliveries.duty_group_edit, name="duty-group-edit"),
]
