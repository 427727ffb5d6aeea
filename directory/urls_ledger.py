from __future__ import annotations

from django.urls import path

from . import views_ledger

urlpatterns = [
    path("", views_ledger.ledger_import, name="ledger-import"),
    path("template.xlsx", views_ledger.ledger_template, name="ledger-template"),
    path("jobs/<int:pk>/", views_ledger.ledger_job, name="ledger-job"),
    path("jobs/<int:pk>/mapping/", views_ledger.ledger_job_mapping, name="ledger-job-mapping"),
    path("jobs/<int:pk>/preview/", views_ledger.ledger_job_preview, name="ledger-job-preview"),
    path("jobs/<int:pk>/start/", views_ledger.ledger_job_start, name="ledger-job-start"),
]
