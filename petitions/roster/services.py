"""Writes to the reception roster, appointment receptions and the office reception ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from directory.base import validated_save
from directory.claims import claim
from directory.models import LinkKind, OrgUnit, Person
from rules.clocks import RUNNING, clock_complete, clock_start
from rules.models import Clock, Rule
from rules.workdays import WorkCalendar

from ..matters.models import Petition, Supervision, SupervisionMode
from ..matters.services import CLOCK_ITEMS, ON_ANSWER, active_rule, is_about
from .models import (
    Appointment,
    AppointmentMatter,
    DayPart,
    Leave,
    MatterOutcome,
    MissedContact,
    NoticeKind,
    OfficeVisit,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    RescheduledMeeting,
    RosterNotice,
    SpecialPeriod,
)
from .slots import Busy, Proposal, eligibility_problem, generated_rules, slots_for

APPOINTMENT_RULE = "DA-R2"
RECEPTION_REPLY_RULE = "DA-R4"
CALLBACK_RULE = "TY-C1"
RESCHEDULE_RULE = "TY-C2"


# --- the roster -----------------------------------------------------------------------------------


@transaction.atomic
def roster_generate(
    *,
    first: dt.date,
    last: dt.date,
    acting_user: Any,
    rules: Sequence[Rule] | None = None,
    calendar: WorkCalendar | None = None,
) -> int:
    """Create the slots the rules in force ask for in [first, last]; idempotent. Per-person
    duties (a leader's own monthly sitting, a head's Wednesday) are filled with that person."""
    if last < first:
        raise ValidationError(_("The last day comes before the first."))
    if (last - first).days > 366:
        raise ValidationError(_("Generate at most a year at a time."))
    specs = slots_for(
        rules if rules is not None else generated_rules(), first, last, calendar=calendar
    )
    existing: set[str] = set()
    # Duties already on the roster without a slot key (recorded by hand or imported) count too:
    # a person's own duty by (kind, person, day), a unit's duty by (kind, unit, day, post).
    personal: set[tuple[str, int, dt.date]] = set()
    per_unit: set[tuple[str, int, dt.date, str]] = set()
    rows = Reception.objects.filter(date__gte=first, date__lte=last).values_list(
        "slot_key", "kind", "person_id", "subject_id", "unit_id", "date", "post"
    )
    for key, kind, person_id, subject_id, unit_id, day, post in rows:
        existing.add(key)
        if person_id:
            personal.add((kind, person_id, day))
        if not subject_id:
            per_unit.add((kind, unit_id, day, post))
    new = []
    for spec in specs:
        if spec.key in existing:
            continue
        if spec.subject is not None and (spec.kind, spec.subject.pk, spec.date) in personal:
            continue
        if spec.subject is None and (spec.kind, spec.unit.pk, spec.date, spec.post) in per_unit:
            continue
        reception = Reception(
            date=spec.date,
            part=spec.part,
            kind=spec.kind,
            unit=spec.unit,
            person=spec.subject,
            subject=spec.subject,
            post=spec.post,
            rule=spec.rule,
            slot_key=spec.key,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        reception.clean_fields()
        new.append(reception)
    bulk_create_with_history(new, Reception, default_change_reason="roster generated")
    return len(new)


def _duty_changed() -> str:
    return _("Someone else has just changed this duty. Reload the page.")


def _check_free(person: Person, reception: Reception) -> None:
    problem = eligibility_problem(person, reception)
    if problem is None:
        problem = Busy.load([person.pk], reception.date, reception.date).problem(
            person, reception.date, reception.part, reception.pk
        )
    if problem:
        raise ValidationError({"person": problem})


@transaction.atomic
def reception_fill(*, reception: Reception, person: Person | None, acting_user: Any) -> Reception:
    """Put a person on a duty (or clear it); a clash or an absence is refused with its reason."""
    claim(reception, fields=("person", "status"), message=_duty_changed())
    if person is not None:
        _check_free(person, reception)
    reception.person = person
    reception.status = ReceptionStatus.SCHEDULED
    return validated_save(reception, "roster filled by hand")


@transaction.atomic
def roster_apply(*, proposals: Sequence[Proposal], acting_user: Any) -> int:
    """Apply a rotation proposal; a duty filled meanwhile keeps its person."""
    applied = 0
    for proposal in proposals:
        if proposal.person is None:
            continue
        reception = Reception.objects.select_for_update().get(pk=proposal.reception.pk)
        if reception.person_id is not None:
            continue
        _check_free(proposal.person, reception)
        reception.person = proposal.person
        validated_save(reception, "roster rotation")
        applied += 1
    return applied


@transaction.atomic
def reception_create(
    *,
    date: dt.date,
    part: str,
    kind: str,
    unit: OrgUnit,
    person: Person,
    acting_user: Any,
    status: str = ReceptionStatus.SCHEDULED,
    substitute_for: Person | None = None,
    note: str = "",
    check: bool = True,
) -> Reception:
    """A duty or reception outside the generated slots (a down-visit carrying cases, an
    extra sitting, a reception from the ledger)."""
    reception = Reception(
        date=date,
        part=part,
        kind=kind,
        unit=unit,
        person=person,
        status=status,
        substitute_for=substitute_for,
        note=note,
        created_by=acting_user,
    )
    if check:
        _check_free(person, reception)
    return validated_save(reception, "reception recorded")


@transaction.atomic
def reception_substitute(
    *,
    reception: Reception,
    substitute: Person,
    reason: str,
    notified_on: dt.date,
    recipient: str,
    acting_user: Any,
) -> Reception:
    """DA-R3: the leader on duty cannot attend; another leader takes the duty and the first
    convener is told. The original leader is kept as `substitute_for`."""
    claim(reception, fields=("person", "status"), message=_duty_changed())
    if reception.person_id is None:
        raise ValidationError(_("Nobody is on this duty yet: fill it instead."))
    if reception.rule is not None and reception.rule.param("substitution_allowed") is False:
        raise ValidationError(
            _(
                "The rule of this duty (%(rule)s) does not provide for substitutes; change the roster instead."
            )
            % {"rule": reception.rule.rule_id}
        )
    if substitute.pk == reception.person_id:
        raise ValidationError({"substitute": _("The substitute must be another person.")})
    if not reason.strip() or not recipient.strip():
        raise ValidationError(_("Record the reason and who was notified."))
    if notified_on > reception.date:
        raise ValidationError({"notified_on": _("The notice must be given before the duty.")})
    problem = eligibility_problem(substitute, reception) or Busy.load(
        [substitute.pk], reception.date, reception.date
    ).problem(substitute, reception.date, reception.part, reception.pk)
    if problem:
        raise ValidationError({"substitute": problem})
    original = reception.person
    reception.substitute_for = reception.substitute_for or original
    reception.person = substitute
    reception.substitution_reason = reason
    validated_save(reception, f"substitution: {reason}")
    text = _("%(substitute)s replaces %(original)s on %(date)s: %(reason)s") % {
        "substitute": substitute.name,
        "original": original.name if original else "",
        "date": reception.date,
        "reason": reason,
    }
    validated_save(
        RosterNotice(
            reception=reception,
            kind=NoticeKind.SUBSTITUTION,
            recipient=recipient,
            sent_on=notified_on,
            text=text,
            created_by=acting_user,
        ),
        "substitution notice",
    )
    return reception


@transaction.atomic
def reception_set_status(
    *,
    reception: Reception,
    status: str,
    reason: str = "",
    heard: str = "",
    visitors: int = 0,
    acting_user: Any,
) -> Reception:
    """Held (with what was heard), excused (a recorded reason, where the rule allows) or missed."""
    claim(reception, fields=("person", "status"), message=_duty_changed())
    if status == ReceptionStatus.EXCUSED:
        if reception.rule is not None and not reception.rule.param("excusable"):
            raise ValidationError(
                _("The rule of this duty (%(rule)s) does not excuse absences.")
                % {"rule": reception.rule.rule_id}
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Record the reason, e.g. the superior meeting.")})
    if status == ReceptionStatus.HELD and reception.person_id is None:
        raise ValidationError(_("Nobody was on this duty."))
    reception.status = status
    reception.excuse_reason = reason if status == ReceptionStatus.EXCUSED else ""
    if heard:
        reception.heard = heard
    reception.visitors = visitors or reception.visitors
    return validated_save(reception, f"status {status}")


def special_period_declare(
    *, name: str, start: dt.date, end: dt.date, reason: str, acting_user: Any
) -> SpecialPeriod:
    if end < start:
        raise ValidationError({"end": _("The last day comes before the first.")})
    return validated_save(
        SpecialPeriod(name=name, start=start, end=end, reason=reason, declared_by=acting_user),
        "special period declared",
    )


def leave_record(*, person: Person, start: dt.date, end: dt.date, reason: str) -> Leave:
    if end < start:
        raise ValidationError({"end": _("The last day comes before the first.")})
    booked = (
        Reception.objects.filter(person=person, date__gte=start, date__lte=end)
        .filled()
        .order_by("date")
        .first()
    )
    if booked is not None:
        raise ValidationError(
            _("%(name)s is on duty on %(date)s: arrange a substitute for that duty first.")
            % {"name": person.name, "date": booked.date}
        )
    return validated_save(Leave(person=person, start=start, end=end, reason=reason), "absence")


# --- appointment receptions (DA-R2, DA-R4) ----------------------------------------------------------


def matter_bounds() -> tuple[int, int | None]:
    rule = active_rule(APPOINTMENT_RULE)
    if rule is None:
        return 1, None
    return int(rule.param("count") or 1), rule.param("max_count")


def leader_reach(person: Person) -> tuple[set[int], set[int]]:
    """(township ids, other unit ids) a leader is linked to: the townships and the sector."""
    townships, others = set(), set()
    for link in person.links.select_related("unit"):
        if link.kind == LinkKind.LINKED_TOWNSHIP:
            townships.add(link.unit_id)
        else:
            others.add(link.unit_id)
    return townships, others


@transaction.atomic
def appointment_create(
    *,
    reception: Reception,
    petitions: Sequence[Petition],
    consent_on: dt.date | None,
    consent_note: str,
    acting_user: Any,
) -> Appointment:
    """Pick 1–3 open matters (DA-R2) from the duty leader's linked township or sector."""
    if reception.kind != ReceptionKind.BUREAU_SITTING or reception.person is None:
        raise ValidationError(_("Appointments are made for a filled duty at the reception centre."))
    low, high = matter_bounds()
    if len(petitions) < low or (high is not None and len(petitions) > int(high)):
        raise ValidationError(
            {
                "petitions": _("Choose between %(low)d and %(high)s matters (%(rule)s).")
                % {"low": low, "high": high or "…", "rule": APPOINTMENT_RULE}
            }
        )
    leader = reception.person
    townships, sector = leader_reach(leader)
    for petition in petitions:
        if not petition.is_open:
            raise ValidationError({"petitions": _("%(ref)s is closed.") % {"ref": petition.ref}})
        if is_about(petition, leader.unit) or petition.subject_person_id == leader.pk:
            raise ValidationError(
                {"petitions": _("%(ref)s concerns the leader's own unit.") % {"ref": petition.ref}}
            )
        if petition.township_id not in townships and petition.lead_unit_id not in sector:
            raise ValidationError(
                {
                    "petitions": _("%(ref)s is not from the leader's linked township or sector.")
                    % {"ref": petition.ref}
                }
            )
    appointment = validated_save(
        Appointment(
            reception=reception,
            consent_on=consent_on,
            consent_note=consent_note,
            created_by=acting_user,
        ),
        "appointment",
    )
    for petition in petitions:
        validated_save(AppointmentMatter(appointment=appointment, petition=petition), "appointment")
    if consent_on is not None:
        _notice(appointment, NoticeKind.CONSENT, leader.name, consent_on, consent_note, acting_user)
    return appointment


