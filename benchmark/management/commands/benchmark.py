"""python manage.py benchmark [--years N] [--scale N] [--fraction F] [--only TEXT]
[--skip TEXT,TEXT] [--rebuild] [--results PATH] [--profile CASE]

Builds data at county scale into a database of its own (named after the data: reused when a
marker says it is built; `--rebuild` builds it again), times every case of
`benchmark/cases/` against its goal — a budget in seconds and/or a ratio to a bare baseline
run in the same process — prints a table, writes the results as JSON and exits 1 when a goal is
missed. Without flags: a tenth of one county, one year (a quick run).

Figures at several sizes (`--scale 1`, `3`, `10`; `--years 1`, `5`) accumulate in the results
file, and each run prints the growth of every figure with its rows: cost per row must not grow.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from benchmark import data, runner
from benchmark.cases import load_cases


class Command(BaseCommand):
    help = "Time the pages and jobs that must stay fast against their goals, at county scale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=None, help="years of records (default 1)")
        parser.add_argument(
            "--scale", type=int, default=None, help="counties under one city (default 1)"
        )
        parser.add_argument(
            "--fraction",
            type=float,
            default=None,
            help="part of a county's data (default 0.1 without --years/--scale, else 1)",
        )
        parser.add_argument("--only", default="", help="run only cases whose name has this text")
        parser.add_argument(
            "--skip",
            default="",
            help="skip cases whose name has one of these texts (comma-separated)",
        )
        parser.add_argument("--rebuild", action="store_true", help="build the data again")
        parser.add_argument(
            "--results", default="", help="JSON results file (default DATA_DIR/benchmark/)"
        )
        parser.add_argument(
            "--profile", default="", help="run the case(s) with this text under cProfile"
        )
        parser.add_argument("--list", action="store_true", help="list the cases and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        load_cases()
        if options["list"]:
            for case in runner.cases():
                self.stdout.write(f"{case.group:10} {case.name}  [{case.goal_text()}]")
            return
        quick = options["years"] is None and options["scale"] is None
        spec = data.Spec(
            years=options["years"] or 1,
            scale=options["scale"] or 1,
            fraction=options["fraction"] or (0.1 if quick else 1.0),
        )
        work_dir = Path(settings.DATA_DIR) / "benchmark"
        work_dir.mkdir(parents=True, exist_ok=True)
        results_path = Path(options["results"] or work_dir / "results.json")
        county = self._database(spec, work_dir, rebuild=options["rebuild"])
        ctx = runner.Context(work_dir=work_dir)
        ctx.data["county"] = county
        ctx.data["spec"] = spec
        skip = [text for text in options["skip"].split(",") if text]
        selected = [
            c
            for c in runner.cases()
            if options["only"] in c.name and not any(text in c.name for text in skip)
        ]
        if spec.fraction < 1:
            skipped = [c for c in selected if c.needs_full]
            selected = [c for c in selected if not c.needs_full]
            for case in skipped:
                self.stdout.write(f"skipped (needs the full county): {case.name}")
        # Plain static storage: the pages are timed, not the collected static files.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        overrides = {
            "ALLOWED_HOSTS": ["testserver", *settings.ALLOWED_HOSTS],
            "DEBUG": False,
            "STORAGES": storages,
            "ROOT_URLCONF": "benchmark.urls",  # the product plus the bare baselines
        }
        with override_settings(**overrides):
            if options["profile"]:
                self._profile(selected, options["profile"], ctx, work_dir)
                return
            results = self._run(selected, ctx)
        self._write(results, ctx, spec, county, results_path)
        failed = [r.case.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"{len(failed)} goal(s) missed: {'; '.join(failed)}")
        self.stdout.write("every goal met")

    # --- the database ---

    def _database(self, spec: data.Spec, work_dir: Path, *, rebuild: bool) -> data.County:
        """Switch to the benchmark's database for `spec` (created and migrated when missing)
        and return its data, building it unless a marker says it is there."""
        base = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            name = str(work_dir / f"bench-{spec.key}.sqlite3")
        else:
            name = f"{Path(str(base)).stem}_bench_{spec.key}"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        creation = connection.creation
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=not rebuild)
        county = None if rebuild else data.read_marker(spec)
        if county is not None:
            self.stdout.write(f"benchmark database: {name} (built {spec.key}; --rebuild to redo)")
            return county
        from directory.models import OrgUnit

        if OrgUnit.objects.exists():  # half built by an interrupted run
            creation.destroy_test_db(base, verbosity=0, keepdb=False)
            connection.settings_dict["NAME"] = base
            creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        self.stdout.write(f"benchmark database: {name}: building {spec}")
        started = time.perf_counter()
        county = data.build(spec, today=_today(), log=self.stdout.write)
        self.stdout.write(f"built in {time.perf_counter() - started:.1f} s: {county.counts}")
        return county

    # --- running ---

    def _run(self, selected: list[runner.Case], ctx: runner.Context) -> list[runner.Result]:
        results = []
        self.stdout.write(f"{'':4} {'time':>10} {'baseline':>10} {'ratio':>6}  goal / case")
        for case in selected:
            try:
                result = runner.measure(case, ctx)
            except Exception as exc:  # noqa: BLE001  (a broken case is a missed goal, shown)
                result = runner.Result(case, 0.0, 0, error=f"{type(exc).__name__}: {exc}")
            results.append(result)
            self.stdout.write(_line(result))
            if result.error:
                self.stdout.write(f"      error: {result.error}")
            if case.name in ctx.notes:
                self.stdout.write(f"      {ctx.notes[case.name]}")
            if case.explain and not result.error:
                for line in case.explain(ctx):
                    self.stdout.write(f"      | {line}")
        return results

    def _profile(
        self, selected: list[runner.Case], text: str, ctx: runner.Context, work_dir: Path
    ) -> None:
        chosen = [c for c in selected if text in c.name]
        if not chosen:
            raise CommandError(f"no case has {text!r} in its name (see --list)")
        for case in chosen:
            slug = "".join(ch if ch.isalnum() else "-" for ch in case.name)[:60].strip("-")
            summary = runner.profile(case, ctx, work_dir / f"profile-{slug}.prof")
            self.stdout.write(f"{case.name}: {summary.with_suffix('.prof')} ({summary})")
            self.stdout.write(summary.read_text())

    def _write(
        self,
        results: list[runner.Result],
        ctx: runner.Context,
        spec: data.Spec,
        county: data.County,
        path: Path,
    ) -> None:
        stored: dict[str, Any] = {}
        if path.exists():
            try:
                stored = json.loads(path.read_text())
            except ValueError:
                stored = {}
        runs = stored.get("runs", {})
        run = runs.setdefault(spec.key, {"spec": data.asdict(spec), "cases": {}})
        run.update(
            machine=machine(),
            database=connection.vendor,
            at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            counts=county.counts,
            build_seconds=county.seconds,
        )
        for result in results:
            run["cases"][result.case.name] = result.as_json(ctx)
        stored["runs"] = runs
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=1))
        self.stdout.write(f"results: {path}")
        self._growth(runs, results)

    def _growth(self, runs: dict[str, Any], results: list[runner.Result]) -> None:
        """Each figure at every size stored for it: time, rows and cost per row (1×, 3×, 10×)."""
        lines = []
        for result in results:
            if not result.rows:
                continue
            points = sorted(
                (case["rows"], case["seconds"], key)
                for key, run in runs.items()
                if (case := run["cases"].get(result.case.name)) and case.get("rows")
            )
            if len(points) < 2:
                continue
            rows0, seconds0, _key = points[0]
            cells = [
                f"{rows / rows0:.0f}× rows: {seconds * 1000:.0f} ms "
                f"({seconds / rows * 1e6:.2f} µs/row, ×{seconds / seconds0:.1f})"
                for rows, seconds, _key in points
            ]
            lines.append(f"  {result.case.name}: " + "; ".join(cells))
        if lines:
            self.stdout.write("growth with the data:")
            self.stdout.write("\n".join(lines))


def _line(result: runner.Result) -> str:
    mark = "ok  " if result.ok else "MISS"
    base = "" if result.baseline_seconds is None else f"{result.baseline_seconds * 1000:8.1f} ms"
    ratio = "" if result.ratio is None else f"{result.ratio:6.2f}"
    return (
        f"{mark} {result.seconds * 1000:8.1f} ms {base:>11} {ratio:>6}  "
        f"[{result.case.goal_text()}, {result.queries} q] {result.case.name}"
    )


def _today() -> dt.date:
    from directory.timeutil import today

    return today()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {db}"
