"""Visit facts for other apps: the one way to read who visited or called which household, when.

Other apps (assistance's pairing coverage, "my households", the four-musts clocks) read visits
through these functions, never through the visits tables. Every function answers for whole sets
in ONE query, whatever the number of people and households; `person_ids` and `household_ids`
may be lists of primary keys or querysets of them (`.values("pk")`), which become subqueries.

Kinds (`visits.models.VisitKind`): grassroots, household, village_stay, research, enterprise,
contact_point, policy_talk, expert_talk, call. `IN_PERSON_KINDS` is every kind but a call; pass
`kinds=IN_PERSON_KINDS` when only a face-to-face visit counts (CP-A2b), and leave `kinds` empty
when a call counts as contact too (CP-A2a). Deleted visits never count.

    household_contacts(person_ids, household_ids, start, end, kinds=())
        -> {(person_id, household_id): [Contact(date, kind, visit_id), ...]}  (dates ascending)
        Every visit and call in [start, end] (inclusive) by one of the people to one of the
        households. A pair without contact is absent.

    last_contacts(person_ids, household_ids, kinds=(), before=None)
        -> {(person_id, household_id): date of the latest contact}  (on or before `before`)

    household_diary(household_ids, start=None, end=None)
        -> {household_id: [DiaryEntry(date, kind, visit_id, people, heard), ...]}  (newest first)
        What was heard on the visits to each household (the 民情日记), with the names of the
        people who made the visit.

To record a visit or a call, call `visits.services.visit_save(visit=Visit(...), people=[...],
households=[...], acting_user=user)`; `visits.signals.visit_saved` is sent after it commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, QuerySet

from directory.models import Household, Person

from .models import IN_PERSON_KINDS, VisitHousehold, VisitKind

__all__ = [
    "IN_PERSON_KINDS",
    "Contact",
    "DiaryEntry",
    "VisitKind",
    "household_contacts",
    "household_diary",
    "last_contacts",
]

Ids = Iterable[int] | QuerySet


@dataclass(frozen=True)
class Contact:
    date: dt.date
    kind: str
    visit_id: int


@dataclass(frozen=True)
class DiaryEntry:
    date: dt.date
    kind: str
    visit_id: int
    people: tuple[str, ...]
    heard: str


def _ids(value: Ids) -> Any:
    return value if isinstance(value, QuerySet) else list(value)


def _among(model: Any, path: str, ids: Ids) -> Exists:
    """`path` is one of `ids`, as a correlated EXISTS: with `path IN (...)` over thousands of
    ids, SQLite (without table statistics) looks every id up for every row."""
    return Exists(model.all_objects.filter(pk=OuterRef(path), pk__in=_ids(ids)))


def _pairs(person_ids: Ids, household_ids: Ids, kinds: Iterable[str]) -> QuerySet:
    """Rows (person, household, visit) of live visits, one per person of each visit."""
    rows = VisitHousehold.objects.live().filter(
        _among(Household, "household_id", household_ids),
        _among(Person, "visit__participants__person_id", person_ids),
    )
    kinds = list(kinds)
    if kinds:
        rows = rows.filter(visit__kind__in=kinds)
    return rows


def household_contacts(
    person_ids: Ids,
    household_ids: Ids,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str] = (),
) -> dict[tuple[int, int], list[Contact]]:
    rows = (
        _pairs(person_ids, household_ids, kinds)
        # the rows' own (copied) dates first: the window's rows are read by index
        .filter(date__gte=start, date__lte=end, visit__date__gte=start, visit__date__lte=end)
        .values_list(
            "visit__participants__person_id",
            "household_id",
            "visit__date",
            "visit__kind",
            "visit_id",
        )
        .order_by("visit__date", "visit_id")
    )
    result: dict[tuple[int, int], list[Contact]] = defaultdict(list)
    for person_id, household_id, day, kind, visit_id in rows:
        result[(person_id, household_id)].append(Contact(day, kind, visit_id))
    return dict(result)


def last_contacts(
    person_ids: Ids,
    household_ids: Ids,
    kinds: Iterable[str] = (),
    before: dt.date | None = None,
) -> dict[tuple[int, int], dt.date]:
    rows = _pairs(person_ids, household_ids, kinds)
    if before is not None:
        rows = rows.filter(visit__date__lte=before)
    grouped = (
        rows.values(person=F("visit__participants__person_id"), hh=F("household_id"))
        .annotate(last=Max("visit__date"))
        .order_by()
    )
    return {(row["person"], row["hh"]): row["last"] for row in grouped}


def household_diary(
    household_ids: Ids, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, list[DiaryEntry]]:
    rows = VisitHousehold.objects.live().filter(_among(Household, "household_id", household_ids))
    if start is not None:
        rows = rows.filter(visit__date__gte=start)
    if end is not None:
        rows = rows.filter(visit__date__lte=end)
    values = rows.values_list(
        "household_id",
        "visit_id",
        "visit__date",
        "visit__kind",
        "visit__heard",
        "visit__participants__person__name",
    ).order_by("-visit__date", "-visit_id", "visit__participants__person__name")
    entries: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for household_id, visit_id, day, kind, heard, name in values:
        entry = entries[household_id].setdefault(
            visit_id, {"date": day, "kind": kind, "heard": heard, "people": []}
        )
        if name and name not in entry["people"]:
            entry["people"].append(name)
    return {
        household_id: [
            DiaryEntry(e["date"], e["kind"], visit_id, tuple(e["people"]), e["heard"])
            for visit_id, e in by_visit.items()
        ]
        for household_id, by_visit in entries.items()
    }
