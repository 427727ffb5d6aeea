"""Writes to appeals: receipt (public form or staff intake), assignment, return, reply,
feedback and the bulletin mark — each step with its clocks and its real-name step row, in one
transaction.

Clocks of an appeal (all counted in working days, day 1 = the first working day after receipt):
  reply        TY-O2 from the day of receipt, for the category's limit (1–5, the rule's amount
               when the category sets none) — and, when in force, HF-O1 for an appeal addressed
               to a leader and HF-H1 for a 12345 hotline item, with the same limit;
  second_reply TY-O2 again from the day of an "unsatisfied" answer (a new clock).
A unit's return and a reassignment move the running clocks' responsible unit; they never start
a new clock, so the original due date stands.

Every step claims the appeal first (a row lock, then its state read again: directory.claims):
of two people replying, assigning or rating at once, the second is told the other did it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.base import validated_save
from directory.bulk import create_many, create_with_history
from directory.claims import ConcurrentChange, claim
from directory.models import OrgUnit, Person, jurisdiction_of
from directory.numbering import APPEAL, next_ref
from directory.plausible import check_plausible
from directory.timeutil import today as local_today
from rules.clocks import (
    RUNNING,
    clock_build,
    clock_complete,
    clock_freeze,
    clock_start,
    clocks_create_many,
)
from rules.models import Clock, Rule
from rules.workdays import WorkCalendar

from ..attachments import check_upload
from ..identity import normalise_phone
from ..matters.models import Satisfaction
from .models import (
    LIMIT_MAX,
    OPEN_STATUSES,
    Appeal,
    AppealAttachment,
    AppealCategory,
    AppealPlatform,
    AppealReply,
    AppealSource,
    AppealStatus,
    AppealStep,
    StepKind,
    hash_key,
)

REPLY_RULE = "TY-O2"
LEADER_RULE = "HF-O1"
HOTLINE_RULE = "HF-H1"
REPLY, SECOND_REPLY = "reply", "second_reply"
#: an "unsatisfied" answer reopens the appeal once (a second reply); after it the appeal closes
MAX_ROUNDS = 2
#: letters and digits nobody confuses when reading a receipt aloud (no 0/O, 1/I/L)
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
KEY_LENGTH = 12
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

# code, name, limit in working days (None: the rule's default) — a starting set an office edits
DEFAULT_CATEGORIES: tuple[tuple[str, str, int | None], ...] = (
    ("utilities", "水电气暖", 1),
    ("consultation", "政策咨询", 2),
    ("environment", "生态环境", 3),
    ("health", "医疗卫生", 3),
    ("transport", "交通出行", 3),
    ("construction", "城乡建设", 5),
    ("labour", "劳动社保", 5),
    ("education", "教育", 5),
    ("rural", "农业农村", 5),
    ("market", "市场监管", 5),
    ("other", "其他", None),
)


def ensure_default_categories() -> int:
    """Create the starting categories that are missing (by code); returns how many."""
    created = 0
    for order, (code, name, limit) in enumerate(DEFAULT_CATEGORIES):
        _obj, new = AppealCategory.objects.get_or_create(
            code=code, defaults={"name": name, "limit_days": limit, "sort_order": order * 10}
        )
        created += new
    return created


# --- rules, codes, names --------------------------------------------------------------------------


def active_rule(rule_id: str) -> Rule | None:
    return Rule.objects.filter(rule_id=rule_id, active=True).first()


def default_limit() -> int:
    """The rule's amount (TY-O2: 5 working days), or the top of the range when not loaded."""
    rule = active_rule(REPLY_RULE)
    amount = rule.param("amount") if rule is not None else None
    return int(amount) if isinstance(amount, int) else LIMIT_MAX


def limit_for(category: AppealCategory, override: int | None = None) -> int:
    return override or category.limit_days or default_limit()


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(length))


