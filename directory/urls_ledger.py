from __future__ import annotations

from django.urls import path

from . import views_ledger

urlpatterns = [
    path("", views_ledger.ledger_import, name="ledger-import"),
    path("template.xlsx", views_ledger.ledger_template, name="ledger-template"),
]
