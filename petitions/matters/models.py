"""Petitions (信访事项): the matter, its petitioners, attachments, routing, supervision and the
log of every look at a petitioner's full identity.

Who may see a petition is decided in `PetitionQuerySet.visible_to` (petitions/access.py
explains the rule); templates never decide it."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel, SoftDeleteQuerySet
from directory.models import OrgUnit, Person

from ..identity import mask_id_number, mask_phone


class Channel(models.TextChoices):
    VISIT = "visit", _("visit")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone")
    ONLINE = "online", _("online")
    HOTLINE = "hotline", _("hotline")


class Category(models.TextChoices):
    LAND = "land", _("land and resources")
    CONSTRUCTION = "construction", _("urban and rural construction")
    LABOUR = "labour", _("labour and social security")
    RURAL = "rural", _("agriculture and rural affairs")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    ENVIRONMENT = "environment", _("environment")
    LAW = "law", _("public security and justice")
    CIVIL = "civil", _("civil affairs")
    DISCIPLINE = "discipline", _("discipline and conduct of officials")
    ECONOMY = "economy", _("enterprises and the economy")
    OTHER = "other", _("other")


class PetitionStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ROUTED = "routed", _("routed to a unit")
    ACCEPTED = "accepted", _("accepted")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    ANSWERED = "answered", _("answered")
    REVIEW = "review", _("under review")
    REVIEWED = "reviewed", _("review answered")
    RECHECK = "recheck", _("under re-review")
    CLOSED = "closed", _("closed")


class Satisfaction(models.TextChoices):
    SATISFIED = "满意", _("satisfied")
    BASIC = "基本满意", _("basically satisfied")
    UNSATISFIED = "不满意", _("unsatisfied")


class PetitionQuerySet(SoftDeleteQuerySet):
    def open(self) -> PetitionQuerySet:
        return self.filter(closed_on__isnull=True)

    def overdue(self, today: dt.date) -> PetitionQuerySet:
        return self.open().filter(due__lt=today)

    def due_before(self, day: dt.date) -> PetitionQuerySet:
        return self.open().filter(due__lt=day)

    def visible_to(self, user: Any) -> PetitionQuerySet:
        from .access import petition_condition

        condition = petition_condition(user)
        return self.none() if condition is None else self.filter(condition)


class Petition(SoftDeleteModel):
    """One petition matter (信访事项) from intake to final answer."""

    ref = models.CharField(_("reference"), max_length=30, unique=True)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    headcount = models.PositiveSmallIntegerField(
        _("people in the visit"),
        default=1,
        help_text=_("A group visit counts everyone who came, not only the representatives."),
    )
    summary = models.CharField(_("summary"), max_length=200)
    content = models.TextField(_("what it is about"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    township = models.ForeignKey(
        OrgUnit,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_in_township",
    )
    subject_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_about_unit",
    )
    subject_person = models.ForeignKey(
        Person,
        verbose_name=_("person complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_about_person",
    )
    subject_text = models.CharField(_("complained about (as told)"), max_length=200, blank=True)
    receiving_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("receiving office"),
        on_delete=models.PROTECT,
        related_name="petitions_received",
    )
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_led",
    )
    review_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("reviewing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_reviewed",
    )
    recheck_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("re-reviewing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_rechecked",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PetitionStatus.choices,
        default=PetitionStatus.REGISTERED,
    )
    routed_on = models.DateField(_("routed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    not_accepted_reason = models.TextField(_("reason for not accepting"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("written answer"), blank=True)
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_answered_on = models.DateField(_("review answered on"), null=True, blank=True)
    review_answer = models.TextField(_("review opinion"), blank=True)
    recheck_requested_on = models.DateField(_("re-review requested on"), null=True, blank=True)
    recheck_answered_on = models.DateField(_("re-review answered on"), null=True, blank=True)
    recheck_answer = models.TextField(_("re-review opinion"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    #: the earliest due date of the matter's running clocks, kept by the services for the list
    due = models.DateField(_("next due date"), null=True, blank=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
        help_text=_("The open matter of the same petitioner this one was linked to."),
    )
    repeat_count = models.PositiveIntegerField(_("repeat visits"), default=0)
    charge_leader = models.ForeignKey(
        Person,
        verbose_name=_("leader in charge (包案)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charged_petitions",
    )
    charged_on = models.DateField(_("taken in charge on"), null=True, blank=True)
    is_backlog = models.BooleanField(_("backlog case (积案)"), default=False)
    return_visit_on = models.DateField(_("return visit on"), null=True, blank=True)
    return_visit_note = models.TextField(_("return visit notes"), blank=True)
    satisfaction = models.CharField(
        _("petitioner's satisfaction"), max_length=10, choices=Satisfaction.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveManager.from_queryset(PetitionQuerySet)()
    all_objects = models.Manager.from_queryset(PetitionQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="petition_received"),
            # the few deleted rows, which the deadline board's counts subtract (visibility)
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="petition_deleted",
            ),
            models.Index(fields=["status", "-received_on"], name="petition_status"),
            models.Index(fields=["township", "-received_on"], name="petition_township"),
            models.Index(fields=["lead_unit", "-received_on"], name="petition_lead"),
            models.Index(fields=["category", "-received_on"], name="petition_category"),
            # The overdue filter and "due first" sort touch only open matters.
            models.Index(
                fields=["due"], condition=Q(closed_on__isnull=True), name="petition_open_due"
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("petition-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def is_group(self) -> bool:
        return self.headcount > 1

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today


class Petitioner(models.Model):
    """A petitioner, or one representative of a group visit."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="petitioners"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        ordering = ["petition", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def attachment_path(instance: PetitionAttachment, filename: str) -> str:
    """A random file name: the stored name tells nothing about the petitioner."""
    suffix = PurePath(filename).suffix.lower()
    return f"petitions/{instance.petition_id}/{uuid.uuid4().hex}{suffix}"


