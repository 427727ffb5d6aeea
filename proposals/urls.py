from __future__ import annotations

from django.urls import path

from . import views, views_lists, views_sessions

urlpatterns = [
    path("", views.proposal_home, name="proposal-home"),
    path("items/", views.proposal_list, name="proposal-list"),
    path("items/export.xlsx", views.proposal_export, name="proposal-export"),
    path("items/new/", views.proposal_new, name="proposal-new"),
    path("items/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("items/<int:pk>/assign/", views.proposal_assign_view, name="proposal-assign"),
    path("items/<int:pk>/complex/", views.proposal_complex_view, name="proposal-complex"),
    path("items/<int:pk>/contact/", views.proposal_contact_view, name="proposal-contact"),
    path("items/<int:pk>/answer/", views.proposal_answer_view, name="proposal-answer"),
    path("items/<int:pk>/opinion/", views.proposal_opinion_view, name="proposal-opinion"),
    path("items/<int:pk>/feedback/", views.proposal_feedback_view, name="proposal-feedback"),
    path(
        "items/<int:pk>/answers/<int:round_>/document/",
        views.answer_document,
        name="proposal-answer-document",
    ),
    path("mine/", views.proposal_mine, name="proposal-mine"),
    path("sessions/", views_sessions.session_list, name="proposal-session-list"),
    path("sessions/new/", views_sessions.session_edit, name="proposal-session-new"),
    path("sessions/<int:pk>/edit/", views_sessions.session_edit, name="proposal-session-edit"),
    path(
        "sessions/<int:pk>/counts/", views_sessions.session_counts, name="proposal-session-counts"
    ),
    path("lists/", views_lists.list_index, name="proposal-lists"),
    path("lists/new/", views_lists.list_item_edit, name="proposal-list-item-new"),
    path("lists/<int:pk>/", views_lists.list_item_detail, name="proposal-list-item"),
    path("lists/<int:pk>/edit/", views_lists.list_item_edit, name="proposal-list-item-edit"),
    path(
        "lists/<int:pk>/progress/",
        views_lists.list_item_progress_view,
        name="proposal-list-item-progress",
    ),
]