def new_receipt_code(receiving_unit: OrgUnit, day: dt.date) -> str:
    """The next appeal number of the receiving unit's county (directory.numbering), e.g.
    QHX-WS-2026-000004: the number staff see and the citizen's receipt. It follows on from the
    last one, so the public lookup opens an appeal only with its private key as well."""
    return next_ref(
        APPEAL,
        unit=receiving_unit,
        on=day,
        taken=lambda ref: Appeal.all_objects.filter(ref=ref).exists(),
    )


def new_lookup_key() -> str:
    """Twelve random characters (about 60 bits), shown once in groups of four."""
    key = _random(KEY_LENGTH)
    return "-".join(key[i : i + 4] for i in range(0, KEY_LENGTH, 4))


def actor_name(user: Any) -> str:
    """The real name the step log keeps: the person's name, else the account's."""
    if user is None:
        return ""
    person = user.person if getattr(user, "person_id", None) else None
    return (person.name if person else "") or user.display_name or user.username


def _step(
    appeal: Appeal,
    kind: str,
    on: dt.date,
    user: Any = None,
    text: str = "",
    unit: OrgUnit | None = None,
    actor: str = "",
) -> AppealStep:
    acting_unit = unit or (user.unit if user is not None and user.unit_id else None)
    step = AppealStep(
        appeal=appeal,
        kind=kind,
        on=on,
        user=user,
        actor=actor or actor_name(user) or "—",
        unit=acting_unit,
        text=text,
    )
    step.full_clean()
    step.save()
    return step


def _take(appeal: Appeal, user: Any, on: dt.date) -> None:
    """First-contact responsibility (首接负责制): the first staff member to act owns it."""
    if appeal.taken_by_id is None and user is not None:
        appeal.taken_by = user
        _step(appeal, StepKind.TAKEN, on, user)


# --- clocks ----------------------------------------------------------------------------------------


def _clock_rules(appeal: Appeal, step: str) -> list[tuple[Rule, Person | None]]:
    wanted: list[tuple[str, Person | None]] = [(REPLY_RULE, None)]
    if step == REPLY and appeal.to_leader_id:
        wanted.append((LEADER_RULE, appeal.to_leader))
    if step == REPLY and appeal.source == AppealSource.HOTLINE:
        wanted.append((HOTLINE_RULE, None))
    found = []
    for rule_id, person in wanted:
        rule = active_rule(rule_id)
        if rule is not None:
            found.append((rule, person))
    return found


def _start_clocks(appeal: Appeal, step: str, start: dt.date, calendar: WorkCalendar) -> None:
    due: list[dt.date] = []
    for rule, person in _clock_rules(appeal, step):
        clock = clock_start(
            rule=rule,
            item=appeal,
            step=step,
            start=start,
            unit=appeal.unit or appeal.receiving_unit,
            person=person,
            label=appeal.ref,
            amount=appeal.limit_days,
            calendar=calendar,
        )
        due.append(clock.due)
    appeal.due = min(due) if due else None


def running_clocks(appeal: Appeal) -> list[Clock]:
    return list(Clock.objects.for_item(appeal).filter(state__in=RUNNING).order_by("pk"))


def _move_clocks(appeal: Appeal, unit: OrgUnit, reason: str) -> None:
    """The same clocks, a new responsible unit: the due date is untouched."""
    for clock in running_clocks(appeal):
        clock.unit = unit
        validated_save(clock, reason)


# --- receipt ---------------------------------------------------------------------------------------


def county_of(unit: OrgUnit) -> OrgUnit:
    """The county (district, city) whose appeal receipt codes the unit's appeals use."""
    return jurisdiction_of(unit)


def check_appeal_upload(upload: UploadedFile, limit: int) -> str:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="file_too_large",
        )
    return check_upload(upload)


