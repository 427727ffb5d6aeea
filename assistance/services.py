"""Writes of pairing and assistance: pairings and hand-overs, contact logged from "my
households" (through visits.services), four-musts events and their clocks, aid entries and
their corrections, problems with their timetables, and the analyses of the problem ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from directory.base import validated_save
from directory.claims import claim, lock
from directory.models import Household, OrgUnit, Person
from rules.clocks import clock_cancel, clock_complete, clock_start
from rules.models import Clock, Rule
from rules.periods import Period
from rules.workdays import WorkCalendar
from visits.facts import IN_PERSON_KINDS, VisitKind, household_contacts
from visits.models import Visit
from visits.services import visit_save

from .models import (
    VILLAGE_KINDS,
    AidEntry,
    AidKind,
    Analysis,
    AnalysisLevel,
    EventKind,
    HouseholdEvent,
    Pairing,
    Problem,
    ProblemClass,
    ProblemState,
    UnitPairing,
)

FOUR_MUSTS_RULES = ("CP-A3", "HF-A2")
# HF-A2 (送温暖) is about festivals, disasters and hardship emergencies, not thinking.
HF_A2_KINDS = (EventKind.ILLNESS, EventKind.DISASTER, EventKind.FESTIVAL)
PROBLEM_RULE = "HF-S1"
DEFAULT_VISIT_WORKDAYS = 3
STEP_VISIT = "visit"
STEP_SOLVE = "solve"


def _acting(obj: Any, acting_user: Any) -> None:
    if acting_user is not None and getattr(acting_user, "pk", None):
        obj._history_user = acting_user


# --- pairings --------------------------------------------------------------------------------


@transaction.atomic
def pairing_save(*, pairing: Pairing, acting_user: Any = None, reason: str = "") -> Pairing:
    if pairing.pk is None and acting_user is not None and getattr(acting_user, "pk", None):
        pairing.recorded_by = acting_user
    _acting(pairing, acting_user)
    return validated_save(pairing, reason or "pairing saved")


@transaction.atomic
def pairing_end(
    *, pairing: Pairing, end: dt.date, acting_user: Any = None, reason: str = ""
) -> Pairing:
    """End a running pairing (the household left the category, the cadre left)."""
    claim(pairing, fields=("end",), message=_("Someone else has just ended this pairing."))
    if pairing.end is not None and pairing.end <= end:
        raise ValidationError({"end": _("This pairing has already ended.")})
    pairing.end = end
    _acting(pairing, acting_user)
    return validated_save(pairing, reason or "pairing ended")


@transaction.atomic
def pairing_hand_over(
    *,
    pairing: Pairing,
    to_person: Person,
    on: dt.date,
    acting_user: Any = None,
    calendar: WorkCalendar | None = None,
) -> Pairing:
    """The household passes to `to_person` from `on`: this pairing ends the day before and a
    new one starts, pointing back to it. Open four-musts visits pass to the new cadre."""
    claim(
        pairing,
        fields=("end", "person"),
        message=_("Someone else has just handed this household over or ended the pairing."),
    )
    if to_person.pk == pairing.person_id:
        raise ValidationError({"person": _("Choose another cadre to hand over to.")})
    if on <= pairing.start:
        raise ValidationError({"start": _("A hand-over must come after the pairing's start.")})
    if pairing.end is not None and pairing.end < on:
        raise ValidationError({"start": _("This pairing had already ended by then.")})
    reason = f"handed over to {to_person.code}"
    successor = Pairing(
        person=to_person,
        household=pairing.household,
        kind=pairing.kind,
        start=on,
        end=pairing.end,
        handed_over_from=pairing,
        note=pairing.note,
    )
    pairing_end(
        pairing=pairing, end=on - dt.timedelta(days=1), acting_user=acting_user, reason=reason
    )
    pairing_save(
        pairing=successor, acting_user=acting_user, reason=f"handed over from {pairing.person.code}"
    )
    _hand_over_clocks(pairing, to_person, calendar or WorkCalendar())
    return successor


def _hand_over_clocks(pairing: Pairing, to_person: Person, calendar: WorkCalendar) -> None:
    event_ids = HouseholdEvent.objects.filter(household=pairing.household_id).values("pk")
    clocks = Clock.objects.running().filter(
        content_type=ContentType.objects.get_for_model(HouseholdEvent),
        object_id__in=event_ids,
        person_id=pairing.person_id,
    )
    for clock in clocks.select_related("rule"):
        clock_cancel(clock=clock, reason=f"household handed over to {to_person.code}")
        if not Clock.objects.running().filter(
            content_type=clock.content_type, object_id=clock.object_id, person=to_person
        ):
            clock_start(
                rule=clock.rule,
                item=clock.item,
                step=STEP_VISIT,
                start=clock.start,
                unit=to_person.unit,
                person=to_person,
                label=clock.label,
                calendar=calendar,
                **_override(clock.rule),
            )


def hand_over_all(
    *, from_person: Person, to_person: Person, on: dt.date, acting_user: Any = None
) -> list[Pairing]:
    """A cadre moves: every pairing in force on `on` passes to `to_person`."""
    calendar = WorkCalendar()
    with transaction.atomic():
        running = (
            Pairing.objects.in_force(on)
            .filter(person=from_person)
            .select_related("person", "household")
        )
        return [
            pairing_hand_over(
                pairing=p, to_person=to_person, on=on, acting_user=acting_user, calendar=calendar
            )
            for p in running.order_by("pk")
        ]


def unit_pairing_save(
    *, pairing: UnitPairing, acting_user: Any = None, reason: str = ""
) -> UnitPairing:
    _acting(pairing, acting_user)
    return validated_save(pairing, reason or "village pairing saved")


# --- contact from "my households" --------------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    pairing: Pairing,
    date: dt.date,
    kind: str,
    heard: str = "",
    acting_user: Any = None,
) -> Visit:
    """Record a visit or a call of the paired cadre to the household (a visit of the visits
    app), and close the four-musts visits it answers."""
    if kind not in (VisitKind.HOUSEHOLD, VisitKind.CALL):
        raise ValidationError({"kind": _("Choose a visit or a call.")})
    if date < pairing.start:
        raise ValidationError({"date": _("The date is before the pairing started.")})
    household = pairing.household
    visit = Visit(date=date, kind=kind, unit=household.village, heard=heard)
    visit_save(
        visit=visit,
        people=[pairing.person],
        households=[household],
        acting_user=acting_user,
        reason="contact logged from my households",
    )
    four_musts_sync(person_ids=[pairing.person_id], household_ids=[household.pk])
    return visit


# --- four musts --------------------------------------------------------------------------------


def four_musts_rule(kind: str, rules: dict[str, Rule] | None = None) -> Rule | None:
    """CP-A3 when loaded; otherwise HF-A2 for the events it covers; None when neither is."""
    if rules is None:
        rules = {r.rule_id: r for r in Rule.objects.active().filter(rule_id__in=FOUR_MUSTS_RULES)}
    if "CP-A3" in rules:
        return rules["CP-A3"]
    if "HF-A2" in rules and kind in HF_A2_KINDS:
        return rules["HF-A2"]
    return None


def _override(rule: Rule) -> dict[str, Any]:
    """HF-A2 sets no duration of its own (item_sets_limit): the system default applies."""
    if isinstance(rule.param("amount"), int):
        return {}
    return {"amount": DEFAULT_VISIT_WORKDAYS, "duration_unit": "workdays"}


def _paired_people(household_ids: Iterable[int], day: dt.date) -> dict[int, list[Person]]:
    people: dict[int, list[Person]] = {}
    pairings = (
        Pairing.objects.in_force(day)
        .filter(household_id__in=list(household_ids))
        .select_related("person__unit")
        .order_by("person_id")
    )
    for pairing in pairings:
        listed = people.setdefault(pairing.household_id, [])
        if pairing.person not in listed:
            listed.append(pairing.person)
    return people


def _open_clocks(
    events: Sequence[HouseholdEvent], rule: Rule | None, calendar: WorkCalendar
) -> list[Clock]:
    if rule is None or not events:
        return []
    people = _paired_people({e.household_id for e in events}, events[0].date)
    clocks = []
    for event in events:
        for person in people.get(event.household_id, []):
            clocks.append(
                clock_start(
                    rule=rule,
                    item=event,
                    step=STEP_VISIT,
                    start=event.date,
                    unit=person.unit,
                    person=person,
                    label=f"{event.get_kind_display()}：{event.household.head}",
                    calendar=calendar,
                    **_override(rule),
                )
            )
    return clocks


def _save_event(event: HouseholdEvent, acting_user: Any, reason: str) -> HouseholdEvent:
    if acting_user is not None and getattr(acting_user, "pk", None):
        event.recorded_by = acting_user
    _acting(event, acting_user)
    return validated_save(event, reason)


@transaction.atomic
def event_record(
    *,
    household: Household,
    kind: str,
    date: dt.date,
    note: str = "",
    festival: str = "",
    acting_user: Any = None,
    calendar: WorkCalendar | None = None,
) -> tuple[HouseholdEvent, list[Clock]]:
    """Record a four-musts event; a clock opens for each cadre paired with the household. The
    same event of one household on one day is recorded once (two people entering it at once
    make one event: the household row is locked while it is checked and written)."""
    lock(household)
    if (
        kind != EventKind.FESTIVAL
        and HouseholdEvent.objects.filter(household=household, kind=kind, date=date).exists()
    ):
        raise ValidationError(
            _("This event of this household on this day has already been recorded.")
        )
    event = HouseholdEvent(household=household, kind=kind, date=date, note=note, festival=festival)
    _save_event(event, acting_user, "four-musts event recorded")
    clocks = _open_clocks([event], four_musts_rule(kind), calendar or WorkCalendar())
    four_musts_sync(person_ids=[c.person_id for c in clocks], household_ids=[household.pk])
    return event, clocks


@transaction.atomic
def village_event_record(
    *,
    village: OrgUnit,
    kind: str,
    date: dt.date,
    note: str = "",
    acting_user: Any = None,
) -> tuple[list[HouseholdEvent], list[Clock]]:
    """A disaster (or another event) for a whole village at once: one event for each
    household paired on that day, each with its own clock per paired cadre."""
    if village.kind not in VILLAGE_KINDS:
        raise ValidationError({"village": _("Choose a village or community.")})
    if kind == EventKind.FESTIVAL:
        raise ValidationError({"kind": _("Festivals open their visits by themselves.")})
    lock(village)  # the same village event entered twice at once is recorded once
    recorded = HouseholdEvent.objects.filter(kind=kind, date=date).values("household")
    households = (
        Household.objects.filter(village=village, pairings__in=Pairing.objects.in_force(date))
        .exclude(pk__in=recorded)
        .distinct()
        .order_by("code")
    )
    events = [
        _save_event(
            HouseholdEvent(household=h, kind=kind, date=date, note=note, village_wide=True),
            acting_user,
            "four-musts event recorded for the whole village",
        )
        for h in households
    ]
    clocks = _open_clocks(events, four_musts_rule(kind), WorkCalendar())
    four_musts_sync(
        person_ids={c.person_id for c in clocks}, household_ids=[e.household_id for e in events]
    )
    return events, clocks


@transaction.atomic
def four_musts_sync(*, person_ids: Iterable[int], household_ids: Iterable[int]) -> int:
    """Close the open four-musts clocks of these cadres on these households that a visit in
    person on or after the clock's start answers; returns how many closed. Two queries when
    nothing is open, whatever called it (the visit_saved receiver, a service)."""
    person_ids, household_ids = list(set(person_ids)), list(set(household_ids))
    if not person_ids or not household_ids:
        return 0
    event_type = ContentType.objects.get_for_model(HouseholdEvent)
    events = dict(
        HouseholdEvent.objects.filter(household_id__in=household_ids).values_list(
            "pk", "household_id"
        )
    )
    # Only the clocks still running once locked: of two visits saved at once, the second
    # waits here and finds the clock the first closed already closed.
    clocks = list(
        Clock.objects.running()
        .filter(content_type=event_type, object_id__in=list(events), person_id__in=person_ids)
        .order_by("start", "pk")
        .select_for_update()
    )
    if not clocks:
        return 0
    contacts = household_contacts(
        person_ids,
        household_ids,
        min(c.start for c in clocks),
        dt.date(9999, 12, 31),
        kinds=IN_PERSON_KINDS,
    )
    closed = 0
    for clock in clocks:
        visits = contacts.get((clock.person_id, events[clock.object_id]), [])
        first = next((c.date for c in visits if c.date >= clock.start), None)
        if first is not None:
            with transaction.atomic():
                clock_complete(clock=clock, done_on=first, note="visited (four musts)")
            closed += 1
    return closed


# --- festivals ---------------------------------------------------------------------------------


def festival_events_open(*, today: dt.date, acting_user: Any = None) -> int:
    """Open the festival visits whose window (`lead_days` before the festival up to the day)
    contains `today`, for each paired household that needs them. Idempotent: a household that
    already has an event of that festival in the window gets none; returns how many opened."""
    from .festivals import festivals_around

    calendar = WorkCalendar()
    opened = 0
    for festival in festivals_around(today):
        try:
            with transaction.atomic():
                opened += _open_festival(festival, today, acting_user, calendar)
        except IntegrityError:  # another run opened this festival's visits at the same moment
            continue
    return opened


def _open_festival(festival: Any, today: dt.date, acting_user: Any, calendar: WorkCalendar) -> int:
    pairings = Pairing.objects.in_force(today).select_related("household")
    if festival.categories:
        pairings = pairings.filter(
            household__in=Household.objects.in_category(*festival.categories)
        )
    done = set(
        HouseholdEvent.objects.filter(
            festival=festival.name, date__gte=festival.opens, date__lte=festival.date
        ).values_list("household_id", flat=True)
    )
    households = {p.household_id: p.household for p in pairings if p.household_id not in done}
    rule = four_musts_rule(EventKind.FESTIVAL)
    events = []
    for household in sorted(households.values(), key=lambda h: h.code):
        event = HouseholdEvent(
            household=household,
            kind=EventKind.FESTIVAL,
            date=today,
            festival=festival.name,
            note=_("%(name)s on %(date)s") % {"name": festival.name, "date": festival.date},
        )
        events.append(_save_event(event, acting_user, "festival visit opened"))
    _open_clocks(events, rule, calendar)
    return len(events)


# --- aid ----------------------------------------------------------------------------------------


def _check_paired(person: Person, household: Household, day: dt.date) -> None:
    paired = Pairing.objects.in_force(day).filter(person=person, household=household)
    if not paired.exists():
        raise ValidationError(
            {"household": _("On that day this household was not paired with this cadre.")}
        )


@transaction.atomic
def aid_record(
    *,
    person: Person,
    household: Household,
    date: dt.date,
    amount: Decimal,
    kind: str = AidKind.MONEY,
    description: str = "",
    acting_user: Any = None,
) -> AidEntry:
    _check_paired(person, household, date)
    entry = AidEntry(
        person=person,
        household=household,
        date=date,
        amount=amount,
        kind=kind,
        description=description,
    )
    if acting_user is not None and getattr(acting_user, "pk", None):
        entry.recorded_by = acting_user
    _acting(entry, acting_user)
    return validated_save(entry, "aid recorded")


def aid_net(entry: AidEntry) -> Decimal:
    """The entry's amount with its corrections."""
    corrections = entry.corrections.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return entry.amount + corrections


