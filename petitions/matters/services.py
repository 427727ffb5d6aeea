"""Writes to petitions: the life of a matter and its clocks (信访工作条例, rules NAT-*).

Each step is one function: it claims the matter (a row lock, then the state read again: see
directory.claims), checks the step is allowed, writes the matter, the event row and the clocks
together (one transaction), so that a clock is started exactly when its start event happens and
frozen when its step is done. Of two people doing a step at once, the second is told that the
other did it; nothing is done twice. Durations come from the rule rows; a rule
that is not loaded or not active starts no clock (the step itself still works).

Clocks of a matter (step → rule):
  register → NAT-REGISTER (from receipt; done when routed)
  accept → NAT-ACCEPT (from the day the lead unit received it; done on the acceptance notice)
  object → NAT-OBJECT, one per routed unit (done when that unit objects; cancelled once the
           routing is settled by acceptance)
  conclude → NAT-CONCLUDE (from acceptance; one extension; done on the written answer)
  review_ask / review_answer → NAT-REVIEW-ASK / NAT-REVIEW-ANSWER
  recheck_ask / recheck_answer → NAT-RECHECK-ASK / NAT-RECHECK-ANSWER
  supervise → HF-S1 for time-limited supervision
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from directory.base import validated_save
from directory.claims import ConcurrentChange, claim
from directory.models import JURISDICTION_KINDS, OFFICE_KINDS, OrgUnit, Person
from directory.numbering import PETITION, next_ref
from rules.clocks import (
    RUNNING,
    clock_cancel,
    clock_complete,
    clock_extend,
    clock_start,
    clocks_set_subject,
    rule_duration,
)
from rules.models import Clock, ClockState, Rule
from rules.workdays import WorkCalendar, explain_due

from ..attachments import check_upload
from ..identity import normalise_id_number, normalise_phone, validate_id_number, validate_phone
from .models import (
    AssignmentRole,
    AssignmentState,
    Channel,
    Petition,
    PetitionAssignment,
    PetitionAttachment,
    Petitioner,
    PetitionerAccess,
    PetitionEvent,
    PetitionRepeat,
    PetitionStatus,
    RevealedField,
    Satisfaction,
    Supervision,
    SupervisionMode,
)

REGISTER, ACCEPT, OBJECT, CONCLUDE = "register", "accept", "object", "conclude"
REVIEW_ASK, REVIEW_ANSWER = "review_ask", "review_answer"
RECHECK_ASK, RECHECK_ANSWER = "recheck_ask", "recheck_answer"
SUPERVISE = "supervise"

STEP_RULES = {
    REGISTER: "NAT-REGISTER",
    ACCEPT: "NAT-ACCEPT",
    OBJECT: "NAT-OBJECT",
    CONCLUDE: "NAT-CONCLUDE",
    REVIEW_ASK: "NAT-REVIEW-ASK",
    REVIEW_ANSWER: "NAT-REVIEW-ANSWER",
    RECHECK_ASK: "NAT-RECHECK-ASK",
    RECHECK_ANSWER: "NAT-RECHECK-ANSWER",
    SUPERVISE: "HF-S1",
}
GROUP_REPS_RULE = "NAT-GROUP-REPS"


@dataclass(frozen=True)
class PetitionerData:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


class RepeatDetected(ValidationError):  # noqa: N818  (a domain name)
    """The petitioner already has an open matter: record a repeat visit on it, or — if the
    clerk confirms this is a different matter — register it linked to the open one."""

    def __init__(self, matches: list[Petition]) -> None:
        self.matches = matches
        refs = "、".join(p.ref for p in matches)
        super().__init__(
            _("This petitioner already has an open matter: %(refs)s.") % {"refs": refs},
            code="repeat",
        )


# --- rules and clocks -------------------------------------------------------------------------


def active_rule(rule_id: str) -> Rule | None:
    return Rule.objects.filter(rule_id=rule_id, active=True).first()


def group_reps_limit() -> int | None:
    """The most representatives a group visit may send (NAT-GROUP-REPS), None if not in force."""
    rule = active_rule(GROUP_REPS_RULE)
    return int(rule.param("max")) if rule is not None and rule.param("max") is not None else None


def _start(
    step: str,
    petition: Petition,
    start: dt.date,
    unit: OrgUnit | None,
    calendar: WorkCalendar,
    **kwargs: Any,
) -> Clock | None:
    rule = active_rule(STEP_RULES[step])
    if rule is None:
        return None
    return clock_start(
        rule=rule,
        item=petition,
        step=step,
        start=start,
        unit=unit,
        label=f"{petition.ref}",
        subject_unit=petition.subject_unit,
        subject_person=petition.subject_person,
        calendar=calendar,
        **kwargs,
    )


def running_clocks(petition: Petition, step: str, unit: OrgUnit | None = None) -> list[Clock]:
    clocks = Clock.objects.for_item(petition).filter(step=step, state__in=RUNNING)
    if unit is not None:
        clocks = clocks.filter(unit=unit)
    return list(clocks.select_related("rule"))


def _complete(petition: Petition, step: str, on: dt.date, unit: OrgUnit | None = None) -> None:
    for clock in running_clocks(petition, step, unit):
        clock_complete(clock=clock, done_on=max(on, clock.start))


def _cancel(petition: Petition, step: str, reason: str, unit: OrgUnit | None = None) -> None:
    for clock in running_clocks(petition, step, unit):
        clock_cancel(clock=clock, reason=reason)


def _refresh_due(petition: Petition) -> None:
    """Keep the matter's next due date (list filter and sort) in step with its open clocks."""
    petition.due = (
        Clock.objects.for_item(petition)
        .filter(state=ClockState.OPEN)
        .aggregate(first=Min("due"))["first"]
    )


