"""Reads that span models: a cadre's households with their due dates, aid progress, a
household's file, and the problem analyses grouped by village and kind."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, QuerySet, Subquery

from directory.models import OrgUnit, Person
from rules.models import Clock, ClockState, Rule
from visits.facts import IN_PERSON_KINDS, household_contacts, last_contacts

from .evaluators import aid_minimum, aid_totals
from .models import HouseholdEvent, Pairing, Problem, ProblemCategory
from .rhythm import Rhythm, next_due, period_of, rhythms


@dataclass
class HouseholdRow:
    pairing: Pairing
    rhythm: Rhythm
    last_contact: dt.date | None
    next_due: dt.date
    today: dt.date
    clocks: list[Clock] = field(default_factory=list)

    @property
    def household(self) -> Any:
        return self.pairing.household

    @property
    def overdue(self) -> bool:
        return self.next_due < self.today

    @property
    def musts_clock(self) -> Clock | None:
        """The four-musts clock due first."""
        return min(self.clocks, key=lambda c: (c.due, c.pk), default=None)

    @property
    def musts_due(self) -> dt.date | None:
        return self.musts_clock.due if self.musts_clock else None

    @property
    def musts_overdue(self) -> bool:
        return any(c.is_overdue(self.today) for c in self.clocks)

    @property
    def attention(self) -> bool:
        """Listed among the overdue: contact overdue or a four-musts visit overdue."""
        return self.overdue or self.musts_overdue


def _open_musts(person: Person, household_ids: list[int]) -> dict[int, list[Clock]]:
    """Open four-musts clocks of the person on these households, in one query."""
    events = HouseholdEvent.objects.filter(household_id__in=household_ids)
    clocks = (
        Clock.objects.filter(
            state=ClockState.OPEN,
            content_type=ContentType.objects.get_for_model(HouseholdEvent),
            object_id__in=events.values("pk"),
            person=person,
        )
        .annotate(
            household_id=Subquery(
                events.filter(pk=OuterRef("object_id")).values("household_id")[:1]
            )
        )
        .order_by("due", "pk")
    )
    found: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        found[clock.household_id].append(clock)
    return found


def my_households(person: Person, today: dt.date) -> list[HouseholdRow]:
    """The person's pairings in force today, overdue first, then by when contact is due."""
    pairings = list(
        Pairing.objects.in_force(today)
        .filter(person=person)
        .select_related("household__village", "household__group")
        .order_by("pk")
    )
    if not pairings:
        return []
    by_kind = rhythms()
    ids = [p.household_id for p in pairings]
    any_contact = last_contacts([person.pk], ids, before=today)
    in_person = last_contacts([person.pk], ids, kinds=IN_PERSON_KINDS, before=today)
    musts = _open_musts(person, ids)
    rows = []
    for pairing in pairings:
        rhythm = by_kind[pairing.kind]
        last = (any_contact if rhythm.calls_count else in_person).get(
            (person.pk, pairing.household_id)
        )
        due = next_due(pairing, last, rhythm)
        rows.append(
            HouseholdRow(pairing, rhythm, last, due, today, musts.get(pairing.household_id, []))
        )
    rows.sort(
        key=lambda r: (
            not r.attention,
            min(r.next_due, r.musts_due or dt.date.max),
            r.household.code,
        )
    )
    return rows


@dataclass(frozen=True)
class AidProgress:
    year: int
    required: Decimal | None
    given: Decimal

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.given * 100 / self.required))

    @property
    def met(self) -> bool:
        return self.required is not None and self.given >= self.required


def aid_progress(person: Person, year: int) -> AidProgress:
    rule = Rule.objects.active().filter(rule_id="CP-A4").first()
    required = aid_minimum(rule, person) if rule else None
    given = aid_totals([person.pk], dt.date(year, 1, 1), dt.date(year, 12, 31)).get(
        person.pk, Decimal("0.00")
    )
    return AidProgress(year, required, given)


def current_period_contacts(
    pairings: list[Pairing], today: dt.date, by_kind: dict[str, Rhythm]
) -> dict[tuple[int, int], list]:
    """Contacts this period for each pairing (one facts call) — for the household file."""
    if not pairings:
        return {}
    start = min(period_of(today, by_kind[p.kind].period).start for p in pairings)
    return household_contacts(
        {p.person_id for p in pairings}, {p.household_id for p in pairings}, start, today
    )


# --- problem analyses ---------------------------------------------------------------------------


@dataclass
class VillageGroup:
    village: OrgUnit
    counts: dict[str, int]
    total: int


def problem_groups(problems: QuerySet[Problem]) -> tuple[list[VillageGroup], dict[str, int]]:
    """Open problems per village and kind (one grouped query and one for the villages)."""
    rows = problems.still_open().values("village_id", "category").annotate(n=Count("pk")).order_by()
    per_village: dict[int, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        per_village[row["village_id"]][row["category"]] = row["n"]
        totals[row["category"]] += row["n"]
    villages = OrgUnit.objects.in_bulk(list(per_village))
    groups = [
        VillageGroup(villages[pk], counts, sum(counts.values()))
        for pk, counts in per_village.items()
        if pk in villages
    ]
    groups.sort(key=lambda g: g.village.path)
    return groups, dict(totals)


def categories_in(totals: dict[str, int]) -> list[tuple[str, str]]:
    """The problem kinds that occur, in their declared order, with their labels."""
    return [(value, str(label)) for value, label in ProblemCategory.choices if value in totals]