def attachment_max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "APPEAL_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def _attach(appeal: Appeal, uploads: Iterable[UploadedFile]) -> None:
    for upload in uploads:
        content_type = check_appeal_upload(upload, attachment_max_bytes())
        attachment = AppealAttachment(
            appeal=appeal,
            original_name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size or 0,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.full_clean()
        attachment.save()


@transaction.atomic
def _create(
    *,
    category: AppealCategory,
    text: str,
    received_at: dt.datetime,
    receiving_unit: OrgUnit,
    source: str,
    township: OrgUnit | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    to_leader: Person | None = None,
    external_ref: str = "",
    ref: str = "",
    limit_days: int | None = None,
    platform: AppealPlatform | None = None,
    key: str = "",
    acting_user: Any = None,
    attachments: Iterable[UploadedFile] = (),
    calendar: WorkCalendar | None = None,
) -> Appeal:
    received_on = timezone.localdate(received_at)
    appeal = Appeal(
        ref=ref or new_receipt_code(receiving_unit, received_on),
        key_hash=hash_key(normalise_key(key)) if key else "",
        source=source,
        platform=platform,
        external_ref=external_ref,
        category=category,
        township=township,
        text=text.strip(),
        contact_name=contact_name.strip(),
        contact_phone=normalise_phone(contact_phone) if contact_phone else "",
        to_leader=to_leader,
        received_at=received_at,
        received_on=received_on,
        receiving_unit=receiving_unit,
        taken_by=acting_user,
        limit_days=limit_for(category, limit_days),
    )
    validated_save(appeal, "appeal received")
    _step(
        appeal,
        StepKind.RECEIVED,
        received_on,
        acting_user,
        unit=receiving_unit if acting_user is None else None,
        actor=contact_name.strip() if acting_user is None else "",
    )
    _start_clocks(appeal, REPLY, received_on, calendar or WorkCalendar())
    _attach(appeal, attachments)
    return validated_save(appeal, "reply clock started")


def normalise_key(key: str) -> str:
    return "".join(ch for ch in key.upper() if ch.isalnum())


def appeal_submit_public(
    *,
    category: AppealCategory,
    township: OrgUnit,
    text: str,
    contact_name: str = "",
    contact_phone: str = "",
    attachments: Iterable[UploadedFile] = (),
    received_at: dt.datetime | None = None,
    ref: str = "",
) -> tuple[Appeal, str]:
    """A citizen's appeal from the public form: (the appeal, the lookup key shown once).
    The receipt number is the appeal's number (`ref`, drawn from the county's series unless
    given, as an imported ledger row gives it); the key is the secret that opens it."""
    key = new_lookup_key()
    appeal = _create(
        ref=ref,
        category=category,
        text=text,
        received_at=received_at or timezone.now(),
        receiving_unit=county_of(township),
        source=AppealSource.ONLINE,
        township=township,
        contact_name=contact_name,
        contact_phone=contact_phone,
        key=key,
        attachments=attachments,
    )
    return appeal, key


def appeal_intake(
    *,
    acting_user: Any,
    source: str,
    category: AppealCategory,
    text: str,
    received_at: dt.datetime,
    receiving_unit: OrgUnit | None = None,
    township: OrgUnit | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    to_leader: Person | None = None,
    external_ref: str = "",
    ref: str = "",
    limit_days: int | None = None,
    platform: AppealPlatform | None = None,
    attachments: Iterable[UploadedFile] = (),
    calendar: WorkCalendar | None = None,
) -> Appeal:
    """An item taken in by staff from another platform: whoever enters it takes it (首接).
    `platform` is the office's own name for the platform (its kind is `source`)."""
    office = receiving_unit or acting_user.unit
    if office is None:
        raise ValidationError(_("Your account belongs to no unit; it cannot take appeals in."))
    if received_at > timezone.now():
        raise ValidationError({"received_at": _("The time of receipt cannot be in the future.")})
    return _create(
        category=category,
        text=text,
        received_at=received_at,
        receiving_unit=office,
        source=source,
        township=township,
        contact_name=contact_name,
        contact_phone=contact_phone,
        to_leader=to_leader,
        external_ref=external_ref,
        ref=ref,
        limit_days=limit_days,
        platform=platform,
        acting_user=acting_user,
        attachments=attachments,
        calendar=calendar,
    )


# --- handling ----------------------------------------------------------------------------------------


def _claim(appeal: Appeal, *fields: str) -> Appeal:
    """Lock the appeal and read it again; refuse when another user moved it meanwhile."""
    status = appeal.status
    try:
        return claim(appeal, fields=("status", "round", *fields))
    except ConcurrentChange:
        if appeal.status == AppealStatus.REPLIED and status != AppealStatus.REPLIED:
            message = _("This appeal has already been replied to by someone else.")
        elif appeal.status == AppealStatus.CLOSED and status != AppealStatus.CLOSED:
            message = _("This appeal has already been rated and closed.")
        elif appeal.unit_id:
            message = _(
                "Someone else has just handled this appeal; it is now “%(status)s” with "
                "%(unit)s. Reload the page to see what was done."
            ) % {"status": appeal.get_status_display(), "unit": appeal.unit.name}
        else:
            message = _(
                "Someone else has just handled this appeal; it is now “%(status)s”. Reload "
                "the page to see what was done."
            ) % {"status": appeal.get_status_display()}
        raise ConcurrentChange(message) from None


def _check_date(appeal: Appeal, on: dt.date, field: str = "on") -> None:
    if on < appeal.received_on:
        raise ValidationError({field: _("The date cannot be before the appeal was received.")})
    if on > local_today():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def appeal_assign(
    *,
    appeal: Appeal,
    unit: OrgUnit,
    on: dt.date,
    acting_user: Any,
    instruction: str = "",
    instructed_by: Person | None = None,
) -> Appeal:
    """Assign (or reassign) to a unit as the leader instructed (TY-O1): the clocks move along."""
    _claim(appeal, "unit")
    if appeal.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an appeal still waiting for its reply can be assigned."))
    if appeal.unit_id == unit.pk:
        raise ValidationError({"unit": _("The appeal is already with this unit.")})
    _check_date(appeal, on)
    _take(appeal, acting_user, on)
    appeal.unit = unit
    appeal.assigned_on = on
    if instruction.strip():
        appeal.instruction = instruction.strip()
        appeal.instructed_by = instructed_by
    appeal.status = AppealStatus.REOPENED if appeal.round > 1 else AppealStatus.ASSIGNED
    _move_clocks(appeal, unit, f"appeal assigned to {unit.code}")
    text = unit.name
    if instruction.strip():
        who = f"{instructed_by.name}: " if instructed_by else ""
        text = f"{unit.name} — {who}{instruction.strip()}"
    _step(appeal, StepKind.ASSIGNED, on, acting_user, text=text)
    return validated_save(appeal, f"assigned to {unit.code}")


@transaction.atomic
def appeal_return(*, appeal: Appeal, reason: str, on: dt.date, acting_user: Any) -> Appeal:
    """The unit says it is not theirs: back to the receiving office, the clock keeps running."""
    _claim(appeal, "unit")
    if appeal.unit is None or appeal.status not in (AppealStatus.ASSIGNED, AppealStatus.REOPENED):
        raise ValidationError(_("Only an appeal assigned to your unit can be returned."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the appeal is not for your unit.")})
    _check_date(appeal, on)
    returning = appeal.unit
    _step(appeal, StepKind.RETURNED, on, acting_user, text=reason.strip(), unit=returning)
    appeal.unit = None
    appeal.status = AppealStatus.RETURNED
    _move_clocks(appeal, appeal.receiving_unit, f"appeal returned by {returning.code}")
    return validated_save(appeal, f"returned by {returning.code}: {reason.strip()}")


@transaction.atomic
def appeal_reply(*, appeal: Appeal, text: str, on: dt.date, acting_user: Any) -> AppealReply:
    """The reply: it completes the round's clocks, freezing on time or late."""
    _claim(appeal)
    if appeal.status not in OPEN_STATUSES:
        raise ValidationError(_("This appeal is not waiting for a reply."))
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    _check_date(appeal, on)
    _take(appeal, acting_user, on)
    clocks = running_clocks(appeal)
    for clock in clocks:
        clock_complete(clock=clock, done_on=on, note="appeal replied")
    due = min((c.due for c in clocks), default=appeal.due)
    reply = AppealReply(
        appeal=appeal,
        round=appeal.round,
        text=text.strip(),
        replied_on=on,
        unit=appeal.unit or appeal.receiving_unit,
        user=acting_user,
        on_time=(on <= due) if due else None,
    )
    reply.full_clean()
    reply.save()
    appeal.status = AppealStatus.REPLIED
    appeal.replied_on = on
    appeal.due = None
    _step(appeal, StepKind.REPLIED, on, acting_user, text=text.strip(), unit=reply.unit)
    validated_save(appeal, "replied")
    return reply


def latest_reply(appeal: Appeal) -> AppealReply | None:
    return appeal.replies.order_by("-round").first()


@transaction.atomic
def appeal_feedback(
    *,
    appeal: Appeal,
    rating: str,
    on: dt.date,
    note: str = "",
    acting_user: Any = None,
    calendar: WorkCalendar | None = None,
) -> Appeal:
    """The citizen's answer to the reply. "Unsatisfied" reopens the appeal once for a second
    reply, on a new clock from today; otherwise (or after the second reply) it closes."""
    _claim(appeal)
    if rating not in Satisfaction.values:
        raise ValidationError({"rating": _("Choose one of the answers.")})
    reply = latest_reply(appeal)
    if appeal.status != AppealStatus.REPLIED or reply is None or reply.feedback:
        raise ValidationError(_("This reply has already been rated, or there is no reply yet."))
    if on < reply.replied_on:
        raise ValidationError({"on": _("The feedback cannot be before the reply.")})
    reply.feedback, reply.feedback_on, reply.feedback_note = rating, on, note.strip()
    reply.full_clean()
    reply.save()
    appeal.satisfaction = rating
    who = "" if acting_user is not None else (appeal.contact_name or "")
    _step(appeal, StepKind.FEEDBACK, on, acting_user, text=f"{rating} {note}".strip(), actor=who)
    if rating == Satisfaction.UNSATISFIED and appeal.round < MAX_ROUNDS:
        appeal.round += 1
        appeal.status = AppealStatus.REOPENED
        _start_clocks(appeal, SECOND_REPLY, on, calendar or WorkCalendar())
        _step(appeal, StepKind.REOPENED, on, acting_user, actor=who)
        return validated_save(appeal, "reopened after an unsatisfied answer")
    appeal.status = AppealStatus.CLOSED
    appeal.closed_on = on
    _step(appeal, StepKind.CLOSED, on, acting_user, actor=who)
    return validated_save(appeal, f"closed after feedback {rating}")


@transaction.atomic
def appeal_mark_notable(
    *, appeal: Appeal, notable: bool, note: str, on: dt.date, acting_user: Any
) -> Appeal:
    """Staff mark an item for the daily bulletin's "notable" section (or take the mark off)."""
    claim(
        appeal,
        fields=("notable", "notable_note"),
        message=_("Someone else has just changed this appeal's bulletin mark. Reload the page."),
    )
    appeal.notable = notable
    appeal.notable_note = note.strip() if notable else ""
    appeal.notable_on = on if notable else None
    # the step's kind says marked; an empty note with notable off means the mark was removed
    _step(appeal, StepKind.NOTABLE, on, acting_user, text=note.strip() if notable else "—")
    return validated_save(appeal, "bulletin mark changed")


# --- many new appeals at once (a ledger) -----------------------------------------------------------


@dataclass(frozen=True)
class ReplyRules:
    """The rules an appeal's reply clocks run on (None: not in force) and the default limit,
    loaded once for a batch of appeals."""

    rules: dict[str, Rule | None]
    default_limit: int

    @classmethod
    def load(cls) -> ReplyRules:
        rules = {
            rule_id: active_rule(rule_id) for rule_id in (REPLY_RULE, LEADER_RULE, HOTLINE_RULE)
        }
        return cls(rules=rules, default_limit=default_limit())

    def for_reply(self, appeal: Appeal) -> list[tuple[Rule, Person | None]]:
        """As `_clock_rules(appeal, REPLY)`."""
        wanted: list[tuple[str, Person | None]] = [(REPLY_RULE, None)]
        if appeal.to_leader_id:
            wanted.append((LEADER_RULE, appeal.to_leader))
        if appeal.source == AppealSource.HOTLINE:
            wanted.append((HOTLINE_RULE, None))
        found = [(self.rules.get(rule_id), person) for rule_id, person in wanted]
        return [(rule, person) for rule, person in found if rule is not None]


@dataclass
class NewAppeal:
    """A new appeal built in memory (`appeal_build`) with its step log, its clocks and its
    reply: what `appeal_intake`, `appeal_assign` and `appeal_reply` would write one by one."""

    appeal: Appeal
    steps: list[AppealStep] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    reply: AppealReply | None = None


#: (step name, the appeal as it stands before the step) → raises when the account may not
StepCheck = Callable[[str, Appeal], None]

_FOREIGN_KEYS = (
    "platform",
    "category",
    "township",
    "to_leader",
    "receiving_unit",
    "taken_by",
    "unit",
    "instructed_by",
)


def _new_step(
    appeal: Appeal,
    kind: str,
    on: dt.date,
    user: Any,
    *,
    unit: OrgUnit | None = None,
    text: str = "",
) -> AppealStep:
    """As `_step`, unsaved and by ids (a year's ledger makes 100,000 steps): the kind is ours,
    the date and the text those of the appeal checked before, the actor the account's name."""
    unit_id = unit.pk if unit is not None else (user.unit_id if user is not None else None)
    return AppealStep(
        kind=kind,
        on=on,
        user_id=getattr(user, "pk", None),
        actor=(actor_name(user) or "—")[:100],
        unit_id=unit_id,
        text=text,
    )


def appeal_build(
    *,
    acting_user: Any,
    source: str,
    category: AppealCategory,
    text: str,
    received_at: dt.datetime,
    receiving_unit: OrgUnit,
    ref: str,
    rules: ReplyRules,
    calendar: WorkCalendar,
    township: OrgUnit | None = None,
    limit_days: int | None = None,
    platform: AppealPlatform | None = None,
    assign_to: OrgUnit | None = None,
    instruction: str = "",
    replied_on: dt.date | None = None,
    reply_text: str = "",
    check: StepCheck = lambda step, appeal: None,
) -> NewAppeal:
    """An appeal taken in by staff (as `appeal_intake`, with a `ref` no appeal has), assigned
    on the day of receipt to `assign_to` and replied on `replied_on` when given — checked as
    those services check it, in memory, for `appeals_create_many` to write with others.
    `check(step, appeal)` is asked before the assignment and the reply (the account's
    permission). Raises ValidationError as the services do."""
    if received_at > timezone.now():
        raise ValidationError({"received_at": _("The time of receipt cannot be in the future.")})
    received_on = timezone.localdate(received_at)
    appeal = Appeal(
        ref=ref,
        source=source,
        platform=platform,
        category=category,
        township=township,
        text=text.strip(),
        received_at=received_at,
        received_on=received_on,
        receiving_unit=receiving_unit,
        taken_by=acting_user,
        limit_days=limit_days or category.limit_days or rules.default_limit,
    )
    appeal.full_clean(exclude=list(_FOREIGN_KEYS), validate_unique=False)
    check_plausible(appeal)
    built = NewAppeal(appeal)
    received_by = receiving_unit if acting_user is None else None
    built.steps.append(
        _new_step(appeal, StepKind.RECEIVED, received_on, acting_user, unit=received_by)
    )
    for rule, person in rules.for_reply(appeal):
        built.clocks.append(
            clock_build(
                rule=rule,
                item=appeal,
                step=REPLY,
                start=received_on,
                unit=appeal.unit or appeal.receiving_unit,
                person=person,
                label=appeal.ref,
                amount=appeal.limit_days,
                calendar=calendar,
            )
        )
    appeal.due = min((c.due for c in built.clocks), default=None)
    if assign_to is not None:
        _build_assignment(built, assign_to, received_on, acting_user, instruction, check)
    if replied_on is not None:
        _build_reply(built, replied_on, acting_user, reply_text, check)
    return built


def _build_assignment(
    built: NewAppeal, unit: OrgUnit, on: dt.date, user: Any, instruction: str, check: StepCheck
) -> None:
    """As `appeal_assign` on a new appeal (taken by whoever took it in)."""
    appeal = built.appeal
    check("assign", appeal)
    _check_date(appeal, on)
    appeal.unit, appeal.assigned_on = unit, on
    if instruction.strip():
        appeal.instruction = instruction.strip()
    appeal.status = AppealStatus.ASSIGNED
    for clock in built.clocks:
        clock.unit = unit
    text = f"{unit.name} — {instruction.strip()}" if instruction.strip() else unit.name
    built.steps.append(_new_step(appeal, StepKind.ASSIGNED, on, user, text=text))


def _build_reply(built: NewAppeal, on: dt.date, user: Any, text: str, check: StepCheck) -> None:
    """As `appeal_reply` on a new appeal: its clocks freeze on time or late."""
    appeal = built.appeal
    check("reply", appeal)
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    _check_date(appeal, on)
    for clock in built.clocks:
        clock_freeze(clock, on)
    due = min((c.due for c in built.clocks), default=appeal.due)
    built.reply = AppealReply(
        appeal=appeal,
        round=appeal.round,
        text=text.strip(),
        replied_on=on,
        unit=appeal.unit or appeal.receiving_unit,
        user=user,
        on_time=(on <= due) if due else None,
    )
    built.reply.full_clean(exclude=["appeal", "unit", "user"], validate_unique=False)
    appeal.status = AppealStatus.REPLIED
    appeal.replied_on = on
    appeal.due = None
    built.steps.append(
        _new_step(appeal, StepKind.REPLIED, on, user, text=text.strip(), unit=built.reply.unit)
    )


@transaction.atomic
def appeals_create_many(
    *, appeals: Sequence[NewAppeal], acting_user: Any = None, reason: str = ""
) -> None:
    """Write appeals built by `appeal_build` in bulk: the appeals, their replies and clocks
    with one history row each (their state as built), and their step log. The caller made sure
    that no appeal has these references yet."""
    if not appeals:
        return
    user = acting_user if acting_user is not None and getattr(acting_user, "pk", None) else None
    reason = reason or "appeal received"
    create_with_history([b.appeal for b in appeals], Appeal, user=user, reason=reason)
    steps, clocks, replies = [], [], []
    for built in appeals:
        pk = built.appeal.pk
        for step in built.steps:
            step.appeal_id = pk
            steps.append(step)
        for clock in built.clocks:
            clock.object_id = pk
            clocks.append(clock)
        if built.reply is not None:
            built.reply.appeal_id = pk
            replies.append(built.reply)
    create_many(steps, AppealStep)
    clocks_create_many(clocks, user=user, reason=reason)
    create_with_history(replies, AppealReply, user=user, reason=reason)


def lookup(ref: str, key: str) -> Appeal | None:
    """The appeal a citizen's receipt code and key open, or None (the same for a wrong code and
    a wrong key, so that a code alone tells nothing)."""
    appeal = Appeal.objects.filter(ref=ref.strip().upper()).first()
    if appeal is None or not appeal.key_matches(normalise_key(key)):
        return None
    return appeal