# Hooks of the rooms built on the ledger, which the ledger does not import (the roster registers
# its reception matters in petitions.roster.services):
#: the items whose clocks carry the matter's subject, besides the matter itself
CLOCK_ITEMS: list[Callable[[Petition], Iterable[Any]]] = []
#: what else a written answer to the petitioner completes, given the matter and the day
ON_ANSWER: list[Callable[[Petition, dt.date], None]] = []


def _save(petition: Petition, reason: str) -> Petition:
    _refresh_due(petition)
    validated_save(petition, reason)
    _sync_clock_subjects(petition)
    return petition


def _sync_clock_subjects(petition: Petition) -> None:
    """The clocks of the matter (and of its reception matters) keep its subject, so that they
    and their reminders never reach the unit or person complained about."""
    clocks_set_subject(
        items=[petition, *(item for items in CLOCK_ITEMS for item in items(petition))],
        subject_unit=petition.subject_unit,
        subject_person=petition.subject_person,
    )


def _event(petition: Petition, on: dt.date, kind: str, text: str, user: Any) -> None:
    validated_save(PetitionEvent(petition=petition, on=on, kind=kind, text=text, user=user), kind)


def _claim(
    petition: Petition,
    *fields: str,
    taken: dict[str, str] | None = None,
    changed: str | None = None,
) -> Petition:
    """Lock the matter and read it again; refuse when another user moved it meanwhile: with
    `taken[new status]` when its status moved, else with `changed` (or a general message)."""
    status = petition.status
    try:
        return claim(petition, fields=("status", *fields))
    except ConcurrentChange:
        message = (taken or {}).get(petition.status) if petition.status != status else changed
        raise ConcurrentChange(
            message
            or _(
                "Someone else has just handled this matter; it is now “%(status)s”. Reload "
                "the page to see what was done."
            )
            % {"status": petition.get_status_display()}
        ) from None


def _not_before(on: dt.date, earlier: dt.date | None, message: str) -> None:
    if earlier is not None and on < earlier:
        raise ValidationError(message)


# --- confidentiality of routing ----------------------------------------------------------------


def is_about(petition: Petition, unit: OrgUnit) -> bool:
    """True when `unit` is the unit complained about or lies under it (it may never handle or
    see the matter)."""
    subject = petition.subject_unit
    if subject is not None and unit.path.startswith(subject.path):
        return True
    person = petition.subject_person
    return person is not None and person.unit_id == unit.pk


def _refuse_subject(petition: Petition, unit: OrgUnit, field: str = "unit") -> None:
    if is_about(petition, unit):
        raise ValidationError(
            {
                field: _(
                    "%(unit)s is the unit complained about (or under it): the matter may not "
                    "be sent there (信访工作条例第30条)."
                )
                % {"unit": unit.name}
            }
        )


# --- intake -------------------------------------------------------------------------------------


