from __future__ import annotations

from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """The benchmark runner: imports every app (it builds their records and times their pages),
    so no domain app imports it."""

    name = "benchmark"
    verbose_name = "Benchmark"
