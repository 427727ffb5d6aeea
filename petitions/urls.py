from __future__ import annotations

from django.urls import path

from .appeals import bulletin_views as views_bulletin
from .appeals import views as views_appeals
from .matters import views as views_petitions
from .roster import office_views as views_office
from .roster import views as views_roster

urlpatterns = [
    path("", views_petitions.petition_list, name="petition-list"),
    path("new/", views_petitions.petition_register, name="petition-register"),
    path("export.xlsx", views_petitions.petition_export, name="petition-export"),
    path("<int:pk>/", views_petitions.petition_detail, name="petition-detail"),
    path("<int:pk>/history/", views_petitions.petition_history, name="petition-history"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views_petitions.petition_attachment,
        name="petition-attachment",
    ),
    path(
        "<int:pk>/attachments/add/",
        views_petitions.petition_attachment_add,
        name="petition-attachment-add",
    ),
    path(
        "<int:pk>/reveal/<int:petitioner_pk>/<str:field>/",
        views_petitions.petition_reveal,
        name="petition-reveal",
    ),
    path("<int:pk>/step/<str:step>/", views_petitions.petition_step, name="petition-step"),
    path("roster/", views_roster.roster_month, name="roster-month"),
    path("roster/export.xlsx", views_roster.roster_export, name="roster-export"),
    path("roster/generate/", views_roster.roster_generate, name="roster-generate"),
    path("roster/propose/", views_roster.roster_propose, name="roster-propose"),
    path("roster/new/", views_roster.reception_new, name="reception-new"),
    path("roster/absences/", views_roster.absences, name="roster-absences"),
    path("roster/<int:pk>/", views_roster.reception_detail, name="reception-detail"),
    path("roster/<int:pk>/fill/", views_roster.reception_fill, name="reception-fill"),
    path(
        "roster/<int:pk>/substitute/",
        views_roster.reception_substitute,
        name="reception-substitute",
    ),
    path("roster/<int:pk>/status/", views_roster.reception_status, name="reception-status"),
    path("roster/<int:pk>/appointment/", views_roster.appointment_new, name="appointment-new"),
    path("appointments/<int:pk>/", views_roster.appointment_detail, name="appointment-detail"),
    path(
        "appointments/<int:pk>/<str:action>/",
        views_roster.appointment_action,
        name="appointment-action",
    ),
    path("my-roster/", views_roster.my_roster, name="my-roster"),
    path("my-roster.ics", views_roster.my_roster_ics, name="my-roster-ics"),
    path("office/", views_office.office_ledger, name="office-ledger"),
    # online appeals, the daily bulletin and the hotline (issue 4)
    path("appeals/", views_appeals.appeal_list, name="appeal-list"),
    path("appeals/new/", views_appeals.appeal_new, name="appeal-new"),
    path("appeals/export.xlsx", views_appeals.appeal_export, name="appeal-export"),
    path("appeals/<int:pk>/", views_appeals.appeal_detail, name="appeal-detail"),
    path("appeals/<int:pk>/step/<str:step>/", views_appeals.appeal_step, name="appeal-step"),
    path(
        "appeals/<int:pk>/attachments/<int:attachment_pk>/",
        views_appeals.appeal_attachment,
        name="appeal-attachment",
    ),
    path("appeals/categories/", views_appeals.category_list, name="appeal-categories"),
    path("appeals/categories/new/", views_appeals.category_edit, name="appeal-category-new"),
    path(
        "appeals/categories/<int:pk>/",
        views_appeals.category_edit,
        name="appeal-category-edit",
    ),
    path("appeals/bulletin/", views_bulletin.bulletin_index, name="appeal-bulletin"),
    path("appeals/bulletin/<str:day>/", views_bulletin.bulletin_day, name="appeal-bulletin-day"),
    path(
        "appeals/bulletin/<str:day>/pdf/",
        views_bulletin.bulletin_day_pdf,
        name="appeal-bulletin-pdf",
    ),
    path(
        "appeals/bulletin/<str:day>/produce/",
        views_bulletin.bulletin_produce_view,
        name="appeal-bulletin-produce",
    ),
    path("appeals/hotline/", views_bulletin.hotline_analysis, name="appeal-hotline"),
    path("office/<str:kind>/add/", views_office.office_add, name="office-add"),
    path("office/<str:kind>/<int:pk>/done/", views_office.office_done, name="office-done"),
]