@transaction.atomic
def aid_correct(
    *, entry: AidEntry, amount: Decimal, reason: str, acting_user: Any = None
) -> AidEntry:
    """Correct an entry to `amount` (0 withdraws it) by a new, offsetting entry. The entry is
    locked while its net amount is read, so two corrections at once offset it once."""
    lock(entry)
    if entry.corrects_id:
        raise ValidationError(_("Correct the original entry, not a correction."))
    if not reason.strip():
        raise ValidationError({"description": _("Give the reason for the correction.")})
    if amount < 0:
        raise ValidationError({"amount": _("The corrected amount cannot be negative.")})
    difference = amount - aid_net(entry)
    if difference == 0:
        raise ValidationError({"amount": _("The entry already has this amount.")})
    correction = AidEntry(
        person=entry.person,
        household=entry.household,
        date=entry.date,
        kind=entry.kind,
        amount=difference,
        description=reason,
        corrects=entry,
    )
    if acting_user is not None and getattr(acting_user, "pk", None):
        correction.recorded_by = acting_user
    _acting(correction, acting_user)
    return validated_save(correction, f"aid corrected: {reason}")


# --- problems -----------------------------------------------------------------------------------


def _problem_rule() -> Rule | None:
    return Rule.objects.active().filter(rule_id=PROBLEM_RULE).first()


