"""python manage.py benchmark [--scale 1.0] [--only TEXT]

Builds a county-scale data set in a throw-away database (the configured backend's test
database), times every registered case against its budget, prints a table and exits 1 when a
case is over budget."""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from directory import benchmarks


class Command(BaseCommand):
    help = "Time the pages and jobs that must stay fast against their budgets, at county scale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="fraction of a county's data (default 1)"
        )
        parser.add_argument(
            "--only", default="", help="run only cases whose name contains this text"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():  # each app may register cases in <app>/benchmarks.py
            try:
                importlib.import_module(f"{config.name}.benchmarks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.benchmarks":
                    raise
        old_name = connection.settings_dict["NAME"]
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        self.stdout.write(f"benchmark database: {test_name}")
        failed = []
        try:
            # Plain static storage: the pages are timed, not the collected static files.
            storages = {
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            with override_settings(
                ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS],
                DEBUG=False,
                STORAGES=storages,
            ):
                ctx = benchmarks.Context()
                started = time.perf_counter()
                benchmarks.build_county(ctx, scale=options["scale"])
                # Planner statistics, as a live database has them (autovacuum lags a bulk load).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                self.stdout.write(f"county built in {time.perf_counter() - started:.1f} s")
                for case in benchmarks.cases():
                    if options["only"] and options["only"] not in case.name:
                        continue
                    result = benchmarks.measure(case, ctx)
                    mark = "ok  " if result.ok else "OVER"
                    self.stdout.write(
                        f"{mark} {result.seconds * 1000:8.1f} ms  (budget {case.budget * 1000:.0f} ms, "
                        f"{result.queries} queries)  {case.name}"
                    )
                    if case.name in ctx.notes:
                        self.stdout.write(f"      {ctx.notes[case.name]}")
                    if not result.ok:
                        failed.append(case.name)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if failed:
            raise CommandError(f"{len(failed)} case(s) over budget: {'; '.join(failed)}")
        self.stdout.write("all cases within budget")
