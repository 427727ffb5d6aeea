"""Online appeals (网民诉求) and items from other platforms (12345 hotline, leaders' mailboxes,
message boards), their replies and feedback, the step log, and the daily bulletin (民情日报).

An appeal is answered within its category's limit of 1–5 working days (TY-O2), counted by a
clock in `rules`; the clock survives a unit's return and a reassignment (its responsible unit
moves). Who may see an appeal is decided in `AppealQuerySet.visible_to` (access.py);
the public reaches one appeal only through its receipt code and private key, of which only a
hash is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel, SoftDeleteQuerySet
from directory.models import OrgUnit, Person

from ..identity import mask_phone
from ..matters.models import Satisfaction

#: the range RULES.md gives TY-O2 ("1–5 working days, set per category")
LIMIT_MIN, LIMIT_MAX = 1, 5


class AppealSource(models.TextChoices):
    ONLINE = "online", _("online appeal form")
    HOTLINE = "hotline", _("12345 hotline")
    MAILBOX = "mailbox", _("leader's mailbox")
    MESSAGE_BOARD = "message_board", _("message board")
    OTHER = "other", _("other platform")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("received, not yet assigned")
    ASSIGNED = "assigned", _("assigned to a unit")
    RETURNED = "returned", _("returned by the unit")
    REPLIED = "replied", _("replied")
    REOPENED = "reopened", _("reopened for a second reply")
    CLOSED = "closed", _("closed")


#: statuses in which a reply is owed
OPEN_STATUSES = (
    AppealStatus.RECEIVED,
    AppealStatus.ASSIGNED,
    AppealStatus.RETURNED,
    AppealStatus.REOPENED,
)


class AppealCategory(models.Model):
    """A category of appeals with its own reply limit (TY-O2: 1–5 working days)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    limit_days = models.PositiveSmallIntegerField(
        _("reply limit (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(LIMIT_MIN), MaxValueValidator(LIMIT_MAX)],
        help_text=_("1–5 working days; empty: the rule's default."),
    )
    active = models.BooleanField(_("offered on the public form"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class AppealPlatform(models.Model):
    """An office's own name for a platform items come from (县政府网, 桃源融媒, 微信群 …),
    filed under one of the fixed kinds the rules know (an item of a 12345 hotline runs HF-H1).
    Ledger imports create the names they meet; an administrator may change the kind."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    source = models.CharField(
        _("kind of platform"),
        max_length=20,
        choices=AppealSource.choices,
        default=AppealSource.OTHER,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal platform")
        verbose_name_plural = _("appeal platforms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def hash_key(key: str) -> str:
    """The stored form of a lookup key. The key is random and long (not a password a person
    chose), so a plain SHA-256 is enough and keeps the lookup fast."""
    return hashlib.sha256(key.strip().upper().encode()).hexdigest()


class AppealQuerySet(SoftDeleteQuerySet):
    def open(self) -> AppealQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> AppealQuerySet:
        return self.open().filter(due__lt=today)

    def received_between(self, first: dt.date, last: dt.date) -> AppealQuerySet:
        return self.filter(received_on__gte=first, received_on__lte=last)

    def visible_to(self, user: Any) -> AppealQuerySet:
        from .access import appeal_condition

        condition = appeal_condition(user)
        return self.none() if condition is None else self.filter(condition)


class Appeal(SoftDeleteModel):
    """One appeal from receipt to the citizen's feedback."""

    ref = models.CharField(_("receipt code"), max_length=40, unique=True)
    key_hash = models.CharField(_("lookup key (hash)"), max_length=64, blank=True, editable=False)
    source = models.CharField(
        _("platform"), max_length=20, choices=AppealSource.choices, default=AppealSource.ONLINE
    )
    platform = models.ForeignKey(
        AppealPlatform,
        verbose_name=_("platform name"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        help_text=_("The office's own name for the platform, when it has one."),
    )
    external_ref = models.CharField(_("number on the other platform"), max_length=60, blank=True)
    category = models.ForeignKey(
        AppealCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    township = models.ForeignKey(
        OrgUnit,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_in_township",
    )
    text = models.TextField(_("what the appeal says"))
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    to_leader = models.ForeignKey(
        Person,
        verbose_name=_("addressed to leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_addressed",
        help_text=_("The leader whose mailbox or hotline received it (HF-O1)."),
    )
    received_at = models.DateTimeField(_("received at"))
    #: the local date of receipt: what the bulletin counts and the clock starts from
    received_on = models.DateField(_("received on"), editable=False)
    receiving_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("receiving office"),
        on_delete=models.PROTECT,
        related_name="appeals_received",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by (first contact)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    limit_days = models.PositiveSmallIntegerField(
        _("reply limit (working days)"),
        validators=[MinValueValidator(LIMIT_MIN), MaxValueValidator(LIMIT_MAX)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_handled",
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    instruction = models.TextField(_("leader's instruction"), blank=True)
    instructed_by = models.ForeignKey(
        Person,
        verbose_name=_("instruction given by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_instructions",
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    replied_on = models.DateField(_("last replied on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=10, choices=Satisfaction.choices, blank=True
    )
    #: the due date of the running reply clock, kept by the services for lists and the bulletin
    due = models.DateField(_("reply due"), null=True, blank=True)
    notable = models.BooleanField(_("notable (for the daily bulletin)"), default=False)
    notable_note = models.CharField(_("why it is notable"), max_length=200, blank=True)
    notable_on = models.DateField(_("marked notable on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveManager.from_queryset(AppealQuerySet)()
    all_objects = models.Manager.from_queryset(AppealQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="appeal_received"),
            # the few deleted rows, which the deadline board's counts subtract (visibility)
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="appeal_deleted",
            ),
            models.Index(fields=["received_on", "category"], name="appeal_day_category"),
            models.Index(fields=["unit", "-received_at"], name="appeal_unit"),
            models.Index(fields=["status", "-received_at"], name="appeal_status"),
            models.Index(fields=["township", "-received_at"], name="appeal_township"),
            models.Index(fields=["notable_on"], condition=Q(notable=True), name="appeal_notable"),
            # overdue filter and "due first" sort touch only appeals still owed a reply
            models.Index(
                fields=["due"],
                condition=Q(status__in=OPEN_STATUSES),
                name="appeal_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("appeal-detail", args=[self.pk])

    @property
    def summary(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 40 else text[:40] + "…"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def platform_label(self) -> str:
        """The office's own name of the platform, else the kind's label."""
        return self.platform.name if self.platform_id else str(self.get_source_display())

    def key_matches(self, key: str) -> bool:
        return bool(self.key_hash) and hmac.compare_digest(self.key_hash, hash_key(key))


class AppealReply(models.Model):
    """One reply (a first reply, or the second after an "unsatisfied" answer) and the
    citizen's feedback on it."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    text = models.TextField(_("reply"))
    replied_on = models.DateField(_("replied on"))
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("replying unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: frozen with the reply: replied by the due date of the round's clock
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    feedback = models.CharField(
        _("feedback"), max_length=10, choices=Satisfaction.choices, blank=True
    )
    feedback_on = models.DateField(_("feedback on"), null=True, blank=True)
    feedback_note = models.TextField(_("feedback comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal reply")
        verbose_name_plural = _("appeal replies")
        ordering = ["appeal", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="unique_appeal_reply_round")
        ]

    def __str__(self) -> str:
        return f"{self.appeal} #{self.round}"


class StepKind(models.TextChoices):
    RECEIVED = "received", _("received")
    TAKEN = "taken", _("taken in hand")
    ASSIGNED = "assigned", _("assigned")
    RETURNED = "returned", _("returned by the unit")
    REPLIED = "replied", _("replied")
    FEEDBACK = "feedback", _("feedback")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")
    NOTABLE = "notable", _("marked for the bulletin")


class AppealStep(models.Model):
    """The real-name step log (办理实名制): every step with the name of whoever took it."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: the name as it was when the step was taken (a renamed account does not rewrite it)
    actor = models.CharField(_("name of whoever did it"), max_length=100)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("appeal step")
        verbose_name_plural = _("appeal steps")
        ordering = ["appeal", "at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal} {self.on} {self.kind}"


def appeal_attachment_path(instance: AppealAttachment, filename: str) -> str:
    """A random file name: the stored name tells nothing about the citizen."""
    suffix = PurePath(filename).suffix.lower()
    return f"appeals/{instance.appeal_id}/{uuid.uuid4().hex}{suffix}"


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=appeal_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return self.original_name


class Bulletin(models.Model):
    """民情日报 (TY-O1) of one working day: produced (again and again, if asked) from the
    appeals, and sent to the county leaders once — `sent_at` is claimed by a conditional update."""

    day = models.DateField(_("bulletin of"), unique=True)
    first_day = models.DateField(_("covers from"))
    last_day = models.DateField(_("covers to"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    produced_at = models.DateTimeField(_("last produced at"), null=True, blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("produced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    times_produced = models.PositiveIntegerField(_("times produced"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}"
