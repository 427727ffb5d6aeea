"""Writes of the visits app: a visit with its people and households, a day's round, meetings.

Other apps that log a visit or a call (assistance's "my households") call `visit_save` too;
`visit_saved` (visits.signals) is sent once the transaction commits, with the visit's id, its
people and its households, so that an app can close its own clocks without visits knowing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from directory.base import validated_save
from directory.bulk import create_with_history
from directory.models import Household, OrgUnit, Person, UnitKind
from directory.plausible import check_plausible

from .models import Meeting, Visit, VisitHousehold, VisitKind, VisitPerson
from .signals import visit_saved


def _check_households(
    visit: Visit,
    households: Sequence[Household],
    villages: Mapping[int, OrgUnit] | None = None,
) -> None:
    """Households are picked from the place's villages: a household elsewhere would count
    toward a village the leader never went to. `villages` (by id) saves the query when the
    caller has them already."""
    if not households:
        return
    if visit.kind == VisitKind.CALL:
        return  # a call reaches a household wherever the visit is filed
    area = visit.households_area()
    if area is None or area.kind == UnitKind.DEPARTMENT:
        raise ValidationError(
            {"households": _("Households can only be picked for a township or village.")}
        )
    village_ids = {h.village_id for h in households}
    if villages is None or not village_ids <= set(villages):
        villages = OrgUnit.objects.in_bulk(village_ids)
    outside = [h for h in households if not villages[h.village_id].path.startswith(area.path)]
    if outside:
        raise ValidationError(
            {
                "households": _("Not in %(place)s: %(names)s.")
                % {"place": area.name, "names": "、".join(h.head for h in outside)}
            }
        )


def _sync(visit: Visit, model: Any, field_name: str, wanted: Sequence[Any], reason: str) -> None:
    """Make the visit's through rows match `wanted`, writing history for each change."""
    current = {getattr(row, f"{field_name}_id"): row for row in model.objects.filter(visit=visit)}
    wanted_ids = [obj.pk for obj in wanted]
    for pk, row in current.items():
        if pk not in wanted_ids:
            row._change_reason = reason
            row.delete()
    for pk in wanted_ids:
        if pk not in current:
            row = model(visit=visit, **{f"{field_name}_id": pk})
            row._change_reason = reason
            row.save()


@transaction.atomic
def visit_save(
    *,
    visit: Visit,
    people: Sequence[Person],
    households: Sequence[Household] = (),
    acting_user: Any = None,
    reason: str = "",
) -> Visit:
    """Create or update a visit with its people and households."""
    if not people:
        raise ValidationError({"people": _("Name at least one person who made the visit.")})
    if visit.kind == VisitKind.CALL:
        visit.days = Decimal(0)
    created = visit.pk is None
    if created and acting_user is not None and getattr(acting_user, "pk", None):
        visit.recorded_by = acting_user
    visit.full_clean()
    check_plausible(visit)  # a visit of 1800, 99,999,999,999 people travelling along
    _check_households(visit, households)
    reason = reason or ("visit recorded" if created else "visit edited")
    if acting_user is not None and getattr(acting_user, "pk", None):
        visit._history_user = acting_user  # type: ignore[attr-defined]
    visit._change_reason = reason  # type: ignore[attr-defined]
    visit.save()
    _sync(visit, VisitPerson, "person", list(dict.fromkeys(people)), reason)
    _sync(visit, VisitHousehold, "household", list(dict.fromkeys(households)), reason)
    # The rows carry the visit's date (a copy, no history of its own): move it with the visit.
    for model in (VisitPerson, VisitHousehold):
        model.objects.filter(visit=visit).exclude(date=visit.date).update(date=visit.date)
    person_ids = [p.pk for p in people]
    household_ids = [h.pk for h in households]
    transaction.on_commit(
        lambda: visit_saved.send(
            sender=Visit, visit_id=visit.pk, person_ids=person_ids, household_ids=household_ids
        )
    )
    return visit


@dataclass
class VisitRecord:
    """One new visit of a batch, with its people and households (all loaded by the caller)."""

    visit: Visit
    people: Sequence[Person]
    households: Sequence[Household] = ()


