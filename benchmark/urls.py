"""The product's URLs plus the bare baselines the list cases compare against (only in the
benchmark's process: `manage.py benchmark` sets ROOT_URLCONF to this module)."""

from __future__ import annotations

from django.urls import include, path

from benchmark import bare

urlpatterns = [
    path("_bench/bare/<str:name>/", bare.bare_list, name="bench-bare-list"),
    path("", include("config.urls")),
]