class PetitionAttachment(SoftDeleteModel):
    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = LiveManager()
    all_objects = models.Manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["petition", "id"]

    def __str__(self) -> str:
        return self.original_name


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("lead unit (主办)")
    CO = "co", _("co-handling unit (协办)")


class AssignmentState(models.TextChoices):
    ACTIVE = "active", _("active")
    OBJECTED = "objected", _("objected to")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PetitionAssignment(models.Model):
    """A petition routed to a unit, as lead or co-handling unit."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="petition_assignments",
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=AssignmentState.choices, default=AssignmentState.ACTIVE
    )
    assigned_on = models.DateField(_("assigned on"))
    instructions = models.TextField(_("instructions"), blank=True)
    objected_on = models.DateField(_("objected on"), null=True, blank=True)
    objection_reason = models.TextField(_("reason for the objection"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["petition", "role", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="assignment_unit_state")]

    def __str__(self) -> str:
        return f"{self.petition} → {self.unit} ({self.get_role_display()})"


class SupervisionMode(models.TextChoices):
    TRACKING = "tracking", _("tracking supervision (跟踪督办)")
    LISTED = "listed", _("listed supervision (挂牌督办)")
    TIME_LIMITED = "time_limited", _("time-limited supervision (限时督办)")
    DYNAMIC = "dynamic", _("dynamic supervision (动态督办)")


class Supervision(models.Model):
    """督办: the supervising office's instructions on a matter, and its deadline if time-limited."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="supervisions"
    )
    mode = models.CharField(_("mode"), max_length=20, choices=SupervisionMode.choices)
    instructions = models.TextField(_("instructions"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("supervising office"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("to be done by"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["petition", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.petition} {self.get_mode_display()}"


class PetitionRepeat(models.Model):
    """The same petitioner came again about an open matter: recorded on it, not registered twice."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="repeat_visits"
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repeat visit")
        verbose_name_plural = _("repeat visits")
        ordering = ["petition", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.petition} {self.received_on}"


class PetitionEvent(models.Model):
    """The readable history of a matter: one row per step, written inside the step's service."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="events"
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("step"), max_length=30)
    text = models.TextField(_("details"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["petition", "on", "id"]

    def __str__(self) -> str:
        return f"{self.petition} {self.on} {self.kind}"


class RevealedField(models.TextChoices):
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("phone")


class PetitionerAccess(models.Model):
    """Every time someone is shown a petitioner's full ID number or phone (第30条)."""

    petitioner = models.ForeignKey(
        Petitioner, verbose_name=_("petitioner"), on_delete=models.PROTECT, related_name="accesses"
    )
    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="accesses"
    )
    field = models.CharField(_("field shown"), max_length=20, choices=RevealedField.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shown to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    accessed_at = models.DateTimeField(_("shown at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access to a petitioner's identity")
        verbose_name_plural = _("accesses to petitioners' identities")
        ordering = ["-accessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.field} {self.accessed_at:%Y-%m-%d %H:%M}"
