"""Performance budgets, measured on data at county scale (DESIGN.md "Scale").

`python manage.py benchmark` creates a throw-away database (the test database of the configured
backend), fills it with a county — 300 villages, 3,000 cadres, 120,000 households, 100,000
deadlines — and times each registered case against its budget. Apps register their own cases:

    from directory.benchmarks import register
    register("petition list", budget=0.5, run=lambda ctx: ctx.get("/petitions/", "xinfang"))

A case's `run(ctx)` is timed (best of `repeat` runs); `setup(ctx)` (optional) runs once before.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, reset_queries
from django.test import Client


@dataclass
class Context:
    """What cases share: the built county, logged-in clients by username."""

    data: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    #: what a case reports beside its time (peak memory, rows), printed after its line
    notes: dict[str, str] = field(default_factory=dict)

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
    budget: float  # seconds
    run: Callable[[Context], Any]
    setup: Callable[[Context], Any] | None = None
    repeat: int = 3


@dataclass
class Result:
    case: Case
    seconds: float
    queries: int

    @property
    def ok(self) -> bool:
        return self.seconds <= self.case.budget


_cases: list[Case] = []


def register(
    name: str,
    *,
    budget: float,
    run: Callable[[Context], Any],
    setup: Callable[[Context], Any] | None = None,
    repeat: int = 3,
) -> None:
    _cases.append(Case(name, budget, run, setup, repeat))


def cases() -> list[Case]:
    return list(_cases)


class _QueryCounter:
    """Counts queries without keeping their SQL (a bulk import sends megabytes of it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def measure(case: Case, ctx: Context) -> Result:
    if case.setup:
        case.setup(ctx)
    best = float("inf")
    queries = 0
    for _ in range(case.repeat):
        reset_queries()
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            case.run(ctx)
            best = min(best, time.perf_counter() - started)
        queries = counter.count
    return Result(case, best, queries)


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


# --- the county ------------------------------------------------------------------------------

VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS = 20
GROUPS_PER_VILLAGE = 6
HOUSEHOLDS = 120_000
PEOPLE = 3_000
OPEN_CLOCKS = 60_000
DONE_CLOCKS = 40_000


def build_county(ctx: Context, *, scale: float = 1.0) -> None:
    """Bulk-build the county (paths computed here: bulk_create skips the services on purpose)."""
    from django.contrib.contenttypes.models import ContentType

    from directory.models import Household, OrgUnit, Person, Role
    from directory.services import account_create
    from rules.models import Clock, Rule

    def unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        obj = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent, path="/")
        obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
        obj.depth = obj.path.count("/") - 2
        obj.save(update_fields=["path", "depth"])
        return obj

    county = unit("B", "基准县", "county", None)
    villages: list[OrgUnit] = []
    townships: list[OrgUnit] = []
    for t in range(TOWNSHIPS):
        township = unit(f"B-T{t}", f"第{t}乡镇", "township", county)
        townships.append(township)
        for v in range(max(1, int(VILLAGES_PER_TOWNSHIP * scale))):
            village = unit(f"B-T{t}-V{v}", f"第{t}乡第{v}村", "village", township)
            villages.append(village)
            groups = [
                OrgUnit(
                    code=f"{village.code}-G{g}",
                    name=f"{village.name}{g}组",
                    kind="group",
                    parent=village,
                )
                for g in range(GROUPS_PER_VILLAGE)
            ]
            for group in OrgUnit.objects.bulk_create(groups):
                OrgUnit.objects.filter(pk=group.pk).update(
                    path=f"{village.path}{group.pk}/", depth=3
                )
    people = [
        Person(
            code=f"B-P{n}",
            name=f"干部{n}",
            unit=townships[n % len(townships)],
            rank="staff",
            posts="cadre",
        )
        for n in range(int(PEOPLE * scale))
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    mix = ["", "party_member", "monitored", "alleviated", "other", "vulnerable"]
    households = [
        Household(
            code=f"B-H{n}",
            head=f"户主{n}",
            village=villages[n % len(villages)],
            categories=mix[n % len(mix)],
        )
        for n in range(int(HOUSEHOLDS * scale))
    ]
    Household.objects.bulk_create(households, batch_size=5000)
    rule = Rule.objects.create(
        rule_id="BENCH-REPLY", pack="taoyuan", kind="DEADLINE", title="基准",
        params={"start_event": "a", "end_event": "b", "amount": 5, "unit": "workdays"},
    )  # fmt: skip
    item_type = ContentType.objects.get_for_model(Household)
    start = dt.date(2026, 1, 5)
    clocks = []
    for n in range(int((OPEN_CLOCKS + DONE_CLOCKS) * scale)):
        done = n >= OPEN_CLOCKS * scale
        day = start + dt.timedelta(days=n % 300)
        clocks.append(
            Clock(
                rule=rule, content_type=item_type, object_id=n + 1, step="reply", unit=villages[n % len(villages)],
                start=day, due=day + dt.timedelta(days=7), computation={},
                state="done" if done else "open", done_on=day + dt.timedelta(days=5) if done else None,
                on_time=True if done else None,
            )
        )  # fmt: skip
    Clock.objects.bulk_create(clocks, batch_size=5000)
    ctx.data.update(county=county, townships=townships, villages=villages, scale=scale)
    account_create(username="b-admin", password="x", unit=county, roles=[Role.ADMIN])
    account_create(username="b-township", password="x", unit=townships[0], roles=[Role.UNIT_STAFF])
    account_create(username="b-supervisor", password="x", unit=county, roles=[Role.SUPERVISOR])


def _register_foundation_cases() -> None:
    from rules.compliance import evaluate
    from rules.models import Clock
    from rules.periods import Period
    from rules.reminders import reminders_scan

    register("household list, township staff (first page)", budget=0.3,
             run=lambda ctx: ctx.get("/households/", "b-township"))  # fmt: skip
    register("household list, whole county, filtered by category", budget=0.5,
             run=lambda ctx: ctx.get("/households/?category=monitored&page=20", "b-admin"))  # fmt: skip
    register(
        "people list, whole county", budget=0.3, run=lambda ctx: ctx.get("/people/", "b-admin")
    )
    register("deadline scan: open clocks due within a week", budget=0.3,
             run=lambda ctx: list(Clock.objects.open().due_before(dt.date(2026, 6, 1)).values_list("pk", flat=True)))  # fmt: skip
    register("DEADLINE compliance for a year (100,000 clocks)", budget=1.5,
             run=lambda ctx: evaluate(Period.year(2026), today=dt.date(2026, 12, 31)), repeat=1)  # fmt: skip
    register(
        "supervisor's deadline board",
        budget=0.5,
        run=lambda ctx: ctx.get("/notifications/deadlines/", "b-supervisor"),
    )
    register("reminder scan over the open clocks of a day", budget=5.0, repeat=1,
             run=lambda ctx: reminders_scan(dt.date(2026, 3, 2)))  # fmt: skip


def _bomb_refused(ctx: Context) -> int:
    """An upload of a few dozen KB that unpacks to 20 MB: refused with a message, at once."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    if "bomb" not in ctx.data:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
        ctx.data["bomb"] = out.getvalue()
    upload = SimpleUploadedFile("ledger.xlsx", ctx.data["bomb"])
    response = ctx.client("b-admin").post("/ledger/", {"file": upload, "map": ""})
    if response.status_code != 200 or b"errorlist" not in response.content:
        raise AssertionError("the 20 MB-unpacked upload was not refused")
    return len(ctx.data["bomb"])


_register_foundation_cases()
register("ledger upload that unpacks to 20 MB, refused", budget=2.0, run=_bomb_refused)
