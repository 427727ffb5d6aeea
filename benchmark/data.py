"""The benchmark's data: counties at the scale of DESIGN.md "Scale", with years of records.

Per county (× `fraction`): 20 townships of 15 villages of 6 villager groups, 12 departments,
3,000 people (county leaders linked to townships, township secretaries and heads, cadres),
120,000 households (a third of them paired with a cadre); per year: 150,000 visits (with their
people and households), 10,000 petitions (with a petitioner and a done clock), 40,000 online
appeals (each with an open clock: `--years 5` gives 200,000 open clocks per county) and 600
suggestions (with an author and a done clock). Reminders are what the first deadline scan
writes over these clocks (run once at the end of the build, its time kept as a figure).
`scale` counties sit under one city (a city of 10 counties: `--scale 10`).

Rows are written in bulk: on PostgreSQL with COPY (ids allocated here, sequences reset after),
elsewhere with bulk_create. Paths of units are computed here: the services are skipped on
purpose (they are what the cases time).

`County` (in `ctx.data["county"]`) names what cases need: the first county's units, the
accounts (usernames) by role, the years built and the day the data ends ("today").
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

TOWNSHIPS = 20
VILLAGES_PER_TOWNSHIP = 15
GROUPS_PER_VILLAGE = 6
DEPARTMENTS = 12
PEOPLE = 3_000
HOUSEHOLDS = 120_000
COUNTY_LEADERS = 10
PER_YEAR = {"visits": 150_000, "petitions": 10_000, "appeals": 40_000, "proposals": 600}

MARKER_TABLE = "benchmark_built"
PASSWORD = "benchmark"


@dataclass(frozen=True)
class Spec:
    years: int = 1
    scale: int = 1  # counties
    fraction: float = 1.0  # of a county's units, people, households and yearly records

    @property
    def key(self) -> str:
        return f"y{self.years}_s{self.scale}_f{self.fraction:g}".replace(".", "p")

    def count(self, per_county: int, minimum: int = 1) -> int:
        return max(minimum, round(per_county * self.fraction))


@dataclass
class County:
    """What the cases need to find in the built data (kept in the marker, so a reused database
    answers the same)."""

    spec: dict[str, Any]
    today: str  # the last day with records (ISO)
    years: list[int]
    city: int
    counties: list[int]
    townships: list[int]  # of the first county
    villages: list[int]  # of the first county
    departments: list[int]  # of the first county
    users: dict[str, str]  # role key → username: office, supervisor, leader, township, admin
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    seconds: dict[str, float] = field(default_factory=dict)  # build steps

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.today)


# --- the marker ----------------------------------------------------------------------------------


def read_marker(spec: Spec) -> County | None:
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT data FROM {MARKER_TABLE} WHERE key = %s", [spec.key])  # noqa: S608
        row = cursor.fetchone()
    return County(**json.loads(row[0])) if row else None


def write_marker(spec: Spec, county: County) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(100) PRIMARY KEY, data text)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = %s", [spec.key])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (key, data) VALUES (%s, %s)",  # noqa: S608
            [spec.key, json.dumps(asdict(county))],
        )


# --- bulk writing ---------------------------------------------------------------------------------


class Writer:
    """Allocates ids and writes model instances in bulk (COPY on PostgreSQL)."""

    def __init__(self) -> None:
        self.next_ids: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = {}
        self.written: set[type[models.Model]] = set()

    def ids(self, model: type[models.Model], n: int) -> range:
        if model not in self.next_ids:
            top = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
            self.next_ids[model] = top + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + n
        return range(start, start + n)

    def write(self, model: type[models.Model], objects: Iterable[models.Model]) -> int:
        n = 0
        for chunk in _chunks(objects, 20_000):
            for obj in chunk:
                if obj.pk is None:
                    obj.pk = self.ids(model, 1).start
            if connection.vendor == "postgresql":
                self._copy(model, chunk)
            else:
                model._base_manager.bulk_create(chunk, batch_size=500)
            n += len(chunk)
        self.written.add(model)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + n
        return n

    def _copy(self, model: type[models.Model], objects: list[models.Model]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for obj in objects:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the build ------------------------------------------------------------------------------------


def build(spec: Spec, *, today: dt.date, log: Callable[[str], None] = print) -> County:
    """Build `spec`'s data into the (empty, migrated) current database and write the marker."""
    from django.core.management import call_command

    seconds: dict[str, float] = {}

    def step(name: str, run: Callable[[], Any], *, atomic: bool = True) -> Any:
        started = time.perf_counter()
        if atomic:
            with transaction.atomic():
                value = run()
        else:
            value = run()
        seconds[name] = round(time.perf_counter() - started, 2)
        log(f"  {name}: {seconds[name]:.1f} s")
        return value

    step("rule packs", lambda: call_command("load_rules", "taoyuan", "hefei", verbosity=0))
    writer = Writer()
    years = list(range(today.year - spec.years + 1, today.year + 1))
    built = step("units, people, households, pairings", lambda: _directory(writer, spec, today))
    users = step("accounts", lambda: _accounts(built))
    for year in years:
        step(f"records of {year}", lambda year=year: _records(writer, spec, built, year, today))
    writer.reset_sequences()
    step("statistics (ANALYZE)", _analyze, atomic=False)
    county = County(
        spec=asdict(spec),
        today=today.isoformat(),
        years=years,
        city=built["city"],
        counties=built["counties"],
        townships=built["townships"][0],
        villages=built["villages"][0],
        departments=built["departments"][0],
        users=users,
        counts=writer.counts,
        seconds=seconds,
    )
    step("first deadline scan (writes the reminders)", lambda: _first_scan(county, writer))
    # VACUUM too: the scan's updates leave the partial index's old entries until it runs (a
    # live database's autovacuum does it; the steady state is what is timed).
    step("VACUUM ANALYZE", lambda: _analyze(vacuum=True), atomic=False)
    county.seconds = seconds
    county.counts = writer.counts
    write_marker(spec, county)
    return county


