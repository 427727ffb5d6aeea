"""Clock services: start, complete, extend, pause, resume, cancel and recompute.

A clock's due date is derived from its stored inputs (start, the rule's duration or an override,
an extension, pauses) by `_compute`; completing a clock freezes `done_on` and `on_time`, after
which it is never recomputed.

A due date reaching into a year whose holiday schedule is not entered is computed from the
statutory holidays (rules.workdays.statutory_holidays) and the clock is marked `provisional`;
entering the year recomputes it (`clocks_recompute_open`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from directory.base import validated_save as _save
from directory.models import OrgUnit, Person

from .models import Clock, ClockState, Rule, RuleKind
from .workdays import DAYS, DURATION_UNITS, WORKDAYS, WorkCalendar, explain_due, workdays_between

RUNNING = (ClockState.OPEN, ClockState.PAUSED)

#: What an app copies from its items' clocks (a petition's next due date), refreshed after a
#: recomputation changed them: model label → function of the changed items' ids.
_due_refreshers: dict[str, Callable[[list[int]], None]] = {}


def register_due_refresher(model: type[models.Model], refresh: Callable[[list[int]], None]) -> None:
    """Have `refresh(ids)` called when `clocks_recompute_open` changed clocks of those items
    of `model` (registered in the app's ready(); rules imports no app)."""
    _due_refreshers[model._meta.label_lower] = refresh


def rule_duration(rule: Rule, *, complex_item: bool = False) -> tuple[int, str, bool]:
    """(amount, unit, roll_to_workday) of a DEADLINE rule, from its parameters."""
    if rule.kind != RuleKind.DEADLINE:
        raise ValueError(f"{rule.rule_id} is not a DEADLINE rule")
    amount = (
        rule.param("complex_amount")
        if complex_item and rule.param("complex_amount")
        else rule.param("amount")
    )
    unit = rule.param("unit", WORKDAYS)
    if not isinstance(amount, int) or unit not in DURATION_UNITS:
        raise ValueError(
            f"{rule.rule_id} has no usable duration (amount={amount!r}, unit={unit!r})"
        )
    return amount, unit, bool(rule.param("roll_to_workday", True))


def _inputs(clock: Clock) -> dict[str, Any]:
    return clock.computation.get("inputs", {})


def _compute(
    *,
    rule: Rule,
    start: dt.date,
    inputs: dict[str, Any],
    extension_amount: int,
    extension_reason: str,
    pauses: list[dict[str, Any]],
    calendar: WorkCalendar,
) -> tuple[dt.date, dict[str, Any]]:
    if inputs.get("amount_source") == "override":
        amount, unit, roll = inputs["amount"], inputs["unit"], inputs.get("roll_to_workday", True)
    else:
        amount, unit, roll = rule_duration(rule, complex_item=bool(inputs.get("complex")))
    paused = sum(int(p.get("days", 0)) for p in pauses)
    total = amount + extension_amount
    effective_start = start
    if unit == WORKDAYS:
        total += paused  # paused working days are added back
    elif paused:
        effective_start = start + dt.timedelta(days=paused)  # a calendar clock starts later
    result = explain_due(
        effective_start, total, unit, roll_to_workday=roll, calendar=calendar.with_provisional()
    )
    computation = dict(result.computation)
    computation["start"] = start.isoformat()
    if effective_start != start:
        computation["effective_start"] = effective_start.isoformat()
    computation["rule"] = rule.rule_id
    computation["base_amount"] = amount
    computation["inputs"] = {**inputs, "amount": amount, "unit": unit, "roll_to_workday": roll}
    if extension_amount:
        computation["extension"] = {
            "amount": extension_amount,
            "unit": unit,
            "reason": extension_reason,
        }
    if pauses:
        computation["pauses"] = pauses
    return result.due, computation


def clock_build(
    *,
    rule: Rule,
    item: models.Model,
    step: str,
    start: dt.date,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    label: str = "",
    subject_unit: OrgUnit | None = None,
    subject_person: Person | None = None,
    complex_item: bool = False,
    amount: int | None = None,
    duration_unit: str | None = None,
    calendar: WorkCalendar | None = None,
) -> Clock:
    """The clock `clock_start` would start, with its due date computed, not saved (`item` may
    be unsaved too: the caller sets `object_id` once it has its id)."""
    inputs: dict[str, Any] = {"complex": complex_item, "amount_source": "rule"}
    if amount is not None:
        inputs.update(
            amount_source="override",
            amount=amount,
            unit=duration_unit or rule.param("unit", WORKDAYS),
            roll_to_workday=bool(rule.param("roll_to_workday", True)),
        )
    due, computation = _compute(
        rule=rule,
        start=start,
        inputs=inputs,
        extension_amount=0,
        extension_reason="",
        pauses=[],
        calendar=calendar or WorkCalendar(),
    )
    clock = Clock(
        rule=rule,
        content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
        object_id=item.pk,
        step=step,
        label=label,
        unit=unit,
        person=person,
        subject_unit=subject_unit,
        subject_person=subject_person,
        start=start,
    )
    _set_due(clock, due, computation)
    return clock


def _start_reason(clock: Clock) -> str:
    reason = f"clock started: {clock.rule.rule_id} {clock.step}"
    if clock.provisional:
        reason += f" (provisional due date {clock.due.isoformat()})"
    return reason[:100]  # simple-history's change reason column


@transaction.atomic
def clock_start(
    *,
    rule: Rule,
    item: models.Model,
    step: str,
    start: dt.date,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    label: str = "",
    subject_unit: OrgUnit | None = None,
    subject_person: Person | None = None,
    complex_item: bool = False,
    amount: int | None = None,
    duration_unit: str | None = None,
    calendar: WorkCalendar | None = None,
) -> Clock:
    """Start a clock for `item` when its start event happens. `amount`/`duration_unit` override
    the rule's duration (e.g. an appeal category's own limit within the rule's range).
    `subject_unit` / `subject_person` say whom the item is about (a petition's unit and person
    complained about): the clock is never shown or reminded to them."""
    clock = clock_build(
        rule=rule,
        item=item,
        step=step,
        start=start,
        unit=unit,
        person=person,
        label=label,
        subject_unit=subject_unit,
        subject_person=subject_person,
        complex_item=complex_item,
        amount=amount,
        duration_unit=duration_unit,
        calendar=calendar,
    )
    try:
        with transaction.atomic():
            return _save(clock, _start_reason(clock))
    except IntegrityError as exc:  # the same step started at the same moment elsewhere
        if "clock_one_running_per_step" not in str(exc):
            raise
        raise ValidationError(
            _("This step of the matter already has a running deadline."), code="unique"
        ) from exc


def clock_freeze(clock: Clock, done_on: dt.date) -> None:
    """Mark a running, unpaused clock done on `done_on` (in memory): what `clock_complete`
    writes, for a clock built and completed in one go (a ledger row with its reply date)."""
    clock.state = ClockState.DONE
    clock.done_on = done_on
    clock.on_time = done_on <= clock.due


def clocks_create_many(clocks: list[Clock], *, user: Any = None, reason: str = "") -> None:
    """Write clocks built by `clock_build` (for items of a new batch) with their history, in
    bulk. The caller has checked that no such step runs already (new items have no clocks)."""
    from directory.bulk import create_with_history

    create_with_history(clocks, Clock, user=user, reason=reason)


def _set_due(clock: Clock, due: dt.date, computation: dict[str, Any]) -> None:
    clock.due, clock.computation = due, computation
    clock.provisional = bool(computation.get("provisional"))


def _locked(clock: Clock) -> Clock:
    """The clock's row locked for this transaction and read again, so that two steps at once
    (two visits closing one four-musts clock) change it one after the other."""
    if clock.pk is not None:
        clock.refresh_from_db(from_queryset=Clock.objects.select_for_update())
    return clock


@transaction.atomic
def clocks_set_subject(
    *,
    items: Iterable[models.Model],
    subject_unit: OrgUnit | None,
    subject_person: Person | None,
) -> int:
    """Keep the subject of the clocks of `items` in step with what they are about (the owning
    app calls this whenever that may have changed). Frozen clocks change too: they are still
    read by drill-downs and reports. Reminders not yet delivered to an account the items are
    now about are withdrawn. Returns the number of clocks changed."""
    condition = Q()
    for item in items:
        condition |= Q(
            content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
            object_id=item.pk,
        )
    if not condition:
        return 0
    unit_id = subject_unit.pk if subject_unit is not None else None
    person_id = subject_person.pk if subject_person is not None else None
    stale = list(
        Clock.objects.filter(condition)
        .exclude(subject_unit_id=unit_id, subject_person_id=person_id)
        .select_for_update()
    )
    for clock in stale:
        clock.subject_unit, clock.subject_person = subject_unit, subject_person
        _save(clock, "subject of the item changed")
    if stale:
        _withdraw_reminders(stale, unit_id, person_id)
    return len(stale)


def _withdraw_reminders(clocks: list[Clock], unit_id: int | None, person_id: int | None) -> None:
    from directory.access import concerns

    from .models import Reminder, ReminderState

    pending = Reminder.objects.filter(clock__in=clocks, state=ReminderState.PENDING)
    for reminder in pending.select_related("recipient__unit", "recipient__person__unit"):
        if concerns(reminder.recipient, unit_id, person_id):
            Reminder.objects.filter(pk=reminder.pk, state=ReminderState.PENDING).update(
                state=ReminderState.CANCELLED
            )


def _require_running(clock: Clock) -> None:
    if clock.state not in RUNNING:
        raise ValidationError(_("This deadline is already closed and cannot change."))


@transaction.atomic
def clock_complete(*, clock: Clock, done_on: dt.date, note: str = "") -> Clock:
    """Freeze the clock: done on `done_on`, on time when not after the due date."""
    _require_running(_locked(clock))
    if done_on < clock.start:
        raise ValidationError(_("The completion date cannot be before the start date."))
    if clock.state == ClockState.PAUSED:
        clock = _resume(clock, done_on, WorkCalendar())
    clock_freeze(clock, done_on)
    return _save(clock, note or "clock completed")


@transaction.atomic
def clock_cancel(*, clock: Clock, reason: str) -> Clock:
    """Withdraw a clock whose step no longer applies (e.g. the matter was withdrawn)."""
    _require_running(_locked(clock))
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling the deadline."))
    clock.state = ClockState.CANCELLED
    return _save(clock, f"clock cancelled: {reason}")


@transaction.atomic
def clock_extend(
    *, clock: Clock, amount: int, reason: str, calendar: WorkCalendar | None = None
) -> Clock:
    """Extend once (or as often as the rule's max_extensions allows) by at most extension_amount."""
    _require_running(_locked(clock))
    if not reason.strip():
        raise ValidationError(_("An extension needs a reason, which is told to the petitioner."))
    allowed = clock.rule.param("extension_amount")
    if not allowed:
        raise ValidationError(_("This deadline cannot be extended under its rule."))
    extensions = int(clock.computation.get("extension_count", 0))
    if extensions >= int(clock.rule.param("max_extensions", 1)):
        raise ValidationError(
            _("This deadline has already been extended as often as its rule allows.")
        )
    if amount < 1 or clock.extension_amount + amount > int(allowed):
        raise ValidationError(
            _("The extension must be between 1 and %(max)s in total.") % {"max": allowed}
        )
    clock.extension_amount += amount
    clock.extension_reason = reason
    due, computation = _compute(
        rule=clock.rule,
        start=clock.start,
        inputs=_inputs(clock),
        extension_amount=clock.extension_amount,
        extension_reason=reason,
        pauses=clock.computation.get("pauses", []),
        calendar=calendar or WorkCalendar(),
    )
    computation["extension_count"] = extensions + 1
    _set_due(clock, due, computation)
    return _save(clock, f"clock extended: {reason}")


@transaction.atomic
def clock_pause(*, clock: Clock, on: dt.date, reason: str) -> Clock:
    if _locked(clock).state != ClockState.OPEN:
        raise ValidationError(_("Only a running deadline can be paused."))
    if not reason.strip():
        raise ValidationError(_("A pause needs a reason."))
    clock.state = ClockState.PAUSED
    clock.paused_on = on
    clock.pause_reason = reason
    return _save(clock, f"clock paused: {reason}")


def _resume(clock: Clock, on: dt.date, calendar: WorkCalendar) -> Clock:
    assert clock.paused_on is not None
    days = (
        workdays_between(clock.paused_on, on, calendar.with_provisional())
        if clock.counts_workdays()
        else (on - clock.paused_on).days
    )
    pauses = [
        *clock.computation.get("pauses", []),
        {
            "from": clock.paused_on.isoformat(),
            "to": on.isoformat(),
            "days": max(days, 0),
            "reason": clock.pause_reason,
        },
    ]
    clock.paused_days += max(days, 0)
    due, computation = _compute(
        rule=clock.rule,
        start=clock.start,
        inputs=_inputs(clock),
        extension_amount=clock.extension_amount,
        extension_reason=clock.extension_reason,
        pauses=pauses,
        calendar=calendar,
    )
    computation["extension_count"] = clock.computation.get("extension_count", 0)
    _set_due(clock, due, computation)
    clock.state = ClockState.OPEN
    clock.paused_on = None
    return clock


@transaction.atomic
def clock_resume(*, clock: Clock, on: dt.date, calendar: WorkCalendar | None = None) -> Clock:
    if _locked(clock).state != ClockState.PAUSED or clock.paused_on is None:
        raise ValidationError(_("Only a paused deadline can be resumed."))
    if on < clock.paused_on:
        raise ValidationError(_("A deadline cannot resume before it was paused."))
    return _save(_resume(clock, on, calendar or WorkCalendar()), "clock resumed")


@transaction.atomic
def clock_mark_complex(
    *, clock: Clock, explanation: str, calendar: WorkCalendar | None = None
) -> Clock:
    """Switch to the rule's longer duration for complex items (TY-P2), with the explanation."""
    _require_running(_locked(clock))
    if not clock.rule.param("complex_amount"):
        raise ValidationError(_("This rule has no longer limit for complex items."))
    if not explanation.strip():
        raise ValidationError(_("Record the explanation of why the item is complex."))
    inputs = {
        **_inputs(clock),
        "complex": True,
        "complex_explanation": explanation,
        "amount_source": "rule",
    }
    due, computation = _compute(
        rule=clock.rule,
        start=clock.start,
        inputs=inputs,
        extension_amount=clock.extension_amount,
        extension_reason=clock.extension_reason,
        pauses=clock.computation.get("pauses", []),
        calendar=calendar or WorkCalendar(),
    )
    _set_due(clock, due, computation)
    return _save(clock, f"marked complex: {explanation}")


def clocks_recompute_open(
    *, years: list[int] | None = None, rule: Rule | None = None, acting_user: Any = None
) -> int:
    """Recompute the due dates of running clocks after the calendar or a rule changed.

    With `years` (a calendar change), every running clock touching those years is recomputed,
    and every provisional one. Frozen (done/cancelled) clocks are never touched. Each change is
    in the clock's history, with who made it. Returns the number of clocks changed."""
    clocks = Clock.objects.filter(state__in=RUNNING).select_related("rule")
    if rule is not None:
        clocks = clocks.filter(rule=rule)
    if years:
        condition = Q(provisional=True)
        for year in years:
            condition |= (
                Q(start__year=year)
                | Q(due__year=year)
                | Q(start__year__lt=year, due__year__gt=year)
            )
        clocks = clocks.filter(condition)
    calendar = WorkCalendar()
    changed = 0
    items: dict[int, set[int]] = {}
    with transaction.atomic():
        for clock in clocks.select_for_update():
            due, computation = _compute(
                rule=clock.rule,
                start=clock.start,
                inputs=_inputs(clock),
                extension_amount=clock.extension_amount,
                extension_reason=clock.extension_reason,
                pauses=clock.computation.get("pauses", []),
                calendar=calendar,
            )
            computation["extension_count"] = clock.computation.get("extension_count", 0)
            if due != clock.due or computation != clock.computation:
                reason = _recompute_reason(clock, due, computation, years, rule)
                _set_due(clock, due, computation)
                if acting_user is not None:
                    clock._history_user = acting_user
                _save(clock, reason)
                items.setdefault(clock.content_type_id, set()).add(clock.object_id)
                changed += 1
        for content_type_id, ids in items.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            refresh = _due_refreshers.get(model._meta.label_lower) if model else None
            if refresh is not None:
                refresh(sorted(ids))
    return changed


def _recompute_reason(
    clock: Clock,
    due: dt.date,
    computation: dict[str, Any],
    years: list[int] | None,
    rule: Rule | None,
) -> str:
    """The history line of a recomputation: what the due date was and became, and why."""
    if years:
        why = f"calendar {', '.join(str(y) for y in years)} changed"
    else:
        why = "rule changed" if rule is not None else "recomputed"
    was = f"{clock.due.isoformat()}{' provisional' if clock.provisional else ''}"
    now = f"{due.isoformat()}{' provisional' if computation.get('provisional') else ''}"
    return f"due date recomputed ({why}): {was} → {now}"[:100]


def clocks_for_item(item: models.Model) -> models.QuerySet[Clock]:
    return (
        Clock.objects.for_item(item)
        .select_related("rule", "unit", "person")
        .order_by("start", "pk")
    )


__all__ = [
    "DAYS",
    "clock_cancel",
    "clock_complete",
    "clock_extend",
    "clock_mark_complex",
    "clock_pause",
    "clock_resume",
    "clock_start",
    "clocks_for_item",
    "clocks_recompute_open",
    "clocks_set_subject",
    "rule_duration",
]