@transaction.atomic
def visits_record_many(
    *,
    records: Sequence[VisitRecord],
    acting_user: Any = None,
    reason: str = "",
    villages: Mapping[int, OrgUnit] | None = None,
) -> list[ValidationError | None]:
    """Record many new visits at once (a ledger of a year's visits): each is validated as
    `visit_save` validates it; the valid ones are written in bulk with their history. Returns,
    per record, None or the ValidationError that kept it out. `visit_saved` is sent once for
    the batch (visit_id None, visit_ids the new visits) after the transaction commits."""
    reason = reason or "visit recorded"
    user = acting_user if acting_user is not None and getattr(acting_user, "pk", None) else None
    outcomes: list[ValidationError | None] = []
    valid: list[VisitRecord] = []
    for record in records:
        visit = record.visit
        try:
            if not record.people:
                raise ValidationError({"people": _("Name at least one person who made the visit.")})
            if visit.kind == VisitKind.CALL:
                visit.days = Decimal(0)
            visit.recorded_by = user
            # The caller loaded the place and the account: no query to check that they exist.
            visit.full_clean(exclude=["unit", "recorded_by"])
            _check_households(visit, record.households, villages)
        except ValidationError as exc:
            outcomes.append(exc)
            continue
        outcomes.append(None)
        valid.append(record)
    if not valid:
        return outcomes
    visits = create_with_history([r.visit for r in valid], Visit, user=user, reason=reason)
    people_rows, household_rows = [], []
    for record, visit in zip(valid, visits, strict=True):
        record.visit.pk = visit.pk
        day = record.visit.date
        # by id: the rows are written, not read (no related objects to set on 300,000 rows)
        people_rows += [
            VisitPerson(visit_id=visit.pk, person_id=p.pk, date=day)
            for p in dict.fromkeys(record.people)
        ]
        household_rows += [
            VisitHousehold(visit_id=visit.pk, household_id=h.pk, date=day)
            for h in dict.fromkeys(record.households)
        ]
    create_with_history(people_rows, VisitPerson, user=user, reason=reason)
    create_with_history(household_rows, VisitHousehold, user=user, reason=reason)
    visit_ids = [v.pk for v in visits]
    person_ids = sorted({row.person_id for row in people_rows})
    household_ids = sorted({row.household_id for row in household_rows})
    transaction.on_commit(
        lambda: visit_saved.send(
            sender=Visit,
            visit_id=None,
            visit_ids=visit_ids,
            person_ids=person_ids,
            household_ids=household_ids,
        )
    )
    return outcomes


def visit_delete(*, visit: Visit, reason: str = "", acting_user: Any = None) -> Visit:
    """Soft delete: the visit leaves every count, its history stays."""
    if acting_user is not None and getattr(acting_user, "pk", None):
        visit._history_user = acting_user  # type: ignore[attr-defined]
    visit.soft_delete(reason=reason or "visit deleted")
    return visit


@dataclass
class RoundLine:
    """One stop of a day's round: a place, the households met there and what was heard."""

    unit: OrgUnit
    kind: str = VisitKind.HOUSEHOLD
    households: list[Household] = field(default_factory=list)
    heard: str = ""
    days: Decimal | None = None


@transaction.atomic
def round_save(
    *,
    date: dt.date,
    people: Sequence[Person],
    lines: Sequence[RoundLine],
    days: Decimal,
    acting_user: Any = None,
) -> list[Visit]:
    """A whole day's round in one go: one visit per stop, all or nothing. Each stop carries
    the day's length unless it says otherwise; field days are counted once per date."""
    if not lines:
        raise ValidationError(_("Enter at least one stop of the round."))
    visits = []
    for line in lines:
        visit = Visit(
            date=date,
            kind=line.kind,
            unit=line.unit,
            heard=line.heard,
            days=line.days if line.days is not None else days,
        )
        visits.append(
            visit_save(
                visit=visit,
                people=people,
                households=line.households,
                acting_user=acting_user,
                reason="day's round recorded",
            )
        )
    return visits


def meeting_save(*, meeting: Meeting, acting_user: Any = None, reason: str = "") -> Meeting:
    if meeting.pk is None and acting_user is not None and getattr(acting_user, "pk", None):
        meeting.recorded_by = acting_user
    if acting_user is not None and getattr(acting_user, "pk", None):
        meeting._history_user = acting_user  # type: ignore[attr-defined]
    return validated_save(meeting, reason or "meeting recorded")
