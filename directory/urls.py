from __future__ import annotations

from django.urls import path

from . import views, views_directory

urlpatterns = [
    path("", views.today, name="today"),
    path("units/", views_directory.unit_list, name="unit-list"),
    path("people/", views_directory.person_list, name="person-list"),
    path("people/<int:pk>/", views_directory.person_detail, name="person-detail"),
    path("households/", views_directory.household_list, name="household-list"),
    path("households/new/", views_directory.household_edit, name="household-new"),
    path("households/<int:pk>/", views_directory.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views_directory.household_edit, name="household-edit"),
]