def _notice(
    appointment: Appointment,
    kind: str,
    recipient: str,
    on: dt.date,
    text: str,
    user: Any,
    unit: OrgUnit | None = None,
) -> RosterNotice:
    return validated_save(
        RosterNotice(
            reception=appointment.reception,
            kind=kind,
            recipient=recipient,
            unit=unit,
            sent_on=on,
            text=text,
            created_by=user,
        ),
        kind,
    )


@transaction.atomic
def appointment_consent(
    *, appointment: Appointment, on: dt.date, note: str, acting_user: Any
) -> Appointment:
    claim(
        appointment,
        fields=("consent_on",),
        message=_("Someone else has just recorded the leader's consent. Reload the page."),
    )
    appointment.consent_on = on
    appointment.consent_note = note
    validated_save(appointment, "consent")
    _notice(
        appointment, NoticeKind.CONSENT, appointment.reception.person.name, on, note, acting_user
    )
    return appointment


@transaction.atomic
def appointment_invite(
    *, matter: AppointmentMatter, on: dt.date, note: str, acting_user: Any
) -> AppointmentMatter:
    """The petitioner is invited, once the leader has consented."""
    claim(
        matter,
        fields=("invited_on",),
        message=_("Someone else has just invited this petitioner. Reload the page."),
    )
    if matter.appointment.consent_on is None:
        raise ValidationError(_("Record the leader's consent before inviting petitioners."))
    matter.invited_on = on
    matter.invitation_note = note
    validated_save(matter, "invited")
    petitioner = matter.petition.petitioners.first()
    _notice(
        matter.appointment,
        NoticeKind.INVITATION,
        petitioner.name if petitioner else matter.petition.ref,
        on,
        f"{matter.petition.ref} {note}",
        acting_user,
    )
    return matter


