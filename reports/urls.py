from __future__ import annotations

from django.urls import path

from . import views, views_campaigns, views_submissions

urlpatterns = [
    path("", views.dashboard, name="reports-dashboard"),
    path("units/<str:code>/", views.unit_standing, name="reports-unit"),
    path("people/<str:code>/", views.person_standing, name="reports-person"),
    path("records/", views.records, name="reports-records"),
    path("export/<str:fmt>/", views.export, name="reports-export"),
    path("pdf/", views.report_pdf, name="reports-pdf"),
    path("jobs/<int:pk>/", views.job_detail, name="reports-job"),
    path("jobs/<int:pk>/download/", views.job_download, name="reports-job-download"),
    path("submissions/", views_submissions.submission_list, name="reports-submissions"),
    path("submissions/new/", views_submissions.submission_new, name="reports-submission-new"),
    path(
        "submissions/<int:pk>/",
        views_submissions.submission_detail,
        name="reports-submission-detail",
    ),
    path(
        "submissions/<int:pk>/attachment/",
        views_submissions.submission_attachment,
        name="reports-submission-attachment",
    ),
    path("campaigns/", views_campaigns.campaign_list, name="reports-campaigns"),
    path("campaigns/new/", views_campaigns.campaign_new, name="reports-campaign-new"),
    path("campaigns/<int:pk>/", views_campaigns.campaign_detail, name="reports-campaign"),
    path(
        "campaigns/<int:pk>/targets/",
        views_campaigns.campaign_targets,
        name="reports-campaign-targets",
    ),
    path(
        "campaigns/<int:pk>/groups/", views_campaigns.campaign_group, name="reports-campaign-group"
    ),
    path(
        "campaigns/<int:pk>/codes/", views_campaigns.campaign_codes, name="reports-campaign-codes"
    ),
    path(
        "campaigns/<int:pk>/tally/<int:group_pk>/",
        views_campaigns.campaign_tally,
        name="reports-campaign-tally",
    ),
    path(
        "campaigns/<int:pk>/export.xlsx",
        views_campaigns.campaign_export,
        name="reports-campaign-export",
    ),
    path(
        "campaigns/<int:pk>/<str:action>/",
        views_campaigns.campaign_state,
        name="reports-campaign-state",
    ),
]