def _running_problem_clocks(problem: Problem) -> list[Clock]:
    return list(Clock.objects.for_item(problem).running())


def _sync_problem_clock(problem: Problem) -> None:
    """A problem that needs time runs a clock to its timetable; otherwise none runs."""
    running = _running_problem_clocks(problem)
    wanted = problem.classification == ProblemClass.NEEDS_TIME and problem.state == "open"
    for clock in running:
        if not wanted or clock.due != problem.due or clock.person_id != problem.responsible_id:
            clock_cancel(clock=clock, reason="classification or timetable changed")
            running.remove(clock)
    rule = _problem_rule()
    if wanted and not running and rule is not None and problem.due:
        clock_start(
            rule=rule,
            item=problem,
            step=STEP_SOLVE,
            start=problem.found_on,
            unit=problem.responsible.unit if problem.responsible else problem.village,
            person=problem.responsible,
            label=problem.description[:80],
            amount=(problem.due - problem.found_on).days,
            duration_unit="days",
        )


@transaction.atomic
def problem_save(*, problem: Problem, acting_user: Any = None, reason: str = "") -> Problem:
    created = problem.pk is None
    lock(problem)  # two edits at once: the last one wins, its clock is started once
    if created and acting_user is not None and getattr(acting_user, "pk", None):
        problem.recorded_by = acting_user
    if created and problem.classification == ProblemClass.CANNOT_NOW:
        problem.state = ProblemState.EXPLAINED
        problem.closed_on = problem.found_on
    _acting(problem, acting_user)
    validated_save(problem, reason or ("problem recorded" if created else "problem edited"))
    _sync_problem_clock(problem)
    return problem


