"""Writes: registering, assigning, contact, answers, feedback and second handling; sessions;
the public lists. Every write that touches several records is one function here.

Deadlines are the DEADLINE rule rows whose `start_event` is one of this app's events
(`proposal_assigned`, `feedback_unsatisfied`): each such rule starts a clock whose step is the
rule's `end_event`, and recording that event completes it. Nothing here names a rule id or a
duration; rules whose limit the item sets (`item_sets_limit`, e.g. TJ-P1) start no clock of
their own: TJ-P1 says between-sessions items follow the same clocks (see evaluators)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from directory import numbering
from directory.base import validated_save as _save
from directory.claims import ConcurrentChange, claim
from directory.models import OrgUnit, Person, Post, jurisdiction_path
from rules.clocks import clock_complete, clock_mark_complex, clock_start
from rules.models import Clock, ClockState, Rule, RuleKind
from rules.workdays import UnknownCalendarYear, WorkCalendar

from .documents import validate_document
from .models import (
    BODY_POSTS,
    FIRST_HANDLING,
    Answer,
    CoHandling,
    Contact,
    Feedback,
    Kind,
    LiaisonOffice,
    ListProgress,
    Proposal,
    ProposalAuthor,
    PublicListItem,
    Session,
    Stage,
)

# Events of a proposal's handling, as the rule packs name them.
EVENT_ASSIGNED = "proposal_assigned"
EVENT_UNSATISFIED = "feedback_unsatisfied"
STEP_CONTACT = "author_contacted"
STEP_ANSWER = "proposal_answered"
STEP_SECOND_ANSWER = "second_answered"
ANSWER_STEPS = {1: STEP_ANSWER, 2: STEP_SECOND_ANSWER}
RUNNING = (ClockState.OPEN, ClockState.PAUSED)


# --- clocks -------------------------------------------------------------------------------------


def clock_rules(event: str) -> list[Rule]:
    """Active DEADLINE rules started by `event` that carry their own duration."""
    rules = (
        Rule.objects.active()
        .of_kind(RuleKind.DEADLINE)
        .filter(params__start_event=event)
        .order_by("sort_order", "rule_id")
    )
    return [rule for rule in rules if rule.param("amount") and not rule.param("item_sets_limit")]


def _start_clocks(
    proposal: Proposal, event: str, start: dt.date, calendar: WorkCalendar | None
) -> list[Clock]:
    calendar = calendar or WorkCalendar()
    clocks = []
    try:
        for rule in clock_rules(event):
            clocks.append(
                clock_start(
                    rule=rule,
                    item=proposal,
                    step=rule.param("end_event"),
                    start=start,
                    unit=proposal.lead_unit,
                    label=rule.title[:200],
                    complex_item=proposal.complex and bool(rule.param("complex_amount")),
                    calendar=calendar,
                )
            )
    except UnknownCalendarYear as exc:
        raise ValidationError(str(exc)) from exc
    return clocks


def _running_clocks(proposal: Proposal, step: str) -> list[Clock]:
    return list(
        Clock.objects.for_item(proposal)
        .filter(step=step, state__in=RUNNING)
        .select_related("rule")
        .order_by("pk")
    )


def _complete_clocks(proposal: Proposal, step: str, done_on: dt.date) -> None:
    for clock in _running_clocks(proposal, step):
        clock_complete(clock=clock, done_on=done_on)


def _lock(
    proposal: Proposal, *fields: str, taken: str | None = None, changed: str | None = None
) -> None:
    """Lock the item and read it again: of two people doing a step at once (or a form sent
    twice) the second finds the step taken and is told so (`taken` when the stage moved,
    `changed` when another of `fields` did)."""
    stage = proposal.stage
    try:
        claim(proposal, fields=("stage", *fields))
    except ConcurrentChange:
        raise ConcurrentChange(
            (taken if proposal.stage != stage else changed)
            or _(
                "Someone else has just handled this item; it is now “%(stage)s”. Reload the "
                "page to see what was done."
            )
            % {"stage": proposal.get_stage_display()}
        ) from None


# --- sessions -----------------------------------------------------------------------------------


def session_save(*, session: Session, reason: str = "") -> Session:
    return _save(session, reason or "session saved")


# --- registering and assigning ---------------------------------------------------------------------


def numbering_unit(session: Session, authors: Sequence[Person]) -> OrgUnit | None:
    """The unit whose county numbers a session's items: the body's liaison office in the lead
    author's jurisdiction (or the only one there is), else the lead author's unit."""
    lead = authors[0].unit if authors else None
    offices = [
        o.unit for o in LiaisonOffice.objects.filter(body=session.body).select_related("unit")
    ]
    if lead is not None:
        inside = [u for u in offices if lead.path.startswith(jurisdiction_path(u))]
        if inside:
            return inside[0]
    if len(offices) == 1 or lead is None:
        return offices[0] if offices else None
    return lead


def next_ref(session: Session, kind: str, authors: Sequence[Person] = ()) -> str:
    """The next number of the session's county and year (directory.numbering), e.g.
    QHX-JY-2026-0012 (a suggestion, 建议) or QHX-TA-2026-0003 (a proposal, 提案)."""
    unit = numbering_unit(session, authors)
    if unit is None:
        raise ValidationError(_("Give at least one author."))
    return numbering.next_ref(
        numbering.SUGGESTION if kind == Kind.SUGGESTION else numbering.PROPOSAL,
        unit=unit,
        on=session.opens,
        taken=lambda ref: Proposal.all_objects.filter(ref=ref).exists(),
    )


def _check_authors(session: Session, authors: Sequence[Person]) -> None:
    if not authors:
        raise ValidationError({"authors": _("Give at least one author.")})
    post = BODY_POSTS.get(session.body)
    if post is None:
        return
    wrong = [str(person) for person in authors if not person.has_post(post)]
    if wrong:
        raise ValidationError(
            {
                "authors": _("Not a %(post)s: %(names)s.")
                % {"post": Post(post).label, "names": "、".join(wrong)}
            }
        )


@transaction.atomic
def proposal_set_authors(*, proposal: Proposal, authors: Sequence[Person]) -> None:
    """The authors in order: the first is the lead author (领衔人)."""
    _check_authors(proposal.session, authors)
    existing = {a.person_id: a for a in proposal.authorships.all()}
    wanted = [person.pk for person in authors]
    for position, person in enumerate(authors):
        entry = existing.get(person.pk) or ProposalAuthor(proposal=proposal, person=person)
        if entry.pk and entry.position == position and entry.is_lead == (position == 0):
            continue
        entry.position, entry.is_lead = position, position == 0
        _save(entry, "authors set")
    for person_id, entry in existing.items():
        if person_id not in wanted:
            entry.delete()


@transaction.atomic
def proposal_register(
    *,
    session: Session,
    kind: str,
    submitted: dt.date,
    title: str,
    authors: Sequence[Person],
    in_session: bool = True,
    text: str = "",
    category: str = "",
    ref: str = "",
    reason: str = "",
) -> Proposal:
    """Register an item as the liaison office receives it (立案)."""
    _check_authors(session, authors)
    proposal = Proposal(
        ref=ref or next_ref(session, kind, authors),
        kind=kind,
        session=session,
        in_session=in_session,
        submitted=submitted,
        title=title,
        text=text,
        category=category,
    )
    _save(proposal, reason or "registered")
    proposal_set_authors(proposal=proposal, authors=authors)
    return proposal


@transaction.atomic
def proposal_assign(
    *,
    proposal: Proposal,
    lead_unit: OrgUnit,
    assigned_on: dt.date,
    co_units: Sequence[OrgUnit] = (),
    calendar: WorkCalendar | None = None,
    reason: str = "",
) -> Proposal:
    """Assign to a lead unit (主办) and co-handling units (协办) on a date: the contact and
    answer clocks start (TY-P1, TY-P2)."""
    _lock(proposal, taken=_("This item has already been assigned by someone else."))
    if proposal.stage != Stage.REGISTERED:
        raise ValidationError(_("This item has already been assigned."))
    if lead_unit in co_units:
        raise ValidationError({"co_units": _("The lead unit cannot also be a co-handling unit.")})
    proposal.lead_unit = lead_unit
    proposal.assigned_on = assigned_on
    proposal.stage = Stage.ASSIGNED
    _save(proposal, reason or "assigned")
    for unit in co_units:
        _save(CoHandling(proposal=proposal, unit=unit), "co-handling unit assigned")
    _start_clocks(proposal, EVENT_ASSIGNED, assigned_on, calendar)
    return proposal


@transaction.atomic
def proposal_mark_complex(
    *, proposal: Proposal, explanation: str, calendar: WorkCalendar | None = None
) -> Proposal:
    """A wide-ranging or hard item gets the longer answer limit (TY-P2), with the reason."""
    _lock(proposal, "complex", changed=_("Someone else has just marked this item complex."))
    if proposal.stage not in (Stage.REGISTERED, *FIRST_HANDLING):
        raise ValidationError(_("Only an item not yet answered can be marked complex."))
    if not explanation.strip():
        raise ValidationError({"explanation": _("Record why the item is complex.")})
    proposal.complex = True
    proposal.complex_explanation = explanation
    _save(proposal, f"marked complex: {explanation}")
    try:
        for clock in _running_clocks(proposal, STEP_ANSWER):
            if clock.rule.param("complex_amount"):
                clock_mark_complex(clock=clock, explanation=explanation, calendar=calendar)
    except UnknownCalendarYear as exc:
        raise ValidationError(str(exc)) from exc
    return proposal


# --- handling ---------------------------------------------------------------------------------


@transaction.atomic
def proposal_record_contact(
    *, proposal: Proposal, contacted_on: dt.date, method: str, note: str = ""
) -> Contact:
    """The lead unit contacted the author (TY-P1); the first contact stops the clock. Several
    contacts are facts of their own: two recorded at once are both kept, the clock stops once."""
    claim(proposal)
    if proposal.stage == Stage.REGISTERED or proposal.assigned_on is None:
        raise ValidationError(_("The item has not been assigned yet."))
    if contacted_on < proposal.assigned_on:
        raise ValidationError(
            {"contacted_on": _("The contact cannot be before the item was assigned.")}
        )
    contact = _save(
        Contact(proposal=proposal, contacted_on=contacted_on, method=method, note=note),
        "author contacted",
    )
    _complete_clocks(proposal, STEP_CONTACT, contacted_on)
    if proposal.stage == Stage.ASSIGNED:
        proposal.stage = Stage.CONTACTED
        _save(proposal, "author contacted")
    return contact


def _answer_not_before(proposal: Proposal, round_: int) -> dt.date | None:
    if round_ == 1:
        return proposal.assigned_on
    feedback = proposal.feedbacks.filter(round=1).first()
    return feedback.given_on if feedback else None


@transaction.atomic
def proposal_answer(
    *,
    proposal: Proposal,
    answered_on: dt.date,
    result: str,
    text: str = "",
    document: UploadedFile | None = None,
) -> Answer:
    """The lead unit's written answer: round 1 (TY-P2), or round 2 after 'unsatisfied'
    (TY-P3). The answer clock of the round stops."""
    _lock(proposal, taken=_("This item has already been answered by someone else."))
    round_ = proposal.answer_round
    if round_ is None:
        raise ValidationError(_("No answer is owed on this item now."))
    earliest = _answer_not_before(proposal, round_)
    if earliest and answered_on < earliest:
        raise ValidationError(
            {"answered_on": _("The answer cannot be dated before %(day)s.") % {"day": earliest}}
        )
    answer = Answer(
        proposal=proposal, round=round_, answered_on=answered_on, result=result, text=text
    )
    if document is not None:
        validate_document(document)
        answer.document_name = document.name[-200:]
        answer.document = document
    _save(answer, f"answered (round {round_})")
    _complete_clocks(proposal, ANSWER_STEPS[round_], answered_on)
    proposal.stage = Stage.ANSWERED if round_ == 1 else Stage.SECOND_ANSWERED
    _save(proposal, f"answered (round {round_})")
    return answer


@transaction.atomic
def proposal_feedback(
    *,
    proposal: Proposal,
    given_on: dt.date,
    attitude: str,
    result: str,
    comment: str = "",
    by_author: bool = True,
    calendar: WorkCalendar | None = None,
) -> Feedback:
    """The author's feedback on the latest answer. 'Unsatisfied' on the first answer starts
    the second handling (TY-P3); feedback on the second answer closes the item."""
    _lock(proposal, taken=_("The feedback on this answer has already been recorded."))
    round_ = proposal.feedback_round
    if round_ is None:
        raise ValidationError(_("No answer awaits feedback on this item."))
    answer = proposal.answers.get(round=round_)
    if given_on < answer.answered_on:
        raise ValidationError(
            {"given_on": _("Feedback cannot be dated before the answer it rates.")}
        )
    feedback = _save(
        Feedback(
            proposal=proposal,
            round=round_,
            given_on=given_on,
            attitude=attitude,
            result=result,
            comment=comment,
            by_author=by_author,
        ),
        f"feedback (round {round_})",
    )
    if round_ == 1 and feedback.unsatisfied:
        proposal.stage = Stage.SECOND_HANDLING
        _save(proposal, "unsatisfied: second handling")
        _start_clocks(proposal, EVENT_UNSATISFIED, given_on, calendar)
    else:
        proposal.stage = Stage.CLOSED
        _save(proposal, f"feedback (round {round_}): closed")
    return feedback


@transaction.atomic
def co_handling_opinion(*, co_handling: CoHandling, opinion: str, given_on: dt.date) -> CoHandling:
    """A co-handling unit's opinion to the lead unit (协办意见)."""
    claim(
        co_handling,
        fields=("opinion", "opinion_on"),
        message=_("Someone else has just given this unit's opinion. Reload the page."),
    )
    if not opinion.strip():
        raise ValidationError({"opinion": _("Write the opinion.")})
    proposal = co_handling.proposal
    if proposal.assigned_on and given_on < proposal.assigned_on:
        raise ValidationError(
            {"given_on": _("The opinion cannot be dated before the item was assigned.")}
        )
    co_handling.opinion = opinion
    co_handling.opinion_on = given_on
    return _save(co_handling, "co-handling opinion")


# --- the public lists -----------------------------------------------------------------------------


def list_item_save(*, item: PublicListItem, reason: str = "") -> PublicListItem:
    return _save(item, reason or "list item saved")


@transaction.atomic
def list_item_progress(
    *, item: PublicListItem, on: dt.date, text: str, completed: bool = False
) -> ListProgress:
    """A progress update; `completed` marks the item done on that date (TY-L1). Updates are
    facts of their own (two at once are both kept); the item is completed once."""
    claim(
        item,
        fields=("completed_on",) if completed else (),
        message=_("Someone else has just marked this item completed."),
    )
    progress = _save(ListProgress(item=item, on=on, text=text), "progress update")
    if completed and item.completed_on is None:
        item.completed_on = on
        _save(item, "completed")
    return progress
