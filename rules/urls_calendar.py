from __future__ import annotations

from django.urls import path

from . import views_calendar as views

urlpatterns = [
    path("", views.calendar_list, name="calendar-list"),
    path("new/", views.calendar_year_new, name="calendar-year-new"),
    path("<int:year>/", views.calendar_year, name="calendar-year"),
    path("<int:year>/edit/", views.calendar_year_edit, name="calendar-year-edit"),
    path("<int:year>/day/", views.calendar_day_edit, name="calendar-day-edit"),
]