@transaction.atomic
def problem_close(
    *, problem: Problem, on: dt.date, resolution: str, acting_user: Any = None
) -> Problem:
    """Solved (or, for one that cannot be solved now, explained): the clock stops."""
    claim(problem, fields=("state",), message=_("Someone else has just closed this problem."))
    if problem.state != ProblemState.OPEN:
        raise ValidationError(_("This problem is already closed."))
    if on < problem.found_on:
        raise ValidationError({"closed_on": _("The problem cannot close before it was found.")})
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the problem was solved.")})
    problem.state = ProblemState.SOLVED
    problem.closed_on = on
    problem.resolution = resolution
    _acting(problem, acting_user)
    validated_save(problem, "problem solved")
    for clock in _running_problem_clocks(problem):
        clock_complete(clock=clock, done_on=on, note="problem solved")
    return problem


# --- analyses -----------------------------------------------------------------------------------


def analysis_period(level: str, day: dt.date) -> Period:
    if level == AnalysisLevel.TOWNSHIP_MONTH:
        return Period.month(day.year, day.month)
    if level == AnalysisLevel.OFFICE_QUARTER:
        return Period.quarter(day.year, (day.month - 1) // 3 + 1)
    return Period.half(day.year, 1 if day.month <= 6 else 2)


@transaction.atomic
def analysis_record(
    *,
    unit: OrgUnit,
    level: str,
    held_on: dt.date,
    summary: str,
    acting_user: Any = None,
) -> Analysis:
    """Record a held analysis; the count of open problems under the unit is kept with it."""
    period = analysis_period(level, held_on).code
    if Analysis.objects.filter(unit=unit, level=level, period=period).exists():
        raise ValidationError({"held_on": _("An analysis of this period is already recorded.")})
    open_count = Problem.objects.still_open().filter(village__path__startswith=unit.path).count()
    analysis = Analysis(
        unit=unit,
        level=level,
        held_on=held_on,
        summary=summary,
        period=period,
        open_problems=open_count,
    )
    if acting_user is not None and getattr(acting_user, "pk", None):
        analysis.recorded_by = acting_user
    _acting(analysis, acting_user)
    return validated_save(analysis, "analysis recorded")