def _analyze(*, vacuum: bool = False) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if vacuum and connection.vendor == "postgresql" else "ANALYZE"
        )


def _first_scan(county: County, writer: Writer) -> None:
    from rules.models import Reminder
    from rules.reminders import reminders_scan

    result = reminders_scan(county.day)
    writer.counts["rules.Reminder"] = Reminder.objects.count()
    writer.counts["first scan created"] = result.created


def _directory(writer: Writer, spec: Spec, today: dt.date) -> dict[str, Any]:
    from assistance.models import Pairing
    from directory.models import Household, Link, OrgUnit, Person

    units: list[OrgUnit] = []

    def unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        obj = OrgUnit(code=code, name=name, kind=kind, parent=parent)
        obj.pk = writer.ids(OrgUnit, 1).start
        obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
        obj.depth = obj.path.count("/") - 2
        units.append(obj)
        return obj

    city = unit("BC", "基准市", "city", None)
    built: dict[str, Any] = {"city": city.pk, "counties": [], "townships": [], "villages": []}
    built["departments"] = []
    people_by_county: list[dict[str, list[Person]]] = []
    households_total = 0
    for c in range(spec.scale):
        county = unit(f"B{c}", f"基准{c}县", "county", city)
        built["counties"].append(county.pk)
        departments = [
            unit(f"B{c}-D{d}", f"基准{c}县第{d}局", "department", county)
            for d in range(DEPARTMENTS)
        ]
        townships, villages, groups = [], [], {}
        for t in range(TOWNSHIPS):
            township = unit(f"B{c}-T{t}", f"第{t}乡镇", "township", county)
            townships.append(township)
            for v in range(spec.count(VILLAGES_PER_TOWNSHIP)):
                village = unit(f"B{c}-T{t}-V{v}", f"第{t}乡第{v}村", "village", township)
                villages.append(village)
                groups[village.pk] = [
                    unit(f"{village.code}-G{g}", f"{village.name}{g}组", "group", village)
                    for g in range(GROUPS_PER_VILLAGE)
                ]
        built["townships"].append([u.pk for u in townships])
        built["villages"].append([u.pk for u in villages])
        built["departments"].append([u.pk for u in departments])
        people: dict[str, list[Person]] = {"leaders": [], "township": [], "cadres": []}
        for n in range(COUNTY_LEADERS):
            people["leaders"].append(
                Person(code=f"B{c}-L{n}", name=f"县领导{c}-{n}", unit=county,
                       rank="county_level", posts="county_leader")
            )  # fmt: skip
        for t, township in enumerate(townships):
            for post in ("township_secretary", "township_head"):
                people["township"].append(
                    Person(code=f"B{c}-T{t}-{post}", name=f"{township.name}{post[9:]}",
                           unit=township, rank="section_chief", posts=post)
                )  # fmt: skip
        homes = townships + departments
        for n in range(spec.count(PEOPLE) - COUNTY_LEADERS - 2 * TOWNSHIPS):
            people["cadres"].append(
                Person(code=f"B{c}-P{n}", name=f"干部{c}-{n}", unit=homes[n % len(homes)],
                       rank="staff", posts="cadre")
            )  # fmt: skip
        people["villages"] = villages  # type: ignore[assignment]
        people["groups"] = groups  # type: ignore[assignment]
        people["townships"] = townships  # type: ignore[assignment]
        people["departments"] = departments  # type: ignore[assignment]
        people_by_county.append(people)
    writer.write(OrgUnit, units)
    for people in people_by_county:
        writer.write(Person, people["leaders"] + people["township"] + people["cadres"])
        townships = people["townships"]
        writer.write(
            Link,
            (
                Link(person=leader, unit=townships[(2 * n + k) % len(townships)],
                     kind="linked_township")
                for n, leader in enumerate(people["leaders"]) for k in range(2)
            ),
        )  # fmt: skip
    mix = ["", "party_member", "monitored", "alleviated", "other", "vulnerable"]
    start = dt.date(today.year - 5, 1, 1)
    households_by_county: list[dict[int, list[int]]] = []
    for c, people in enumerate(people_by_county):
        villages, groups, cadres = people["villages"], people["groups"], people["cadres"]
        count = spec.count(HOUSEHOLDS)
        ids = writer.ids(Household, count)
        by_village: dict[int, list[int]] = {}
        rows = []
        pairings = []
        for n, pk in enumerate(ids):
            village = villages[n % len(villages)]
            by_village.setdefault(village.pk, []).append(pk)
            category = mix[n % len(mix)]
            rows.append(
                Household(pk=pk, code=f"B{c}-H{n}", head=f"户主{c}-{n}", village=village,
                          group=groups[village.pk][n % GROUPS_PER_VILLAGE], categories=category,
                          size=1 + n % 5)
            )  # fmt: skip
            if category in ("monitored", "alleviated"):
                pairings.append(
                    Pairing(person=cadres[n % len(cadres)], household_id=pk, kind=category,
                            start=start)
                )  # fmt: skip
        writer.write(Household, rows)
        writer.write(Pairing, pairings)
        households_total += count
        households_by_county.append(by_village)
    built["people"] = people_by_county
    built["households"] = households_by_county
    return built


