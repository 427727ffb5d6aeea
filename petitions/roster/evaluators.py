"""Compliance of the reception rules, read from the receptions and petitions of this app.

ROSTER rules (TY-R2, TY-R3, HF-R3, DA-R1, DA-R5, TJ-R1): one row per subject (county,
township, unit or person, as the rule's `per` says) per month: required = the slots the rule
and the working-day calendar ask for in the month, actual = those filled by someone holding a
post the rule names (a whole-day duty covers a morning slot). Excused slots (a superior
meeting, where the rule allows it) make a short month `excused`.

DA-R3 (substitution): per county per month, required = reception-centre duties the rostered
leader could not attend (substituted or missed), actual = those covered by a substitute whose
notice was recorded.

QUOTA rules: TY-R1 (a working-day morning at the bureau each month, per leader), HF-R1/R2
(receptions and down-visits carrying cases per year), HF-R4a/b/c (hard cases in charge,
backlog cases resolved, down-visits as a share of cases in charge) and DA-R2 (each duty day of
a leader has 1–3 appointment matters). A quota applies to the holders of the posts its rule
names (HF-R1: the city leaders), whoever else recorded the activity.

Each rule costs one grouped query (plus the calendar and the subject list)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from directory.base import split_codes
from directory.models import OrgUnit, Person
from rules import compliance
from rules.compliance import ComplianceRow, RecordLink, status_for
from rules.models import Rule
from rules.periods import Period, subperiods
from rules.workdays import WorkCalendar

from ..matters.models import Petition
from .models import (
    FILLED_STATUSES,
    Appointment,
    DayPart,
    NoticeKind,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    RosterNotice,
    SpecialPeriod,
)
from .slots import SLOT_KINDS, slots_for

ROSTER_RULES = (
    "TY-R2",
    "TY-R3",
    "HF-R3",
    "DA-R1",
    "DA-R5",
    "TJ-R1",
    # hotline duty (issue 4): public-servant hotline, enterprise day, Saturday hotline
    "TJ-H1a",
    "TJ-H1b",
    "TJ-H1c",
)
SUBSTITUTION_RULES = ("DA-R3",)
QUOTA_RULES = (
    "TY-R1",
    "HF-R1a",
    "HF-R1b",
    "HF-R2a",
    "HF-R2b",
    "HF-R4a",
    "HF-R4b",
    "HF-R4c",
    "DA-R2",
)

#: a quota's `activity` → the kinds of reception that count for it
ACTIVITY_KINDS: dict[str, tuple[str, ...]] = {
    "bureau_sitting": (ReceptionKind.BUREAU_SITTING,),
    "reception": (
        ReceptionKind.BUREAU_SITTING,
        ReceptionKind.OFFICE_DAY,
        ReceptionKind.TOWNSHIP_DUTY,
        ReceptionKind.APPOINTMENT,
    ),
    "case_visit": (ReceptionKind.CASE_VISIT,),
}


def months_in(window: Period) -> list[Period]:
    return [
        m for m in subperiods(window.start.year, "month") if window.start <= m.start <= window.end
    ]


def _month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def _owner_function(per: str) -> Any:
    """Maps a reception's unit path to the unit a per-city / per-county / per-township slot
    belongs to: a sitting recorded at the petition bureau counts for its county (or district),
    a duty recorded at a township's office (or one of its villages) for the township."""
    levels = {"city": OrgUnit.objects.cities, "county": OrgUnit.objects.counties}
    levels["township"] = OrgUnit.objects.townships
    if per not in levels:
        return lambda path: int(path.strip("/").split("/")[-1])
    owners = set(levels[per]().values_list("pk", flat=True))
    return lambda path: next(
        (int(part) for part in path.strip("/").split("/") if part and int(part) in owners), None
    )


def _covers(required_part: str, part: str) -> bool:
    """A whole-day duty covers a morning slot; a morning does not cover a whole-day slot unless
    the rule asks only that someone is on duty that day."""
    return required_part == DayPart.DAY or part in (required_part, DayPart.DAY)


# --- ROSTER -------------------------------------------------------------------------------------------