@transaction.atomic
def appointment_notify(
    *, appointment: Appointment, unit: OrgUnit, on: dt.date, text: str, acting_user: Any
) -> RosterNotice:
    """Notice to the township and departments that receive the petitioner with the leader."""
    for matter in appointment.matters.select_related(
        "petition__subject_unit", "petition__subject_person"
    ):
        if is_about(matter.petition, unit):
            raise ValidationError(
                {
                    "unit": _("%(unit)s is complained about in %(ref)s and may not be told.")
                    % {"unit": unit.name, "ref": matter.petition.ref}
                }
            )
    return _notice(appointment, NoticeKind.UNIT_NOTICE, unit.name, on, text, acting_user, unit)


@dataclass(frozen=True)
class MatterResult:
    matter: AppointmentMatter
    outcome: str
    decision: str = ""
    follow_up_owner: Person | None = None
    assigned_unit: OrgUnit | None = None
    reply_days: int | None = None


@transaction.atomic
def appointment_record(
    *,
    appointment: Appointment,
    on: dt.date,
    heard: str,
    results: Sequence[MatterResult],
    acting_user: Any,
    calendar: WorkCalendar | None = None,
) -> Appointment:
    """The reception record: what the leader heard and, per matter, the decision on the spot,
    the follow-up owner, or the unit it is assigned to — supervised with a reply clock (DA-R4).
    Recorded once: the reply clocks and supervisions it starts are not started twice."""
    claim(
        appointment,
        fields=("recorded_on",),
        message=_("Someone else has just recorded this reception."),
    )
    if appointment.recorded_on is not None:
        raise ValidationError(_("This reception has already been recorded."))
    if on != appointment.reception.date:
        raise ValidationError({"on": _("Record the reception on its duty day.")})
    if not heard.strip():
        raise ValidationError({"heard": _("Record what the leader heard.")})
    calendar = calendar or WorkCalendar()
    for result in results:
        _record_matter(result, on, acting_user, calendar)
    appointment.heard = heard
    appointment.recorded_on = on
    validated_save(appointment, "reception recorded")
    reception = appointment.reception
    reception.status = ReceptionStatus.HELD
    reception.heard = reception.heard or heard
    validated_save(reception, "reception held")
    return appointment