def _accounts(built: dict[str, Any]) -> dict[str, str]:
    from directory.models import OrgUnit, Role
    from directory.services import account_create

    first = built["people"][0]
    county = OrgUnit.objects.get(pk=built["counties"][0])
    township = OrgUnit.objects.get(pk=built["townships"][0][0])
    leader = first["leaders"][0]
    users = {
        "admin": ("b-admin", county, [Role.ADMIN], None),
        "office": ("b-office", county, [Role.PETITION_OFFICE], None),
        "supervisor": ("b-supervisor", county, [Role.SUPERVISOR], None),
        "leader": ("b-leader", county, [Role.LEADER], leader),
        "township": ("b-township", township, [Role.UNIT_STAFF], None),
    }
    for username, unit, roles, person in users.values():
        account_create(username=username, password=PASSWORD, unit=unit, roles=roles, person=person)
    for c, county_pk in enumerate(built["counties"][1:], start=1):  # escalations reach each county
        account_create(
            username=f"b{c}-supervisor",
            password=PASSWORD,
            unit=OrgUnit.objects.get(pk=county_pk),
            roles=[Role.SUPERVISOR],
        )
    return {key: value[0] for key, value in users.items()}


def _day_of(year: int, n: int, count: int, today: dt.date) -> dt.date:
    """The n-th of `count` records of `year`, spread evenly over the year (up to today)."""
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), today)
    span = (last - first).days + 1
    return first + dt.timedelta(days=n * span // count)


def _rule(*ids: str) -> Any:
    from rules.models import Rule

    for rule_id in ids:
        rule = Rule.objects.filter(rule_id=rule_id).first()
        if rule:
            return rule
    return Rule.objects.filter(kind="DEADLINE").order_by("pk").first()


def _records(writer: Writer, spec: Spec, built: dict[str, Any], year: int, today: dt.date) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from petitions.models import Appeal, AppealCategory, Petition, Petitioner
    from proposals.models import Proposal, ProposalAuthor, Session
    from rules.models import Clock
    from visits.models import Visit, VisitHousehold, VisitPerson

    appeal_category, _created = AppealCategory.objects.get_or_create(
        code="bench", defaults={"name": "基准类", "limit_days": 5}
    )
    reply_rule = _rule("TY-O2")
    petition_rule = _rule("NAT-P1", "NAT-1")
    proposal_rule = _rule("TY-S2", "TY-S1")
    types = {m: ContentType.objects.get_for_model(m) for m in (Petition, Appeal, Proposal)}
    visit_kinds = ["household", "household", "household", "grassroots", "research", "village_stay"]
    channels = ["visit", "letter", "phone", "online"]
    categories = ["land", "construction", "labour", "rural"]
    for c, people in enumerate(built["people"]):
        villages, townships = people["villages"], people["townships"]
        departments, cadres = people["departments"], people["cadres"]
        homes = built["households"][c]
        county_pk = built["counties"][c]
        # visits, their people and households
        count = spec.count(PER_YEAR["visits"])
        ids = writer.ids(Visit, count)
        visits, visit_people, visit_homes = [], [], []
        for n, pk in enumerate(ids):
            village = villages[n % len(villages)]
            kind = visit_kinds[n % len(visit_kinds)]
            day = _day_of(year, n, count, today)
            visits.append(
                Visit(pk=pk, date=day, kind=kind, unit=village,
                      days=1 if kind == "village_stay" else 0.5)
            )  # fmt: skip
            visit_people.append(VisitPerson(visit_id=pk, person=cadres[n % len(cadres)], date=day))
            if kind == "household" and homes.get(village.pk):
                in_village = homes[village.pk]
                visit_homes.append(
                    VisitHousehold(
                        visit_id=pk, household_id=in_village[n % len(in_village)], date=day
                    )
                )
        writer.write(Visit, visits)
        writer.write(VisitPerson, visit_people)
        writer.write(VisitHousehold, visit_homes)
        del visits, visit_people, visit_homes
        # petitions, each with a petitioner and a done clock
        count = spec.count(PER_YEAR["petitions"])
        ids = writer.ids(Petition, count)
        rows, petitioners, clocks = [], [], []
        for n, pk in enumerate(ids):
            day = _day_of(year, n, count, today)
            unit = departments[n % len(departments)] if n % 2 else townships[n % len(townships)]
            recent = (today - day).days < 60
            rows.append(
                Petition(pk=pk, ref=f"B{c}-{year}-P{n}", received_on=day, channel=channels[n % 4],
                         summary=f"诉求{n}", content="基准数据", category=categories[n % 4],
                         township=townships[n % len(townships)], receiving_unit_id=county_pk,
                         lead_unit=unit, status="accepted" if recent else "closed",
                         accepted_on=day, routed_on=day,
                         closed_on=None if recent else day + dt.timedelta(days=30),
                         due=day + dt.timedelta(days=60))
            )  # fmt: skip
            petitioners.append(Petitioner(petition_id=pk, name=f"来访人{n}", position=0))
            clocks.append(
                Clock(rule=petition_rule, content_type=types[Petition], object_id=pk,
                      step="answer", unit=unit, start=day, due=day + dt.timedelta(days=60),
                      computation={}, state="open" if recent else "done",
                      done_on=None if recent else day + dt.timedelta(days=30),
                      on_time=None if recent else True)
            )  # fmt: skip
        writer.write(Petition, rows)
        writer.write(Petitioner, petitioners)
        writer.write(Clock, clocks)
        del rows, petitioners, clocks
        # online appeals, each with an open reply clock
        count = spec.count(PER_YEAR["appeals"])
        ids = writer.ids(Appeal, count)
        rows, clocks = [], []
        for n, pk in enumerate(ids):
            day = _day_of(year, n, count, today)
            unit = villages[n % len(villages)] if n % 3 else townships[n % len(townships)]
            due = day + dt.timedelta(days=7)
            received_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, n % 60)))
            rows.append(
                Appeal(pk=pk, ref=f"B{c}-{year}-A{n}", category=appeal_category, text="基准诉求",
                       received_at=received_at, received_on=day, receiving_unit_id=county_pk,
                       limit_days=5, status="assigned", unit=unit, assigned_on=day, due=due)
            )  # fmt: skip
            clocks.append(
                Clock(rule=reply_rule, content_type=types[Appeal], object_id=pk, step="reply",
                      unit=unit, start=day, due=due, computation={}, state="open")
            )  # fmt: skip
        writer.write(Appeal, rows)
        writer.write(Clock, clocks)
        del rows, clocks
        # suggestions of the year's session, each with an author and a done clock
        session = Session.objects.create(
            code=f"B{c}-{year}", name=f"{year}年人代会", body="congress",
            opens=dt.date(year, 1, 10), closes=dt.date(year, 1, 14),
        )  # fmt: skip
        count = spec.count(PER_YEAR["proposals"], minimum=5)
        ids = writer.ids(Proposal, count)
        rows, authors, clocks = [], [], []
        for n, pk in enumerate(ids):
            unit = departments[n % len(departments)]
            rows.append(
                Proposal(pk=pk, ref=f"B{c}-{year}-S{n}", kind="suggestion", session=session,
                         submitted=session.opens, title=f"建议{n}", lead_unit=unit,
                         assigned_on=session.closes, stage="answered")
            )  # fmt: skip
            authors.append(ProposalAuthor(proposal_id=pk, person=cadres[n % len(cadres)]))
            due = session.closes + dt.timedelta(days=90)
            clocks.append(
                Clock(rule=proposal_rule, content_type=types[Proposal], object_id=pk,
                      step="answer", unit=unit, start=session.closes, due=due, computation={},
                      state="done", done_on=due - dt.timedelta(days=10), on_time=True)
            )  # fmt: skip
        writer.write(Proposal, rows)
        writer.write(ProposalAuthor, authors)
        writer.write(Clock, clocks)
