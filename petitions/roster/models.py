"""The reception roster (接访排班) and what happens at receptions.

One `Reception` row is one duty slot or one reception held: generated from a ROSTER rule
(empty until filled), filled by hand or by the rotation, or imported from the `receptions`
ledger sheet. The evaluators count these rows; the roster pages and the public roster show them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel
from directory.models import OrgUnit, Person, ScopedQuerySet
from rules.models import Rule

from ..identity import mask_phone
from ..matters.models import Petition


class ReceptionKind(models.TextChoices):
    BUREAU_SITTING = "bureau_sitting", _("sitting at the reception centre (坐班接访)")
    OFFICE_DAY = "office_day", _("office reception day (办公室接访)")
    TOWNSHIP_DUTY = "township_duty", _("township reception duty (乡镇值班接访)")
    APPOINTMENT = "appointment", _("appointment reception (约访)")
    CASE_VISIT = "case_visit", _("down-visit carrying cases (带案下访)")
    AB_POST = "ab_post", _("A/B reception post (AB岗)")
    HOTLINE = "hotline", _("leader on the hotline (热线接听)")
    ENTERPRISE_DAY = "enterprise_day", _("enterprise service day (企业服务日)")


class DayPart(models.TextChoices):
    AM = "am", _("morning")
    PM = "pm", _("afternoon")
    DAY = "day", _("whole day")


class ReceptionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    EXCUSED = "excused", _("excused")
    ABSENT = "absent", _("missed")


#: Statuses of a slot that counts as filled (a scheduled slot counts once its day has come).
FILLED_STATUSES = (ReceptionStatus.SCHEDULED, ReceptionStatus.HELD)


def parts_overlap(first: str, second: str) -> bool:
    return first == second or DayPart.DAY in (first, second)


class ReceptionQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def filled(self) -> ReceptionQuerySet:
        return self.filter(person__isnull=False, status__in=FILLED_STATUSES)

    def effective(self, today: dt.date) -> ReceptionQuerySet:
        """Receptions that count: filled, not reported missed, and their day has come."""
        return self.filled().filter(date__lte=today)

    def between(self, first: dt.date, last: dt.date) -> ReceptionQuerySet:
        return self.filter(date__gte=first, date__lte=last)

    def published(self) -> ReceptionQuerySet:
        return self.filter(
            kind__in=(ReceptionKind.BUREAU_SITTING, ReceptionKind.TOWNSHIP_DUTY),
        ).exclude(status=ReceptionStatus.EXCUSED)


class Reception(SoftDeleteModel):
    date = models.DateField(_("date"))
    part = models.CharField(_("time of day"), max_length=3, choices=DayPart.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ReceptionKind.choices)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("place / unit"),
        on_delete=models.PROTECT,
        related_name="receptions",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("on duty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receptions",
    )
    #: a slot owed by one person (TY-R1 monthly sitting, TY-R2 Wednesday): whose duty it is
    subject = models.ForeignKey(
        Person,
        verbose_name=_("duty of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owed_receptions",
    )
    post = models.CharField(_("post"), max_length=2, blank=True, help_text=_("A or B"))
    rule = models.ForeignKey(
        Rule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receptions",
    )
    slot_key = models.CharField(_("slot key"), max_length=120, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReceptionStatus.choices,
        default=ReceptionStatus.SCHEDULED,
    )
    excuse_reason = models.CharField(_("reason excused"), max_length=200, blank=True)
    substitute_for = models.ForeignKey(
        Person,
        verbose_name=_("substitute for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substituted_receptions",
    )
    substitution_reason = models.CharField(
        _("reason for the substitution"), max_length=200, blank=True
    )
    heard = models.TextField(_("what was heard"), blank=True)
    visitors = models.PositiveSmallIntegerField(_("visitors received"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager.from_queryset(ReceptionQuerySet)()
    all_objects = models.Manager.from_queryset(ReceptionQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception duty")
        verbose_name_plural = _("reception roster")
        ordering = ["date", "part", "kind", "unit_id", "post", "id"]
        indexes = [
            models.Index(fields=["date", "kind"], name="reception_date_kind"),
            models.Index(fields=["person", "date"], name="reception_person_date"),
            models.Index(fields=["unit", "date"], name="reception_unit_date"),
            models.Index(fields=["rule", "date"], name="reception_rule_date"),
        ]
        constraints = [
            # Generating a period twice never makes a second slot.
            models.UniqueConstraint(
                fields=["slot_key"],
                condition=Q(deleted_at__isnull=True) & ~Q(slot_key=""),
                name="unique_live_reception_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_part_display()} {self.get_kind_display()}"

    @property
    def is_filled(self) -> bool:
        return self.person_id is not None and self.status in FILLED_STATUSES


class SpecialPeriod(models.Model):
    """特别防护期: declared by an administrator; DA-R1 then needs a leader every calendar day."""

    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("special protection period")
        verbose_name_plural = _("special protection periods")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Leave(models.Model):
    """A leader away (leave, a superior's meeting, travel): no duty may be booked on these days."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="leaves"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start"]
        indexes = [models.Index(fields=["person", "start"], name="leave_person_start")]

    def __str__(self) -> str:
        return f"{self.person} {self.start} – {self.end}"


class Appointment(models.Model):
    """约访 (DA-R2): the matters chosen for a duty leader's day, consent, and the record."""

    reception = models.OneToOneField(
        Reception,
        verbose_name=_("duty"),
        on_delete=models.PROTECT,
        related_name="appointment",
    )
    consent_on = models.DateField(_("leader consented on"), null=True, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    recorded_on = models.DateField(_("reception recorded on"), null=True, blank=True)
    heard = models.TextField(_("what the leader heard"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment reception")
        verbose_name_plural = _("appointment receptions")
        ordering = ["-reception__date"]

    def __str__(self) -> str:
        return f"{self.reception}"


class MatterOutcome(models.TextChoices):
    PENDING = "", _("not yet received")
    ON_THE_SPOT = "on_the_spot", _("decided on the spot")
    FOLLOW_UP = "follow_up", _("follow-up by a named owner")
    ASSIGNED = "assigned", _("assigned to a unit, supervised")


class AppointmentMatter(models.Model):
    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.PROTECT, related_name="matters"
    )
    petition = models.ForeignKey(
        Petition,
        verbose_name=_("petition"),
        on_delete=models.PROTECT,
        related_name="appointment_matters",
    )
    invited_on = models.DateField(_("petitioner invited on"), null=True, blank=True)
    invitation_note = models.CharField(_("invitation"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=MatterOutcome.choices, blank=True, default=""
    )
    decision = models.TextField(_("decision"), blank=True)
    follow_up_owner = models.ForeignKey(
        Person,
        verbose_name=_("follow-up owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_by = models.DateField(_("written reply due by"), null=True, blank=True)
    replied_on = models.DateField(_("written reply on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment matter")
        verbose_name_plural = _("appointment matters")
        ordering = ["appointment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "petition"], name="unique_appointment_matter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment} {self.petition}"


class NoticeKind(models.TextChoices):
    SUBSTITUTION = "substitution", _("substitution notice")
    CONSENT = "consent", _("leader's consent")
    INVITATION = "invitation", _("invitation to the petitioner")
    UNIT_NOTICE = "unit_notice", _("notice to a township or department")


class RosterNotice(models.Model):
    """A notice sent about a duty: a substitution told to the convener, an invitation, a notice."""

    reception = models.ForeignKey(
        Reception, verbose_name=_("duty"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    recipient = models.CharField(_("to"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_on = models.DateField(_("sent on"))
    text = models.TextField(_("text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("roster notice")
        verbose_name_plural = _("roster notices")
        ordering = ["reception", "sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class OfficeLedgerQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def open(self) -> OfficeLedgerQuerySet:
        return self.filter(done_on__isnull=True)


class OfficeVisit(SoftDeleteModel):
    """接待台账 (TY-C3): a visitor received at a unit's office."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="office_visits"
    )
    date = models.DateField(_("date"))
    visitor_name = models.CharField(_("visitor"), max_length=50)
    visitor_phone = models.CharField(_("phone"), max_length=20, blank=True)
    matter = models.TextField(_("matter"))
    received_by = models.ForeignKey(
        Person,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager.from_queryset(OfficeLedgerQuerySet)()
    all_objects = models.Manager.from_queryset(OfficeLedgerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("office visitor")
        verbose_name_plural = _("office reception ledger")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name="office_visit_unit_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.visitor_name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.visitor_phone)


class ContactKind(models.TextChoices):
    CALL = "call", _("call")
    MESSAGE = "message", _("message")


class MissedContact(SoftDeleteModel):
    """TY-C1: a leader's missed call or message, to be returned by the end of the next working day."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="missed_contacts"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="missed_contacts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    missed_on = models.DateField(_("missed on"))
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    caller_phone = models.CharField(_("phone"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    done_on = models.DateField(_("returned on"), null=True, blank=True)
    return_note = models.TextField(_("what was said"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager.from_queryset(OfficeLedgerQuerySet)()
    all_objects = models.Manager.from_queryset(OfficeLedgerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("missed call or message")
        verbose_name_plural = _("missed calls and messages")
        ordering = ["-missed_on", "-id"]
        indexes = [models.Index(fields=["unit", "-missed_on"], name="missed_unit_date")]

    def __str__(self) -> str:
        return f"{self.missed_on} {self.person}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.caller_phone)


class RescheduledMeeting(SoftDeleteModel):
    """TY-C2: a visitor a leader could not meet, with the other person or time agreed."""

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="rescheduled_meetings",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="rescheduled_meetings",
    )
    visitor_name = models.CharField(_("visitor"), max_length=50)
    visitor_phone = models.CharField(_("phone"), max_length=20, blank=True)
    matter = models.TextField(_("matter"))
    requested_on = models.DateField(_("came on"))
    new_date = models.DateField(_("new date agreed"))
    other_person = models.ForeignKey(
        Person,
        verbose_name=_("received instead by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_on = models.DateField(_("received on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager.from_queryset(OfficeLedgerQuerySet)()
    all_objects = models.Manager.from_queryset(OfficeLedgerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rescheduled meeting")
        verbose_name_plural = _("rescheduled meetings")
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["unit", "-requested_on"], name="resched_unit_date")]

    def __str__(self) -> str:
        return f"{self.requested_on} {self.visitor_name}"


def describe_slot(reception: Reception) -> dict[str, Any]:
    """The fields of a duty that may be published (public roster, lobby screen)."""
    person = reception.person
    return {
        "date": reception.date,
        "part": reception.get_part_display(),
        "kind": reception.get_kind_display(),
        "place": reception.unit.name,
        "name": person.name if person else "",
        "posts": "、".join(person.post_labels()) if person else "",
    }