class _RosterFacts:
    """What the roster rules of one table share: the receptions that fill or excuse a slot
    (of every kind asked, one query), the special periods, the owner maps and slot units."""

    def __init__(self, window: Period, today: dt.date, kinds: set[str]) -> None:
        done = Reception.objects.filter(
            kind__in=sorted(kinds), date__gte=window.start, date__lte=min(window.end, today)
        ).filter(
            Q(status__in=FILLED_STATUSES, person__isnull=False) | Q(status=ReceptionStatus.EXCUSED)
        )
        self.done: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for kind, *row in done.values_list(
            "kind", "unit__path", "person_id", "subject_id", "date", "part", "post", "status",
            "person__posts",
        ):  # fmt: skip
            self.done[kind].append(tuple(row))
        self.special = list(
            SpecialPeriod.objects.filter(start__lte=window.end, end__gte=window.start)
        )
        self.units: dict[str, list[OrgUnit]] = {}
        self._owners: dict[str, Any] = {}

    def owner_function(self, per: str) -> Any:
        if per not in self._owners:
            self._owners[per] = _owner_function(per)
        return self._owners[per]


class RosterEvaluator:
    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The duties behind one row (the dashboards' drill-down)."""
        return _roster_records(rule, subject, period, user)

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        return _roster_records_many(rule, keys, user)

    def records_many_rules(
        self, wanted: Sequence[tuple[Rule, Sequence[tuple[str, str]]]], *, user: Any
    ) -> dict[str, dict[tuple[str, str], list[RecordLink]]]:
        return _roster_records_rules(wanted, user)

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        """The rules share their facts: the receptions of every slot kind in one query, the
        special periods, the owner units and the units with slots once per table."""
        calendar = WorkCalendar.for_batch()
        rules = [rule for rule in rules if rule.param("slot") in SLOT_KINDS]
        if not rules:
            return []
        shared = _RosterFacts(window, today, {SLOT_KINDS[rule.param("slot")] for rule in rules})
        rows: list[ComplianceRow] = []
        for rule in rules:
            rows.extend(self._rule_rows(rule, window, today, calendar, shared))
        return rows

    def _rule_rows(
        self,
        rule: Rule,
        window: Period,
        today: dt.date,
        calendar: WorkCalendar,
        shared: _RosterFacts,
    ) -> list[ComplianceRow]:
        kind = SLOT_KINDS[rule.param("slot")]
        per_person = rule.param("per") == "person"
        posts = rule.subject_post_list
        required_part = rule.param("part_of_day") or DayPart.DAY
        owner_of = shared.owner_function(rule.param("per", "county"))
        filled: set[tuple[Any, ...]] = set()
        excused: set[tuple[Any, ...]] = set()
        for path, person_id, subject_id, day, part, post, status, person_posts in shared.done[kind]:
            if not _covers(required_part, part):
                continue
            if per_person:
                owner = subject_id or person_id
                if status != ReceptionStatus.EXCUSED and person_id != owner:
                    continue  # someone else sat a personal duty: not the subject's
            else:
                owner = owner_of(path)
            if status == ReceptionStatus.EXCUSED:
                excused.add((owner, day, post))
            elif not posts or set(split_codes(person_posts)) & set(posts):
                filled.add((owner, day, post))
        counts: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        names: dict[Any, tuple[str, str]] = {}
        slots = slots_for(
            [rule], window.start, window.end, calendar=calendar, special=shared.special,
            units=shared.units,
        )  # fmt: skip
        for spec in slots:
            owner_obj = spec.subject if per_person else spec.unit
            names[owner_obj.pk] = (owner_obj.code, owner_obj.name)
            key = (owner_obj.pk, spec.date, spec.post)
            tally = counts[(owner_obj.pk, _month_of(spec.date))]
            tally[0] += 1
            tally[1] += key in filled
            tally[2] += key in excused
        return self._rows(rule, counts, names, today)

    @staticmethod
    def _rows(
        rule: Rule,
        counts: dict[tuple[Any, str], list[int]],
        names: dict[Any, tuple[str, str]],
        today: dt.date,
    ) -> list[ComplianceRow]:
        rows = []
        for (owner, month), (required, actual, excused) in sorted(
            counts.items(), key=lambda i: (names[i[0][0]], i[0][1])
        ):
            period = Period.parse(month)
            is_excused = excused > 0 and actual + excused >= required
            code, name = names[owner]
            rows.append(
                ComplianceRow(
                    rule=rule.rule_id,
                    subject=code,
                    subject_name=name,
                    period=month,
                    required=required,
                    actual=actual,
                    status=status_for(required, actual, period, today, excused=is_excused),
                )
            )
        return rows


class SubstitutionEvaluator:
    """DA-R3: every duty the rostered leader could not attend was covered by a notified substitute."""

    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The duties behind one row (the dashboards' drill-down)."""
        return _roster_records(rule, subject, period, user)

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        return _roster_records_many(rule, keys, user)

    def records_many_rules(
        self, wanted: Sequence[tuple[Rule, Sequence[tuple[str, str]]]], *, user: Any
    ) -> dict[str, dict[tuple[str, str], list[RecordLink]]]:
        return _roster_records_rules(wanted, user)

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        rows: list[ComplianceRow] = []
        counties = list(OrgUnit.objects.counties())
        for rule in rules:
            kind = SLOT_KINDS.get(rule.param("slot"), ReceptionKind.BUREAU_SITTING)
            notice = RosterNotice.objects.filter(
                reception=OuterRef("pk"), kind=NoticeKind.SUBSTITUTION
            )
            groups = (
                Reception.objects.filter(kind=kind, date__gte=window.start, date__lte=window.end)
                .filter(Q(substitute_for__isnull=False) | Q(status=ReceptionStatus.ABSENT))
                .annotate(noticed=Exists(notice))
                .values_list("unit__path", "date", "substitute_for_id", "noticed")
            )
            county_of = _owner_function("county")
            tally: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
            for path, day, substituted, noticed in groups:
                counts = tally[(county_of(path), _month_of(day))]
                counts[0] += 1
                counts[1] += bool(substituted and noticed)
            for county in counties:
                for month in months_in(window):
                    required, actual = tally.get((county.pk, month.code), [0, 0])
                    rows.append(
                        ComplianceRow(
                            rule.rule_id,
                            county.code,
                            county.name,
                            month.code,
                            required,
                            actual,
                            status_for(required, actual, month, today),
                        )
                    )
        return rows


# --- QUOTA --------------------------------------------------------------------------------------------


class _Holders:
    """The facts the quota rules of one table share: the holders of their posts (nobody
    else, whoever recorded the activity), read in one query and picked per rule by its posts,
    and the receptions they count."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        posts = sorted({post for rule in rules for post in rule.subject_post_list})
        people = list(Person.objects.with_post(*posts).order_by("code")) if posts else []
        self.people = [(person, frozenset(split_codes(person.posts))) for person in people]
        self._receptions: list[tuple[Any, ...]] | None = None
        self._petitions: list[tuple[Any, ...]] | None = None

    def of(self, rule: Rule) -> list[Person]:
        posts = frozenset(rule.subject_post_list)
        return [person for person, held in self.people if held & posts]

    def receptions(self, window: Period, today: dt.date) -> list[tuple[Any, ...]]:
        """(kind, person, date, part) of the effective receptions of every activity kind in
        the window, read once for all the rules counting them."""
        if self._receptions is None:
            kinds = sorted({kind for found in ACTIVITY_KINDS.values() for kind in found})
            self._receptions = list(
                Reception.objects.effective(today)
                .filter(kind__in=kinds, date__gte=window.start, date__lte=window.end)
                .values_list("kind", "person_id", "date", "part")
            )
        return self._receptions

    def petitions(self, window: Period) -> list[tuple[Any, ...]]:
        """(leader in charge, charged on, closed on, backlog) of the petitions charged in the
        window and of the backlog cases closed in it, read once for all the rules counting
        them."""
        if self._petitions is None:
            in_window = Q(charged_on__gte=window.start, charged_on__lte=window.end)
            closed = Q(is_backlog=True, closed_on__gte=window.start, closed_on__lte=window.end)
            self._petitions = list(
                Petition.objects.filter(in_window | closed)
                .exclude(charge_leader=None)
                .values_list("charge_leader_id", "charged_on", "closed_on", "is_backlog")
            )
        return self._petitions


class QuotaEvaluator:
    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The receptions (or, for cases in charge, the petitions by reference) behind one row,
        as far as `user` may see them."""
        return _quota_records(rule, subject, period, user)

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        return _quota_records_many(rule, keys, user)

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        calendar = WorkCalendar.for_batch()
        holders = _Holders(rules)
        rows: list[ComplianceRow] = []
        for rule in rules:
            activity = rule.param("activity")
            if activity == "appointment":
                rows.extend(self._appointments(rule, window, today, holders))
            elif rule.param("percent") is not None and rule.param("percent_of"):
                rows.extend(self._share(rule, window, today, holders))
            elif activity in ("charged_case", "backlog_case_resolved"):
                rows.extend(self._petition_counts(rule, window, today, holders))
            elif activity in ACTIVITY_KINDS:
                rows.extend(self._reception_counts(rule, window, today, calendar, holders))
        return rows

    # Receptions per person per period (TY-R1 monthly; HF-R1/R2 yearly).
    def _reception_counts(
        self,
        rule: Rule,
        window: Period,
        today: dt.date,
        calendar: WorkCalendar,
        holders: _Holders,
    ) -> list[ComplianceRow]:
        qualifiers = set(rule.param("qualifiers", []) or [])
        kinds = set(ACTIVITY_KINDS[rule.param("activity")])
        mornings = "morning" in qualifiers
        counts: Counter[tuple[int, str]] = Counter()
        for kind, person_id, day, part in holders.receptions(window, today):
            if kind not in kinds or (mornings and part not in (DayPart.AM, DayPart.DAY)):
                continue
            if "workday" in qualifiers and not calendar.is_workday(day):
                continue
            counts[(person_id, self._period_code(rule, day))] += 1
        need = int(rule.param("count") or 0)
        return self._person_rows(rule, window, today, counts, need, holders)

    def _petition_counts(
        self, rule: Rule, window: Period, today: dt.date, holders: _Holders
    ) -> list[ComplianceRow]:
        charged = rule.param("activity") == "charged_case"
        counts: Counter[tuple[int, str]] = Counter()
        for person_id, charged_on, closed_on, backlog in holders.petitions(window):
            day = charged_on if charged else closed_on
            if (charged or backlog) and day is not None and window.start <= day <= window.end:
                counts[(person_id, self._period_code(rule, day))] += 1
        need = int(rule.param("count") or 0)
        return self._person_rows(rule, window, today, counts, need, holders)

    def _share(
        self, rule: Rule, window: Period, today: dt.date, holders: _Holders
    ) -> list[ComplianceRow]:
        """HF-R4c: down-visits carrying cases ≥ percent of the cases in the leader's charge."""
        base = Counter(
            person_id
            for person_id, charged_on, _closed, _backlog in holders.petitions(window)
            if charged_on is not None and window.start <= charged_on <= window.end
        )
        kinds = set(ACTIVITY_KINDS.get(rule.param("activity"), ()))
        visits = Counter(
            person_id
            for kind, person_id, _day, _part in holders.receptions(window, today)
            if kind in kinds
        )
        percent = Decimal(str(rule.param("percent")))
        rows = []
        for person in holders.of(rule):
            required = math.ceil(percent * base.get(person.pk, 0) / 100)
            actual = visits.get(person.pk, 0)
            rows.append(
                ComplianceRow(
                    rule.rule_id,
                    person.code,
                    person.name,
                    window.code,
                    required,
                    actual,
                    status_for(required, actual, window, today),
                )
            )
        return rows

    def _appointments(
        self, rule: Rule, window: Period, today: dt.date, holders: _Holders
    ) -> list[ComplianceRow]:
        """DA-R2: each of a leader's duty days at the centre has 1–3 appointment matters."""
        low, high = int(rule.param("count") or 1), rule.param("max_count")
        duties = Reception.objects.effective(today).filter(
            kind=ReceptionKind.BUREAU_SITTING, date__gte=window.start, date__lte=window.end
        )
        matters = dict(
            Appointment.objects.filter(reception__in=duties)
            .annotate(n=Count("matters"))
            .values_list("reception_id", "n")
        )
        required: Counter[tuple[int, str]] = Counter()
        actual: Counter[tuple[int, str]] = Counter()
        for pk, person_id, day in duties.values_list("pk", "person_id", "date"):
            key = (person_id, _month_of(day))
            required[key] += 1
            n = matters.get(pk, 0)
            actual[key] += low <= n and (high is None or n <= int(high))
        rows = []
        people = {p.pk: p for p in holders.of(rule)}
        for (person_id, month), need in sorted(required.items()):
            person = people.get(person_id)
            if person is None:
                continue
            rows.append(
                ComplianceRow(
                    rule.rule_id,
                    person.code,
                    person.name,
                    month,
                    need,
                    actual[(person_id, month)],
                    status_for(need, actual[(person_id, month)], Period.parse(month), today),
                )
            )
        return rows

    # helpers

    @staticmethod
    def _period_code(rule: Rule, day: dt.date) -> str:
        return _month_of(day) if rule.period == "month" else str(day.year)

    def _person_rows(
        self,
        rule: Rule,
        window: Period,
        today: dt.date,
        counts: Counter[tuple[int, str]],
        need: int,
        holders: _Holders,
    ) -> list[ComplianceRow]:
        periods = months_in(window) if rule.period == "month" else [window]
        rows = []
        for person in holders.of(rule):
            for period in periods:
                actual = counts.get((person.pk, period.code), 0)
                rows.append(
                    ComplianceRow(
                        rule.rule_id,
                        person.code,
                        person.name,
                        period.code,
                        need,
                        actual,
                        status_for(need, actual, period, today),
                    )
                )
        return rows


compliance.register(RosterEvaluator(), rule_ids=ROSTER_RULES)
compliance.register(SubstitutionEvaluator(), rule_ids=SUBSTITUTION_RULES)
compliance.register(QuotaEvaluator(), rule_ids=QUOTA_RULES)


# --- drill-down: the records behind one row (rules.compliance RecordLink) ---------------------------


MAX_RECEPTIONS = 500
MAX_PETITIONS = 200


def _reception_link(r: Reception) -> RecordLink:
    from django.urls import reverse

    return RecordLink(
        label=f"{r.date:%Y-%m-%d} {r.get_part_display()} {r.person.name if r.person else '—'}",
        url=reverse("reception-detail", args=[r.pk]),
        date=r.date,
        late=r.status == ReceptionStatus.ABSENT or r.person_id is None,
        note=f"{r.get_kind_display()} · {r.unit.name} · {r.get_status_display()}",
    )


def _reception_links(receptions: Any) -> list[RecordLink]:
    ordered = receptions.select_related("person", "unit").order_by("date", "part")
    return [_reception_link(r) for r in ordered[:MAX_RECEPTIONS]]


def _windows(keys: Sequence[tuple[str, str]]) -> dict[str, Period]:
    return {p: w for _s, p in keys if (w := _period_bounds(p)) is not None}


def _spread(
    keys: Sequence[tuple[str, str]],
    windows: dict[str, Period],
    records: Iterable[tuple[set[str], dt.date, RecordLink]],
    limit: int,
) -> dict[tuple[str, str], list[RecordLink]]:
    """Records (each with the subjects it belongs to and its date) handed to the rows whose
    subject and period they fall in, at most `limit` a row, in the order given."""
    wanted = {(s, p) for s, p in keys if p in windows}
    result: dict[tuple[str, str], list[RecordLink]] = defaultdict(list)
    periods = set(windows.items())
    for subjects, day, link in records:
        for period, window in periods:
            if not window.start <= day <= window.end:
                continue
            for subject in subjects:
                found = result[(subject, period)]
                if (subject, period) in wanted and len(found) < limit:
                    found.append(link)
    return dict(result)


RowKeys = Sequence[tuple[str, str]]


def _roster_records_many(
    rule: Rule, keys: RowKeys, user: Any
) -> dict[tuple[str, str], list[RecordLink]]:
    """`_roster_records` for many rows in one query over the periods' span."""
    return _roster_records_rules([(rule, keys)], user).get(rule.rule_id, {})


def _roster_records_rules(
    wanted: Sequence[tuple[Rule, RowKeys]], user: Any
) -> dict[str, dict[tuple[str, str], list[RecordLink]]]:
    """`_roster_records_many` of many rules by rule id: the subjects' units in one query, the
    receptions of every rule's kind over the span of all their periods in another (each rule
    then keeps its kind, its subjects and its periods)."""
    asked = []
    for rule, keys in wanted:
        windows = _windows(keys)
        kind = SLOT_KINDS.get(rule.param("slot"))
        if windows and kind is not None:
            subjects = {s for s, p in keys if p in windows}
            asked.append((rule, keys, windows, kind, subjects, rule.param("per") == "person"))
    if not asked:
        return {}
    people = {code for *_head, subjects, personal in asked if personal for code in subjects}
    unit_codes = {code for *_head, subjects, personal in asked if not personal for code in subjects}
    paths = (
        dict(OrgUnit.objects.filter(code__in=unit_codes).values_list("code", "path"))
        if unit_codes
        else {}
    )
    whose = Q()
    if people:
        whose |= Q(subject__code__in=people) | Q(subject=None, person__code__in=people)
    for path in sorted(set(paths.values())):
        whose |= Q(unit__path__startswith=path)
    if not whose:
        return {}
    spans = [w for _rule, _keys, windows, *_tail in asked for w in windows.values()]
    receptions = list(
        Reception.objects.visible_to(user)
        .filter(
            kind__in=sorted({kind for _r, _k, _w, kind, *_tail in asked}),
            date__gte=min(w.start for w in spans),
            date__lte=max(w.end for w in spans),
        )
        .filter(whose)
        .select_related("person", "unit", "subject")
        .order_by("date", "part")
    )
    found = {}
    for rule, keys, windows, kind, subjects, personal in asked:
        if personal:

            def owners(r: Reception) -> set[str]:
                if r.subject_id:
                    return {r.subject.code}
                return {r.person.code} if r.person_id else set()

        else:
            units = {paths[code]: code for code in subjects if code in paths}

            def owners(r: Reception, units: dict[str, str] = units) -> set[str]:
                return {code for path, code in units.items() if r.unit.path.startswith(path)}

        found[rule.rule_id] = _spread(
            keys,
            windows,
            ((owners(r), r.date, _reception_link(r)) for r in receptions if r.kind == kind),
            MAX_RECEPTIONS,
        )
    return found


def _quota_records_many(
    rule: Rule, keys: Sequence[tuple[str, str]], user: Any
) -> dict[tuple[str, str], list[RecordLink]]:
    """`_quota_records` for many rows in one query over the periods' span."""
    from django.urls import reverse

    windows = _windows(keys)
    if not windows:
        return {}
    subjects = {s for s, p in keys if p in windows}
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    activity = rule.param("activity")
    if activity in ("charged_case", "backlog_case_resolved") or rule.param("percent_of"):
        petitions = Petition.objects.visible_to(user).filter(charge_leader__code__in=subjects)
        on = "closed_on" if activity == "backlog_case_resolved" else "charged_on"
        if activity == "backlog_case_resolved":
            petitions = petitions.filter(is_backlog=True)
        petitions = petitions.filter(**{f"{on}__range": (start, end)})
        rows = petitions.order_by("charged_on").values_list(
            "pk", "ref", "charged_on", on, "charge_leader__code"
        )
        # the reference only: a drill-down never shows who petitioned
        return _spread(
            keys,
            windows,
            (
                ({leader}, day, RecordLink(label=ref, url=reverse("petition-detail", args=[pk]), date=charged))
                for pk, ref, charged, day, leader in rows
            ),
            MAX_PETITIONS,
        )  # fmt: skip
    kinds = ACTIVITY_KINDS.get(activity, (ReceptionKind.BUREAU_SITTING,))
    receptions = Reception.objects.visible_to(user).filter(
        kind__in=kinds, person__code__in=subjects, date__gte=start, date__lte=end
    )
    ordered = receptions.select_related("person", "unit").order_by("date", "part")
    return _spread(
        keys,
        windows,
        (({r.person.code}, r.date, _reception_link(r)) for r in ordered),
        MAX_RECEPTIONS,
    )


def _period_bounds(period: str) -> Period | None:
    try:
        return Period.parse(period)
    except (ValueError, IndexError):
        return None


def _roster_records(rule: Rule, subject: str, period: str, user: Any) -> list[RecordLink]:
    window = _period_bounds(period)
    kind = SLOT_KINDS.get(rule.param("slot"))
    if window is None or kind is None:
        return []
    receptions = Reception.objects.visible_to(user).filter(
        kind=kind, date__gte=window.start, date__lte=window.end
    )
    if rule.param("per") == "person":
        receptions = receptions.filter(
            Q(subject__code=subject) | Q(subject=None, person__code=subject)
        )
    else:
        unit = OrgUnit.objects.filter(code=subject).first()
        if unit is None:
            return []
        receptions = receptions.filter(unit__path__startswith=unit.path)
    return _reception_links(receptions)


def _quota_records(rule: Rule, subject: str, period: str, user: Any) -> list[RecordLink]:
    from django.urls import reverse

    window = _period_bounds(period)
    if window is None:
        return []
    activity = rule.param("activity")
    if activity in ("charged_case", "backlog_case_resolved") or rule.param("percent_of"):
        petitions = Petition.objects.visible_to(user).filter(charge_leader__code=subject)
        if activity == "backlog_case_resolved":
            petitions = petitions.filter(
                is_backlog=True, closed_on__range=(window.start, window.end)
            )
        else:
            petitions = petitions.filter(charged_on__range=(window.start, window.end))
        # the reference only: a drill-down never shows who petitioned
        return [
            RecordLink(label=p.ref, url=reverse("petition-detail", args=[p.pk]), date=p.charged_on)
            for p in petitions.order_by("charged_on")[:MAX_PETITIONS]
        ]
    kinds = ACTIVITY_KINDS.get(activity, (ReceptionKind.BUREAU_SITTING,))
    receptions = Reception.objects.visible_to(user).filter(
        kind__in=kinds, person__code=subject, date__gte=window.start, date__lte=window.end
    )
    return _reception_links(receptions)
