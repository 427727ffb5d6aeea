from __future__ import annotations

from django.urls import path

from . import views, views_quotas

urlpatterns = [
    path("", views.visit_list, name="visit-list"),
    path("new/", views.visit_edit, name="visit-new"),
    path("round/", views.visit_round, name="visit-round"),
    path("export.xlsx", views.visit_export, name="visit-export"),
    path("households/", views.household_search, name="visit-household-search"),
    path("<int:pk>/", views.visit_detail, name="visit-detail"),
    path("<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("<int:pk>/delete/", views.visit_delete_view, name="visit-delete"),
    path("quotas/", views_quotas.my_quotas, name="visit-my-quotas"),
    path("quotas/people/", views_quotas.quota_board, name="visit-quota-board"),
    path("quotas/people/<int:pk>/", views_quotas.person_quotas, name="visit-person-quotas"),
    path("meetings/", views_quotas.meeting_list, name="meeting-list"),
]
