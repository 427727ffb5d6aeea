"""The benchmark's machinery: cases, the shared context, timing beside a baseline.

A case times one thing the product does (`run`) and, where there is one, a bare baseline doing
the same work without the product around it (`baseline`: a keyset query rendering the same rows,
a set-based SQL statement, a COPY into a bare table …) on the same data in the same process, so
that machine noise cancels in the ratio. Goals:

- `budget`: seconds `run` may take (median of `repeat` runs);
- `min_ratio`: throughput of `run` over that of `baseline` (baseline seconds ÷ run seconds) must
  be at least this; "at most 2× slower than the SQL" is `min_ratio=0.5`. With a baseline and no
  `min_ratio` the ratio is reported only.

Adding a case: put a module in `benchmark/cases/` (every module there is imported, in name
order) that calls `register(Case(...))` at import time::

    from benchmark.runner import Case, Context, register

    def _page(ctx: Context) -> int:
        return ctx.get("/petitions/", ctx.data["office user"])

    register(Case("petition list, first page", run=_page, baseline=..., min_ratio=0.8,
                  rows=lambda ctx: 50, group="lists"))

`ctx.data` holds what the data builder left (`benchmark.data.County`: units, users, the
period); `ctx.notes[case.name]` is printed under the case's line (memory, rows) and
`ctx.figures[case.name]` (a dict) goes into the JSON results. `setup(ctx)` runs once before
timing; `explain(ctx)` returns lines printed under the result (an EXPLAIN plan).
"""

from __future__ import annotations

import cProfile
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client


@dataclass
class Context:
    """What cases share: the built data, logged-in clients by username, notes and figures."""

    data: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    #: what a case reports beside its time (peak memory, rows), printed after its line
    notes: dict[str, str] = field(default_factory=dict)
    #: extra numbers a case reports, written into the JSON results
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: folder for files cases write (profiles, temporary workbooks)
    work_dir: Path = Path(".")

    def client(self, username: str) -> Client:
        if username not in self.clients:
            from directory.models import User

            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[username] = client
        return self.clients[username]

    def get(self, url: str, username: str) -> int:
        response = self.client(username).get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code} for {username}")
        return len(response.content)


@dataclass
class Case:
    name: str
    run: Callable[[Context], Any]
    budget: float | None = None  # seconds
    baseline: Callable[[Context], Any] | None = None
    min_ratio: float | None = None  # baseline seconds / run seconds (throughput ratio)
    setup: Callable[[Context], Any] | None = None
    repeat: int = 3
    #: the rows the figure is about (cost per row, growth with --scale/--years)
    rows: Callable[[Context], int] | None = None
    explain: Callable[[Context], list[str]] | None = None
    group: str = ""
    #: the case only makes sense with the county's full data (skipped at a fraction)
    needs_full: bool = False
    #: run after each timed run, untimed (stopping what `run` started)
    teardown: Callable[[Context], Any] | None = None

    def goal_text(self) -> str:
        parts = []
        if self.budget is not None:
            parts.append(f"≤ {_fmt_seconds(self.budget)}")
        if self.min_ratio is not None:
            parts.append(f"ratio ≥ {self.min_ratio:g}")
        elif self.baseline is not None:
            parts.append("ratio reported")
        return ", ".join(parts) or "reported"


@dataclass
class Result:
    case: Case
    seconds: float
    queries: int
    baseline_seconds: float | None = None
    rows: int | None = None
    error: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_seconds is None or self.seconds <= 0:
            return None
        return self.baseline_seconds / self.seconds

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.case.budget is not None and self.seconds > self.case.budget:
            return False
        ratio = self.ratio
        return self.case.min_ratio is None or (ratio is not None and ratio >= self.case.min_ratio)

    def as_json(self, ctx: Context) -> dict[str, Any]:
        return {
            "name": self.case.name,
            "group": self.case.group,
            "seconds": round(self.seconds, 6),
            "queries": self.queries,
            "baseline_seconds": None
            if self.baseline_seconds is None
            else round(self.baseline_seconds, 6),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "budget": self.case.budget,
            "min_ratio": self.case.min_ratio,
            "goal": self.case.goal_text(),
            "rows": self.rows,
            "seconds_per_row": None if not self.rows else self.seconds / self.rows,
            "ok": self.ok,
            "error": self.error,
            "note": ctx.notes.get(self.case.name, ""),
            **ctx.figures.get(self.case.name, {}),
        }


_cases: list[Case] = []


def register(case: Case) -> Case:
    """Add a case (names are unique: registering a name again replaces the case)."""
    _cases[:] = [c for c in _cases if c.name != case.name]
    _cases.append(case)
    return case


def cases() -> list[Case]:
    return list(_cases)


class QueryCounter:
    """Counts queries without keeping their SQL (a bulk import sends megabytes of it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _timed(
    run: Callable[[Context], Any],
    ctx: Context,
    teardown: Callable[[Context], Any] | None = None,
) -> tuple[float, int]:
    counter = QueryCounter()
    try:
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run(ctx)
            seconds = time.perf_counter() - started
    finally:
        if teardown:
            teardown(ctx)
    return seconds, counter.count


def measure(case: Case, ctx: Context) -> Result:
    """Median of `repeat` runs; with a baseline, runs and baseline runs alternate (one warm-up
    each first when repeated) so that both see the same machine."""
    if case.setup:
        case.setup(ctx)
    if case.repeat > 1:  # warm-up: caches, connections, first-request imports
        _timed(case.run, ctx, case.teardown)
        if case.baseline:
            case.baseline(ctx)
    times: list[float] = []
    base_times: list[float] = []
    queries = 0
    for _ in range(case.repeat):
        seconds, queries = _timed(case.run, ctx, case.teardown)
        times.append(seconds)
        if case.baseline:
            base_times.append(_timed(case.baseline, ctx)[0])
    return Result(
        case,
        statistics.median(times),
        queries,
        statistics.median(base_times) if base_times else None,
        case.rows(ctx) if case.rows else None,
    )


def profile(case: Case, ctx: Context, path: Path) -> Path:
    """Run the case once under cProfile and write the stats (`python -m pstats PATH`, or
    snakeviz) to `path`; returns the path of a text summary written beside it."""
    import io
    import pstats

    from django.test.utils import CaptureQueriesContext

    if case.setup:
        case.setup(ctx)
    if case.repeat > 1:  # warm, as measured
        case.run(ctx)
    profiler = cProfile.Profile()
    try:
        with CaptureQueriesContext(connection) as captured:
            profiler.enable()
            case.run(ctx)
            profiler.disable()
    finally:
        if case.teardown:
            case.teardown(ctx)
    profiler.dump_stats(str(path))
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("cumulative").print_stats(40)
    out.write(f"\n{len(captured.captured_queries)} queries (seconds, SQL):\n")
    for query in captured.captured_queries:
        out.write(f"{query['time']:>7} {query['sql'][:400]}\n")
    summary = path.with_suffix(".txt")
    summary.write_text(out.getvalue())
    return summary


def reset_peak_memory() -> bool:
    """Start measuring the process's peak resident memory afresh (Linux: /proc/self/clear_refs
    resets VmHWM); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def memory_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB, from /proc/self/status."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _sep, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def explain(sql: str, params: Any = ()) -> list[str]:
    """The plan of one statement (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
