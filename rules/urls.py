from __future__ import annotations

from django.urls import path

from . import views_rules

urlpatterns = [
    path("", views_rules.rule_list, name="rule-list"),
    path("<str:rule_id>/", views_rules.rule_detail, name="rule-detail"),
    path("<str:rule_id>/edit/", views_rules.rule_edit, name="rule-edit"),
]
