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


class RosterEvaluator:
    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The duties behind one row (the dashboards' drill-down)."""
        return _roster_records(rule, subject, period, user)

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        calendar = WorkCalendar()
        rows: list[ComplianceRow] = []
        for rule in rules:
            if rule.param("slot") not in SLOT_KINDS:
                continue
            rows.extend(self._rule_rows(rule, window, today, calendar))
        return rows

    def _rule_rows(
        self, rule: Rule, window: Period, today: dt.date, calendar: WorkCalendar
    ) -> list[ComplianceRow]:
        kind = SLOT_KINDS[rule.param("slot")]
        per_person = rule.param("per") == "person"
        posts = rule.subject_post_list
        required_part = rule.param("part_of_day") or DayPart.DAY
        owner_of = _owner_function(rule.param("per", "county"))
        # One query: the receptions of this kind that fill or excuse a slot.
        done = Reception.objects.filter(
            kind=kind, date__gte=window.start, date__lte=min(window.end, today)
        ).filter(
            Q(status__in=FILLED_STATUSES, person__isnull=False) | Q(status=ReceptionStatus.EXCUSED)
        )
        filled: set[tuple[Any, ...]] = set()
        excused: set[tuple[Any, ...]] = set()
        for path, person_id, subject_id, day, part, post, status, person_posts in done.values_list(
            "unit__path",
            "person_id",
            "subject_id",
            "date",
            "part",
            "post",
            "status",
            "person__posts",
        ):
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
        for spec in slots_for([rule], window.start, window.end, calendar=calendar):
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


class QuotaEvaluator:
    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """The receptions (or, for cases in charge, the petitions by reference) behind one row,
        as far as `user` may see them."""
        return _quota_records(rule, subject, period, user)

    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        calendar = WorkCalendar()
        rows: list[ComplianceRow] = []
        for rule in rules:
            activity = rule.param("activity")
            if activity == "appointment":
                rows.extend(self._appointments(rule, window, today))
            elif rule.param("percent") is not None and rule.param("percent_of"):
                rows.extend(self._share(rule, window, today))
            elif activity in ("charged_case", "backlog_case_resolved"):
                rows.extend(self._petition_counts(rule, window, today))
            elif activity in ACTIVITY_KINDS:
                rows.extend(self._reception_counts(rule, window, today, calendar))
        return rows

    # Receptions per person per period (TY-R1 monthly; HF-R1/R2 yearly).
    def _reception_counts(
        self, rule: Rule, window: Period, today: dt.date, calendar: WorkCalendar
    ) -> list[ComplianceRow]:
        qualifiers = set(rule.param("qualifiers", []) or [])
        receptions = Reception.objects.effective(today).filter(
            kind__in=ACTIVITY_KINDS[rule.param("activity")],
            date__gte=window.start,
            date__lte=window.end,
        )
        if "morning" in qualifiers:
            receptions = receptions.filter(part__in=(DayPart.AM, DayPart.DAY))
        counts: Counter[tuple[int, str]] = Counter()
        for person_id, day in receptions.values_list("person_id", "date"):
            if "workday" in qualifiers and not calendar.is_workday(day):
                continue
            counts[(person_id, self._period_code(rule, day))] += 1
        return self._person_rows(rule, window, today, counts, int(rule.param("count") or 0))

    def _petition_counts(self, rule: Rule, window: Period, today: dt.date) -> list[ComplianceRow]:
        if rule.param("activity") == "charged_case":
            petitions = Petition.objects.filter(
                charged_on__gte=window.start, charged_on__lte=window.end
            )
            date_field = "charged_on"
        else:
            petitions = Petition.objects.filter(
                is_backlog=True, closed_on__gte=window.start, closed_on__lte=window.end
            )
            date_field = "closed_on"
        counts: Counter[tuple[int, str]] = Counter()
        for person_id, day in petitions.exclude(charge_leader=None).values_list(
            "charge_leader_id", date_field
        ):
            counts[(person_id, self._period_code(rule, day))] += 1
        return self._person_rows(rule, window, today, counts, int(rule.param("count") or 0))

    def _share(self, rule: Rule, window: Period, today: dt.date) -> list[ComplianceRow]:
        """HF-R4c: down-visits carrying cases ≥ percent of the cases in the leader's charge."""
        base = Counter(
            dict(
                Petition.objects.filter(charged_on__gte=window.start, charged_on__lte=window.end)
                .exclude(charge_leader=None)
                .values_list("charge_leader_id")
                .annotate(n=Count("pk"))
                .values_list("charge_leader_id", "n")
            )
        )
        visits = Counter(
            dict(
                Reception.objects.effective(today)
                .filter(
                    kind__in=ACTIVITY_KINDS.get(rule.param("activity"), ()),
                    date__gte=window.start,
                    date__lte=window.end,
                )
                .values_list("person_id")
                .annotate(n=Count("pk"))
                .values_list("person_id", "n")
            )
        )
        percent = Decimal(str(rule.param("percent")))
        rows = []
        for person in self._subjects(rule):
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

    def _appointments(self, rule: Rule, window: Period, today: dt.date) -> list[ComplianceRow]:
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
        people = {p.pk: p for p in self._subjects(rule)}
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

    @staticmethod
    def _subjects(rule: Rule) -> list[Person]:
        """The holders of the rule's posts: nobody else, whoever recorded the activity."""
        posts = rule.subject_post_list
        if not posts:
            return []
        return list(Person.objects.with_post(*posts).order_by("code"))

    def _person_rows(
        self,
        rule: Rule,
        window: Period,
        today: dt.date,
        counts: Counter[tuple[int, str]],
        need: int,
    ) -> list[ComplianceRow]:
        periods = months_in(window) if rule.period == "month" else [window]
        rows = []
        for person in self._subjects(rule):
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


def _reception_links(receptions: Any) -> list[RecordLink]:
    from django.urls import reverse

    return [
        RecordLink(
            label=f"{r.date:%Y-%m-%d} {r.get_part_display()} {r.person.name if r.person else '—'}",
            url=reverse("reception-detail", args=[r.pk]),
            date=r.date,
            late=r.status == ReceptionStatus.ABSENT or r.person_id is None,
            note=f"{r.get_kind_display()} · {r.unit.name} · {r.get_status_display()}",
        )
        for r in receptions.select_related("person", "unit").order_by("date", "part")[:500]
    ]


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
            for p in petitions.order_by("charged_on")[:200]
        ]
    kinds = ACTIVITY_KINDS.get(activity, (ReceptionKind.BUREAU_SITTING,))
    receptions = Reception.objects.visible_to(user).filter(
        kind__in=kinds, person__code=subject, date__gte=window.start, date__lte=window.end
    )
    return _reception_links(receptions)