def find_open_matters(id_numbers: Iterable[str], *, user: Any) -> list[Petition]:
    numbers = [normalise_id_number(n) for n in id_numbers if n]
    if not numbers:
        return []
    return list(
        Petition.objects.visible_to(user)
        .open()
        .filter(petitioners__id_number__in=numbers)
        .distinct()
        .order_by("received_on", "pk")
    )


def _clean_petitioners(
    petitioners: Sequence[PetitionerData], channel: str, headcount: int
) -> list[PetitionerData]:
    if not petitioners:
        raise ValidationError(_("Enter at least one petitioner."))
    limit = group_reps_limit()
    if limit is not None and len(petitioners) > limit:
        raise ValidationError(
            _(
                "A group visit sends at most %(max)d representatives (%(rule)s); "
                "%(count)d were entered. Record the others in the headcount."
            )
            % {"max": limit, "rule": GROUP_REPS_RULE, "count": len(petitioners)}
        )
    if headcount < len(petitioners):
        raise ValidationError(
            {"headcount": _("The headcount cannot be smaller than the number of petitioners.")}
        )
    cleaned: list[PetitionerData] = []
    errors: list[str] = []
    for index, data in enumerate(petitioners, start=1):
        number, phone = normalise_id_number(data.id_number), normalise_phone(data.phone)
        prefix = _("Petitioner %(n)d: ") % {"n": index}
        if not data.name.strip():
            errors.append(prefix + _("enter the name."))
        if number:
            try:
                validate_id_number(number)
            except ValidationError as exc:
                errors.extend(prefix + str(message) for message in exc.messages)
        elif channel == Channel.VISIT:
            errors.append(prefix + _("a visitor's ID number is required."))
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                errors.extend(prefix + str(message) for message in exc.messages)
        cleaned.append(PetitionerData(data.name.strip(), number, phone, data.address.strip()))
    numbers = [p.id_number for p in cleaned if p.id_number]
    if len(numbers) != len(set(numbers)):
        errors.append(_("The same ID number was entered twice."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def new_petition_ref(receiving_unit: OrgUnit, received_on: dt.date) -> str:
    """The next petition number of the receiving unit's county (directory.numbering)."""
    return next_ref(
        PETITION,
        unit=receiving_unit,
        on=received_on,
        taken=lambda ref: Petition.all_objects.filter(ref=ref).exists(),
    )


@transaction.atomic
def petition_register(
    *,
    acting_user: Any,
    receiving_unit: OrgUnit,
    received_on: dt.date,
    today: dt.date,
    channel: str,
    summary: str,
    content: str,
    category: str,
    petitioners: Sequence[PetitionerData],
    headcount: int = 1,
    township: OrgUnit | None = None,
    subject_unit: OrgUnit | None = None,
    subject_person: Person | None = None,
    subject_text: str = "",
    attachments: Sequence[UploadedFile] = (),
    lead_unit: OrgUnit | None = None,
    co_units: Sequence[OrgUnit] = (),
    instructions: str = "",
    linked_to: Petition | None = None,
    ref: str = "",
    check_repeats: bool = True,
    calendar: WorkCalendar | None = None,
) -> Petition:
    """Register a petition; route it at once when a lead unit is given.

    Raises RepeatDetected when a petitioner has an open matter, unless `linked_to` names it
    (the clerk confirmed this is a different matter: it is registered, flagged and linked).
    A ledger import keeps the ledger's `ref` and does not look for repeats (old ledgers hold
    several matters of one petitioner)."""
    calendar = calendar or WorkCalendar()
    if received_on > today:
        raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    cleaned = _clean_petitioners(petitioners, channel, headcount)
    matches = (
        find_open_matters([p.id_number for p in cleaned], user=acting_user) if check_repeats else []
    )
    if matches and (linked_to is None or linked_to not in matches):
        raise RepeatDetected(matches)
    if (
        subject_person is not None
        and subject_unit is None
        and subject_person.unit.kind not in JURISDICTION_KINDS
    ):
        # The person's unit is kept out as well; a county leader belongs to the county itself,
        # which would hide the matter from the whole county, so only the leader is kept out.
        subject_unit = subject_person.unit
    petition = Petition(
        ref=ref or new_petition_ref(receiving_unit, received_on),
        received_on=received_on,
        channel=channel,
        headcount=headcount,
        summary=summary,
        content=content,
        category=category,
        township=township,
        subject_unit=subject_unit,
        subject_person=subject_person,
        subject_text=subject_text,
        receiving_unit=receiving_unit,
        repeat_of=linked_to,
        created_by=acting_user,
    )
    validated_save(petition, "registered")
    for position, data in enumerate(cleaned):
        validated_save(
            Petitioner(petition=petition, position=position, **data.__dict__), "registered"
        )
    for upload in attachments:
        attachment_add(petition=petition, upload=upload, acting_user=acting_user)
    text = _("Registered (%(channel)s).") % {"channel": Channel(channel).label}
    if linked_to is not None:
        text += " " + _("Linked to the open matter %(ref)s.") % {"ref": linked_to.ref}
    _event(petition, received_on, "registered", text, acting_user)
    _start(REGISTER, petition, received_on, receiving_unit, calendar)
    if lead_unit is not None:
        return _route(
            petition=petition,
            lead_unit=lead_unit,
            co_units=co_units,
            on=received_on,
            instructions=instructions,
            acting_user=acting_user,
            calendar=calendar,
        )
    return _save(petition, "registered")


@transaction.atomic
def petition_record_repeat(
    *, petition: Petition, received_on: dt.date, channel: str, note: str, acting_user: Any
) -> PetitionRepeat:
    """The same petitioner came again about this open matter: flag it here, register nothing."""
    _claim(petition)  # the count read under the lock: two clerks at once count two visits
    if not petition.is_open:
        raise ValidationError(_("This matter is closed; a new request is registered anew."))
    repeat = validated_save(
        PetitionRepeat(
            petition=petition,
            received_on=received_on,
            channel=channel,
            note=note,
            recorded_by=acting_user,
        ),
        "repeat visit",
    )
    petition.repeat_count += 1
    _event(petition, received_on, "repeat", note or _("Repeat visit recorded."), acting_user)
    _save(petition, "repeat visit")
    return repeat


def attachment_add(
    *, petition: Petition, upload: UploadedFile, acting_user: Any
) -> PetitionAttachment:
    content_type = check_upload(upload)
    attachment = PetitionAttachment(
        petition=petition,
        original_name=(upload.name or "")[-200:],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    return validated_save(attachment, "attachment added")


# --- routing --------------------------------------------------------------------------------------


@transaction.atomic
def petition_route(
    *,
    petition: Petition,
    lead_unit: OrgUnit | None,
    co_units: Sequence[OrgUnit] = (),
    on: dt.date,
    instructions: str = "",
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    """Route (交办/转送) to a lead unit and co-handling units; refused for the unit complained
    about. A new lead unit replaces one that objected or is withdrawn."""
    _claim(petition, "lead_unit", "accepted_on")
    return _route(
        petition=petition,
        lead_unit=lead_unit,
        co_units=co_units,
        on=on,
        instructions=instructions,
        acting_user=acting_user,
        calendar=calendar,
    )


def _route(
    *,
    petition: Petition,
    lead_unit: OrgUnit | None,
    co_units: Sequence[OrgUnit],
    on: dt.date,
    instructions: str,
    acting_user: Any,
    calendar: WorkCalendar | None,
) -> Petition:
    calendar = calendar or WorkCalendar()
    if not petition.is_open:
        raise ValidationError(_("This matter is closed."))
    if petition.accepted_on is not None and lead_unit is not None:
        raise ValidationError(_("The matter has been accepted; its lead unit no longer changes."))
    _not_before(on, petition.received_on, _("A matter cannot be routed before it was received."))
    for unit in [u for u in (lead_unit, *co_units) if u is not None]:
        _refuse_subject(petition, unit, "lead_unit" if unit == lead_unit else "co_units")
        if unit.kind not in OFFICE_KINDS:
            raise ValidationError(
                {"lead_unit": _("Route matters to a township or a county department.")}
            )
    active = {a.unit_id: a for a in petition.assignments.filter(state=AssignmentState.ACTIVE)}
    if lead_unit is not None:
        _replace_lead(petition, lead_unit, on, acting_user)
    routed: list[tuple[OrgUnit, str]] = []
    if lead_unit is not None and lead_unit.pk not in active:
        routed.append((lead_unit, AssignmentRole.LEAD))
    routed += [(u, AssignmentRole.CO) for u in co_units if u.pk not in active and u != lead_unit]
    if not routed:
        raise ValidationError(_("Choose a unit the matter is not already with."))
    for unit, role in routed:
        validated_save(
            PetitionAssignment(
                petition=petition,
                unit=unit,
                role=role,
                assigned_on=on,
                instructions=instructions,
                assigned_by=acting_user,
            ),
            "routed",
        )
        _start(OBJECT, petition, on, unit, calendar)
        if role == AssignmentRole.LEAD:
            _start(ACCEPT, petition, on, unit, calendar)
    names = "、".join(f"{u.name}（{AssignmentRole(r).label}）" for u, r in routed)
    _event(petition, on, "routed", _("Routed to %(units)s.") % {"units": names}, acting_user)
    _complete(petition, REGISTER, on)
    if petition.routed_on is None:
        petition.routed_on = on
    if petition.status == PetitionStatus.REGISTERED and petition.lead_unit_id:
        petition.status = PetitionStatus.ROUTED
    return _save(petition, "routed")


def _replace_lead(petition: Petition, lead_unit: OrgUnit, on: dt.date, user: Any) -> None:
    current = petition.assignments.filter(
        role=AssignmentRole.LEAD, state=AssignmentState.ACTIVE
    ).first()
    if current is not None and current.unit_id != lead_unit.pk:
        current.state = AssignmentState.WITHDRAWN
        validated_save(current, "lead unit replaced")
        _cancel(petition, ACCEPT, "lead unit replaced", current.unit)
        _cancel(petition, OBJECT, "lead unit replaced", current.unit)
    petition.lead_unit = lead_unit


def objection_deadline(assignment: PetitionAssignment) -> dt.date | None:
    """The last day the unit may object (NAT-OBJECT), from its running clock or — once the
    clock was withdrawn at acceptance — computed again from the rule; None without the rule."""
    clocks = running_clocks(assignment.petition, OBJECT, assignment.unit)
    if clocks:
        return clocks[0].due
    rule = active_rule(STEP_RULES[OBJECT])
    if rule is None:
        return None
    amount, unit, roll = rule_duration(rule)
    calendar = WorkCalendar().with_provisional()
    return explain_due(
        assignment.assigned_on, amount, unit, roll_to_workday=roll, calendar=calendar
    ).due


@transaction.atomic
def petition_object(
    *, petition: Petition, unit: OrgUnit, on: dt.date, reason: str, acting_user: Any
) -> PetitionAssignment:
    """A unit says the matter is outside its remit (NAT-OBJECT: within 5 working days)."""
    _claim(petition, "lead_unit")
    assignment = petition.assignments.filter(unit=unit, state=AssignmentState.ACTIVE).first()
    if assignment is None:
        if petition.assignments.filter(unit=unit, state=AssignmentState.OBJECTED).exists():
            raise ConcurrentChange(_("This unit's objection has already been recorded."))
        raise ValidationError(_("The matter is not with this unit."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the objection.")})
    _not_before(on, assignment.assigned_on, _("The objection cannot precede the routing."))
    deadline = objection_deadline(assignment)
    if deadline is not None and on > deadline:
        raise ValidationError(
            _("The time to object ended on %(due)s (%(rule)s); the unit must handle the matter.")
            % {"due": deadline, "rule": STEP_RULES[OBJECT]}
        )
    if assignment.role == AssignmentRole.LEAD and petition.accepted_on is not None:
        raise ValidationError(_("The unit has accepted the matter and can no longer object."))
    assignment.state = AssignmentState.OBJECTED
    assignment.objected_on = on
    assignment.objection_reason = reason
    validated_save(assignment, "objected")
    _complete(petition, OBJECT, on, unit)
    if assignment.role == AssignmentRole.LEAD:
        _cancel(petition, ACCEPT, "routing objected", unit)
        petition.lead_unit = None
        petition.status = PetitionStatus.REGISTERED
    _event(
        petition,
        on,
        "objected",
        _("%(unit)s objected: %(reason)s") % {"unit": unit.name, "reason": reason},
        acting_user,
    )
    _save(petition, "objected")
    return assignment


# --- acceptance, answer, extension ----------------------------------------------------------------


@transaction.atomic
def petition_accept(
    *,
    petition: Petition,
    on: dt.date,
    accepted: bool,
    reason: str = "",
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    """The written notice whether the matter is accepted (NAT-ACCEPT). Acceptance starts the
    60-day conclusion clock (NAT-CONCLUDE)."""
    _claim(
        petition,
        "lead_unit",
        taken={
            PetitionStatus.ACCEPTED: _("This matter has already been accepted by someone else."),
            PetitionStatus.NOT_ACCEPTED: _(
                "Someone else has already decided not to accept this matter."
            ),
        },
    )
    if petition.status != PetitionStatus.ROUTED or petition.lead_unit is None:
        raise ValidationError(_("Only a matter routed to a lead unit can be accepted."))
    _not_before(on, petition.routed_on, _("Acceptance cannot precede the routing."))
    _complete(petition, ACCEPT, on, petition.lead_unit)
    # Routing is settled: windows to object that were not used are withdrawn rather than left
    # to run late (a co-handling unit may still object within its window: objection_deadline).
    _cancel(petition, OBJECT, "routing settled by acceptance")
    if accepted:
        petition.status = PetitionStatus.ACCEPTED
        petition.accepted_on = on
        _start(CONCLUDE, petition, on, petition.lead_unit, calendar or WorkCalendar())
        _event(petition, on, "accepted", _("Accepted; the petitioner was told."), acting_user)
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason the matter is not accepted.")})
        petition.status = PetitionStatus.NOT_ACCEPTED
        petition.not_accepted_reason = reason
        petition.closed_on = on
        _cancel_all(petition, "not accepted")
        _event(petition, on, "not_accepted", reason, acting_user)
    return _save(petition, "acceptance notice")


def _cancel_all(petition: Petition, reason: str) -> None:
    for clock in Clock.objects.for_item(petition).filter(state__in=RUNNING):
        clock_cancel(clock=clock, reason=reason)


@transaction.atomic
def petition_extend(
    *, petition: Petition, days: int, reason: str, on: dt.date, acting_user: Any
) -> Clock:
    """The one extension of the conclusion limit (≤ 30 days), its reason told to the petitioner."""
    _claim(
        petition,
        "due",
        changed=_("Someone else has just extended this matter's time limit. Reload the page."),
    )
    clocks = running_clocks(petition, CONCLUDE)
    if not clocks:
        raise ValidationError(_("The matter has no running conclusion deadline to extend."))
    clock = clock_extend(clock=clocks[0], amount=days, reason=reason)
    _event(
        petition,
        on,
        "extended",
        _("Limit extended by %(days)d days to %(due)s; the petitioner was told why: %(reason)s")
        % {"days": days, "due": clock.due, "reason": reason},
        acting_user,
    )
    _save(petition, "extended")
    return clock


@transaction.atomic
def petition_answer(
    *,
    petition: Petition,
    on: dt.date,
    answer: str,
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    """The written answer concludes the matter (NAT-CONCLUDE) and opens the petitioner's
    30 days to ask for review (NAT-REVIEW-ASK)."""
    _claim(
        petition,
        taken={
            PetitionStatus.ANSWERED: _("This matter has already been answered by someone else.")
        },
    )
    if petition.status != PetitionStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted matter can be answered."))
    if not answer.strip():
        raise ValidationError({"answer": _("Enter the written answer.")})
    _not_before(on, petition.accepted_on, _("The answer cannot precede the acceptance."))
    _complete(petition, CONCLUDE, on)
    _complete(petition, SUPERVISE, on)
    for completes in ON_ANSWER:
        completes(petition, on)
    petition.status = PetitionStatus.ANSWERED
    petition.answered_on = on
    petition.answer = answer
    _start(REVIEW_ASK, petition, on, petition.lead_unit, calendar or WorkCalendar())
    _event(petition, on, "answered", answer, acting_user)
    return _save(petition, "answered")


# --- review and re-review -------------------------------------------------------------------------


def _request_window(petition: Petition, step: str, on: dt.date) -> None:
    clocks = running_clocks(petition, step)
    if clocks and on > clocks[0].due:
        raise ValidationError(
            _("The petitioner could ask until %(due)s (%(rule)s); a later request is not accepted.")
            % {"due": clocks[0].due, "rule": STEP_RULES[step]}
        )


@transaction.atomic
def petition_request_review(
    *,
    petition: Petition,
    on: dt.date,
    unit: OrgUnit,
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    _claim(petition)
    if petition.status != PetitionStatus.ANSWERED:
        raise ValidationError(_("A review can be asked only of an answered matter."))
    _not_before(on, petition.answered_on, _("A review cannot be asked before the answer."))
    _refuse_subject(petition, unit)
    _request_window(petition, REVIEW_ASK, on)
    _complete(petition, REVIEW_ASK, on)
    petition.status = PetitionStatus.REVIEW
    petition.review_requested_on = on
    petition.review_unit = unit
    _start(REVIEW_ANSWER, petition, on, unit, calendar or WorkCalendar())
    _event(petition, on, "review_requested", unit.name, acting_user)
    return _save(petition, "review requested")


@transaction.atomic
def petition_answer_review(
    *,
    petition: Petition,
    on: dt.date,
    answer: str,
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    _claim(petition)
    if petition.status != PetitionStatus.REVIEW:
        raise ValidationError(_("The matter is not under review."))
    _not_before(on, petition.review_requested_on, _("The answer cannot precede the request."))
    if not answer.strip():
        raise ValidationError({"answer": _("Enter the review opinion.")})
    _complete(petition, REVIEW_ANSWER, on)
    petition.status = PetitionStatus.REVIEWED
    petition.review_answered_on = on
    petition.review_answer = answer
    _start(RECHECK_ASK, petition, on, petition.review_unit, calendar or WorkCalendar())
    _event(petition, on, "review_answered", answer, acting_user)
    return _save(petition, "review answered")


@transaction.atomic
def petition_request_recheck(
    *,
    petition: Petition,
    on: dt.date,
    unit: OrgUnit,
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Petition:
    _claim(petition)
    if petition.status != PetitionStatus.REVIEWED:
        raise ValidationError(_("A re-review can be asked only after the review opinion."))
    _not_before(on, petition.review_answered_on, _("A re-review cannot precede the review."))
    _refuse_subject(petition, unit)
    _request_window(petition, RECHECK_ASK, on)
    _complete(petition, RECHECK_ASK, on)
    petition.status = PetitionStatus.RECHECK
    petition.recheck_requested_on = on
    petition.recheck_unit = unit
    _start(RECHECK_ANSWER, petition, on, unit, calendar or WorkCalendar())
    _event(petition, on, "recheck_requested", unit.name, acting_user)
    return _save(petition, "re-review requested")


@transaction.atomic
def petition_answer_recheck(
    *, petition: Petition, on: dt.date, answer: str, acting_user: Any
) -> Petition:
    """The re-review opinion is final: the same claim is not accepted again (第36条)."""
    _claim(petition)
    if petition.status != PetitionStatus.RECHECK:
        raise ValidationError(_("The matter is not under re-review."))
    _not_before(on, petition.recheck_requested_on, _("The answer cannot precede the request."))
    if not answer.strip():
        raise ValidationError({"answer": _("Enter the re-review opinion.")})
    _complete(petition, RECHECK_ANSWER, on)
    petition.status = PetitionStatus.CLOSED
    petition.recheck_answered_on = on
    petition.recheck_answer = answer
    petition.closed_on = on
    _end_supervisions(petition, on)
    _event(petition, on, "recheck_answered", answer, acting_user)
    return _save(petition, "re-review answered; closed")


@transaction.atomic
def petition_close(*, petition: Petition, on: dt.date, reason: str, acting_user: Any) -> Petition:
    """Close an answered matter: the petitioner's window for review lapsed, or the petitioner
    accepted the answer (a reason is then required)."""
    _claim(
        petition,
        taken={PetitionStatus.CLOSED: _("This matter has already been closed by someone else.")},
    )
    if petition.status not in (PetitionStatus.ANSWERED, PetitionStatus.REVIEWED):
        raise ValidationError(_("Only an answered matter can be closed."))
    step = REVIEW_ASK if petition.status == PetitionStatus.ANSWERED else RECHECK_ASK
    clocks = running_clocks(petition, step)
    window_open = any(on <= clock.due for clock in clocks)
    if window_open and not reason.strip():
        raise ValidationError(
            {
                "reason": _(
                    "The petitioner may still ask for review until %(due)s; give the reason "
                    "for closing now."
                )
                % {"due": clocks[0].due}
            }
        )
    _cancel(petition, step, reason or "no request within the period")
    petition.status = PetitionStatus.CLOSED
    petition.closed_on = on
    _end_supervisions(petition, on)
    _event(petition, on, "closed", reason or _("No request within the period."), acting_user)
    return _save(petition, "closed")


# --- supervision, return visit, leader in charge -------------------------------------------------


@transaction.atomic
def petition_supervise(
    *,
    petition: Petition,
    mode: str,
    instructions: str,
    unit: OrgUnit,
    on: dt.date,
    due_on: dt.date | None = None,
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Supervision:
    """督办 with the supervising office's instructions; time-limited supervision runs a clock.
    A new time limit replaces the running one (one supervision deadline at a time)."""
    _claim(petition)
    if not petition.is_open:
        raise ValidationError(_("This matter is closed."))
    if mode == SupervisionMode.TIME_LIMITED and due_on is None:
        raise ValidationError({"due_on": _("Time-limited supervision needs a date.")})
    if due_on is not None and due_on <= on:
        raise ValidationError({"due_on": _("The date must be after the start.")})
    supervision = validated_save(
        Supervision(
            petition=petition,
            mode=mode,
            instructions=instructions,
            unit=unit,
            started_on=on,
            due_on=due_on,
            created_by=acting_user,
        ),
        "supervision",
    )
    if due_on is not None:
        _cancel(petition, SUPERVISE, "replaced by a new time-limited supervision")
        _start(
            SUPERVISE,
            petition,
            on,
            petition.lead_unit,
            calendar or WorkCalendar(),
            amount=(due_on - on).days,
            duration_unit="days",
        )
    _event(
        petition,
        on,
        "supervised",
        f"{SupervisionMode(mode).label}: {instructions}",
        acting_user,
    )
    _save(petition, "supervised")
    return supervision


def _end_supervisions(petition: Petition, on: dt.date) -> None:
    for supervision in petition.supervisions.filter(ended_on__isnull=True):
        supervision.ended_on = max(on, supervision.started_on)
        supervision.result = supervision.result or "closed"
        validated_save(supervision, "matter closed")
    _cancel(petition, SUPERVISE, "matter closed")


@transaction.atomic
def petition_return_visit(
    *, petition: Petition, on: dt.date, satisfaction: str, note: str, acting_user: Any
) -> Petition:
    """回访: the petitioner's satisfaction with the answer."""
    _claim(
        petition,
        "return_visit_on",
        "satisfaction",
        changed=_("Someone else has just recorded a return visit on this matter. Reload the page."),
    )
    if petition.answered_on is None:
        raise ValidationError(_("A return visit follows the answer."))
    _not_before(on, petition.answered_on, _("The return visit cannot precede the answer."))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose the petitioner's satisfaction.")})
    petition.return_visit_on = on
    petition.return_visit_note = note
    petition.satisfaction = satisfaction
    _event(petition, on, "return_visit", f"{Satisfaction(satisfaction).label} {note}", acting_user)
    return _save(petition, "return visit")


@transaction.atomic
def petition_charge(
    *,
    petition: Petition,
    leader: Person | None,
    is_backlog: bool,
    on: dt.date,
    acting_user: Any,
) -> Petition:
    """包案: a county leader takes charge of the matter; marks a backlog case (积案)."""
    _claim(
        petition,
        "charge_leader",
        "is_backlog",
        changed=_(
            "Someone else has just changed who is in charge of this matter. Reload the page."
        ),
    )
    if leader is not None:
        if petition.subject_person_id == leader.pk or is_about(petition, leader.unit):
            raise ValidationError({"leader": _("The person complained about cannot take charge.")})
        if petition.charge_leader_id != leader.pk:
            petition.charged_on = on
    petition.charge_leader = leader
    petition.is_backlog = is_backlog
    text = leader.name if leader else _("No leader in charge.")
    _event(petition, on, "charged", text, acting_user)
    return _save(petition, "leader in charge")


def petitioner_reveal(*, petitioner: Petitioner, field: str, user: Any) -> str:
    """The full ID number or phone, logged (the caller has checked the user may see it)."""
    if field not in RevealedField.values:
        raise ValidationError(_("Unknown field."))
    PetitionerAccess.objects.create(
        petitioner=petitioner, petition_id=petitioner.petition_id, field=field, user=user
    )
    return getattr(petitioner, field)


__all__ = [
    "PetitionerData",
    "RepeatDetected",
    "attachment_add",
    "find_open_matters",
    "group_reps_limit",
    "is_about",
    "petition_accept",
    "petition_answer",
    "petition_answer_recheck",
    "petition_answer_review",
    "petition_charge",
    "petition_close",
    "petition_extend",
    "petition_object",
    "petition_record_repeat",
    "petition_register",
    "petition_request_recheck",
    "petition_request_review",
    "petition_return_visit",
    "petition_route",
    "petition_supervise",
    "petitioner_reveal",
]
