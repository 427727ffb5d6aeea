from __future__ import annotations

from django.urls import path

from . import views, views_ledger, views_problems

urlpatterns = [
    path("", views.my_households_view, name="assistance-mine"),
    path("pairings/", views_ledger.pairing_list, name="assistance-pairings"),
    path("pairings/export.xlsx", views_ledger.pairing_export, name="assistance-pairings-export"),
    path("pairings/new/", views_ledger.pairing_new, name="assistance-pairing-new"),
    path("pairings/<int:pk>/", views_ledger.pairing_detail, name="assistance-pairing"),
    path(
        "pairings/<int:pk>/end/",
        views_ledger.pairing_action,
        {"action": "end"},
        name="assistance-pairing-end",
    ),
    path(
        "pairings/<int:pk>/handover/",
        views_ledger.pairing_action,
        {"action": "handover"},
        name="assistance-pairing-handover",
    ),
    path("pairings/<int:pk>/contact/", views.contact_log_view, name="assistance-contact"),
    path("pairings/<int:pk>/card.pdf", views.contact_card_view, name="assistance-card"),
    path("villages/", views_ledger.unit_pairing_list, name="assistance-unit-pairings"),
    path("households/<int:pk>/", views.household_view, name="assistance-household"),
    path("households/<int:pk>/events/", views.event_new_view, name="assistance-event-new"),
    path("households/<int:pk>/aid/", views.aid_new_view, name="assistance-aid-new"),
    path("aid/<int:pk>/correct/", views.aid_correct_view, name="assistance-aid-correct"),
    path("events/", views.events_view, name="assistance-events"),
    path("events/village/", views.village_event_view, name="assistance-village-event"),
    path("problems/", views_problems.problem_list, name="assistance-problems"),
    path("problems/new/", views_problems.problem_new, name="assistance-problem-new"),
    path("problems/<int:pk>/", views_problems.problem_detail, name="assistance-problem"),
    path(
        "problems/<int:pk>/close/",
        views_problems.problem_close_view,
        name="assistance-problem-close",
    ),
    path("analysis/township/", views_problems.township_analysis, name="assistance-analysis-month"),
    path("analysis/office/", views_problems.office_analysis, name="assistance-analysis-quarter"),
]