def _record_matter(result: MatterResult, on: dt.date, user: Any, calendar: WorkCalendar) -> None:
    matter = result.matter
    if result.outcome not in MatterOutcome.values or not result.outcome:
        raise ValidationError({"outcome": _("Choose the outcome of each matter.")})
    if result.outcome == MatterOutcome.FOLLOW_UP and result.follow_up_owner is None:
        raise ValidationError({"follow_up_owner": _("Name the follow-up owner.")})
    if result.outcome == MatterOutcome.ASSIGNED:
        if result.assigned_unit is None or not result.reply_days:
            raise ValidationError(
                {"assigned_unit": _("Name the unit and the days it has for a written reply.")}
            )
        if is_about(matter.petition, result.assigned_unit):
            raise ValidationError(
                {"assigned_unit": _("The matter may not go to the unit complained about.")}
            )
    matter.outcome = result.outcome
    matter.decision = result.decision
    matter.follow_up_owner = result.follow_up_owner
    matter.assigned_unit = result.assigned_unit
    if result.outcome == MatterOutcome.ASSIGNED:
        rule = active_rule(RECEPTION_REPLY_RULE)
        if rule is not None:
            clock = clock_start(
                rule=rule,
                item=matter,
                step="reply",
                start=on,
                unit=result.assigned_unit,
                label=matter.petition.ref,
                subject_unit=matter.petition.subject_unit,
                subject_person=matter.petition.subject_person,
                amount=int(result.reply_days),
                calendar=calendar,
            )
            matter.reply_by = clock.due
        validated_save(
            Supervision(
                petition=matter.petition,
                mode=SupervisionMode.TRACKING,
                instructions=result.decision or _("Assigned at a leader's reception."),
                unit=matter.appointment.reception.unit,
                started_on=on,
                due_on=matter.reply_by,
                created_by=user,
            ),
            "assigned at reception",
        )
    validated_save(matter, "reception outcome")


@transaction.atomic
def appointment_matter_replied(*, matter: AppointmentMatter, on: dt.date) -> AppointmentMatter:
    """The handling unit replied to the petitioner in writing: the DA-R4 clock freezes."""
    claim(matter, fields=("replied_on",), message=_("The reply has already been recorded."))
    for clock in Clock.objects.for_item(matter).filter(state__in=RUNNING):
        clock_complete(clock=clock, done_on=max(on, clock.start))
    matter.replied_on = on
    return validated_save(matter, "written reply")


# --- office reception ledger (TY-C1, TY-C2, TY-C3) ----------------------------------------------------


def office_visit_record(*, visit: OfficeVisit, acting_user: Any) -> OfficeVisit:
    visit.created_by = acting_user
    return validated_save(visit, "office visit")


@transaction.atomic
def missed_contact_record(
    *, contact: MissedContact, acting_user: Any, calendar: WorkCalendar | None = None
) -> MissedContact:
    """A missed call or message: TY-C1 runs its callback clock (by the end of the next working day)."""
    contact.created_by = acting_user
    validated_save(contact, "missed contact")
    rule = active_rule(CALLBACK_RULE)
    if rule is not None:
        clock_start(
            rule=rule,
            item=contact,
            step="callback",
            start=contact.missed_on,
            unit=contact.unit,
            person=contact.person,
            label=contact.person.name,
            calendar=calendar,
        )
    return contact


@transaction.atomic
def missed_contact_return(*, contact: MissedContact, on: dt.date, note: str) -> MissedContact:
    claim(contact, fields=("done_on",), message=_("Someone else has just returned this call."))
    if contact.done_on is not None:
        raise ValidationError(_("Already returned."))
    if on < contact.missed_on:
        raise ValidationError({"on": _("The callback cannot precede the missed call.")})
    for clock in Clock.objects.for_item(contact).filter(state__in=RUNNING):
        clock_complete(clock=clock, done_on=on)
    contact.done_on = on
    contact.return_note = note
    return validated_save(contact, "returned")


@transaction.atomic
def rescheduled_record(
    *, meeting: RescheduledMeeting, acting_user: Any, calendar: WorkCalendar | None = None
) -> RescheduledMeeting:
    """TY-C2: the visitor agreed another time (or person); tracked to the meeting."""
    if meeting.new_date < meeting.requested_on:
        raise ValidationError({"new_date": _("The new date cannot precede the visit.")})
    meeting.created_by = acting_user
    validated_save(meeting, "rescheduled")
    rule = active_rule(RESCHEDULE_RULE)
    if rule is not None:
        clock_start(
            rule=rule,
            item=meeting,
            step="meet",
            start=meeting.requested_on,
            unit=meeting.unit,
            person=meeting.person,
            label=meeting.person.name,
            amount=(meeting.new_date - meeting.requested_on).days,
            duration_unit="days",
            calendar=calendar,
        )
    return meeting


@transaction.atomic
def rescheduled_done(
    *, meeting: RescheduledMeeting, on: dt.date, outcome: str
) -> RescheduledMeeting:
    claim(meeting, fields=("done_on",), message=_("Someone else has just recorded this meeting."))
    if meeting.done_on is not None:
        raise ValidationError(_("Already received."))
    if on < meeting.requested_on:
        raise ValidationError({"on": _("The meeting cannot precede the visit.")})
    for clock in Clock.objects.for_item(meeting).filter(state__in=RUNNING):
        clock_complete(clock=clock, done_on=on)
    meeting.done_on = on
    meeting.outcome = outcome
    return validated_save(meeting, "received")


def _complete_reception_replies(petition: Petition, on: dt.date) -> None:
    """A written answer to the petitioner is also the reply owed for matters assigned at a
    leader's reception (DA-R4)."""
    for matter in AppointmentMatter.objects.filter(petition=petition, replied_on__isnull=True):
        if matter.outcome:
            appointment_matter_replied(matter=matter, on=on)


# The petition ledger's hooks (petitions.matters.services does not import the roster): the clocks
# of a reception's matters follow the petition's subject, and a written answer to the petitioner
# is also the reply owed for them.
CLOCK_ITEMS.append(lambda petition: AppointmentMatter.objects.filter(petition=petition))
ON_ANSWER.append(_complete_reception_replies)


__all__ = [
    "DayPart",
    "MatterResult",
    "appointment_consent",
    "appointment_create",
    "appointment_invite",
    "appointment_matter_replied",
    "appointment_notify",
    "appointment_record",
    "leave_record",
    "missed_contact_record",
    "missed_contact_return",
    "office_visit_record",
    "reception_create",
    "reception_fill",
    "reception_set_status",
    "reception_substitute",
    "rescheduled_done",
    "rescheduled_record",
    "roster_apply",
    "roster_generate",
    "special_period_declare",
]
