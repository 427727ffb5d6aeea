"""What is owed and by when: rule rows, the working-day calendar and clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import codes_regex, split_codes
from directory.models import OrgUnit, Person


class Pack(models.TextChoices):
    TAOYUAN = "taoyuan", _("Taoyuan county (TY)")
    HEFEI = "hefei", _("Hefei city (HF)")
    TIANJIN = "tianjin", _("Tianjin district (TJ)")
    DONGAN = "dongan", _("Dong'an county (DA)")
    CUIPING = "cuiping", _("Cuiping town (CP)")
    NATIONAL = "national", _("National statutory limits (NAT)")


class RuleKind(models.TextChoices):
    QUOTA = "QUOTA", _("quota")
    COVERAGE = "COVERAGE", _("coverage")
    ROSTER = "ROSTER", _("roster")
    DEADLINE = "DEADLINE", _("deadline")
    LIMIT = "LIMIT", _("limit")
    AMOUNT = "AMOUNT", _("amount")
    SUBMISSION = "SUBMISSION", _("submission")
    PRACTICE = "PRACTICE", _("practice (not measured)")


class PeriodKind(models.TextChoices):
    WORKDAY = "workday", _("working day")
    DAY = "day", _("day")
    WEEK = "week", _("week")
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    HALF_YEAR = "half_year", _("half-year")
    YEAR = "year", _("year")
    SESSION = "session", _("congress session")
    ITEM = "item", _("per item")
    NONE = "none", _("none")


class RuleQuerySet(models.QuerySet):
    def active(self) -> RuleQuerySet:
        return self.filter(active=True)

    def of_kind(self, *kinds: str) -> RuleQuerySet:
        return self.filter(kind__in=kinds)

    def in_packs(self, *packs: str) -> RuleQuerySet:
        return self.filter(pack__in=packs) if packs else self

    def for_post(self, post: str) -> RuleQuerySet:
        return self.filter(subject_posts__regex=codes_regex(post))


class Rule(models.Model):
    """One duty rule of a pack (RULES.md), with its thresholds as validated parameters.

    `pack_params` keeps the parameters as last loaded from the pack, so that `load_rules`
    can tell an administrator's edit (params differ from pack_params) from a stale row."""

    rule_id = models.CharField(_("rule id"), max_length=20, unique=True)
    pack = models.CharField(_("rule pack"), max_length=20, choices=Pack.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    text = models.TextField(_("rule text"), blank=True)
    subject_posts = models.CharField(_("subject posts"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    pack_params = models.JSONField(
        _("parameters as loaded"), default=dict, blank=True, editable=False
    )
    period = models.CharField(
        _("period"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.NONE
    )
    source = models.CharField(_("source clause"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["pack", "sort_order", "rule_id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.title}"

    @property
    def subject_post_list(self) -> list[str]:
        return split_codes(self.subject_posts)

    @property
    def is_edited(self) -> bool:
        """True when an administrator changed the parameters away from the pack's."""
        return self.params != self.pack_params

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("official schedule (chinesecalendar package)")
    ADMIN = "admin", _("entered by an administrator")


class CalendarYear(models.Model):
    """A year the working-day calendar knows. A year without a row is unknown: every
    working-day computation that touches it fails loudly instead of guessing Mon–Fri."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=20, choices=CalendarSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday (rest day)")
    WORKDAY = "workday", _("adjusted working day (调休上班)")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a statutory holiday or an adjusted working day."""

    date = models.DateField(_("date"), unique=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived, denormalised for the per-year load; not business logic.
        self.year = self.date.year
        super().save(*args, **kwargs)


class ClockState(models.TextChoices):
    OPEN = "open", _("open")
    PAUSED = "paused", _("paused")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class ClockQuerySet(models.QuerySet):
    def open(self) -> ClockQuerySet:
        return self.filter(state=ClockState.OPEN)

    def running(self) -> ClockQuerySet:
        return self.filter(state__in=(ClockState.OPEN, ClockState.PAUSED))

    def due_before(self, day: dt.date) -> ClockQuerySet:
        return self.filter(due__lt=day)

    def due_between(self, first: dt.date, last: dt.date) -> ClockQuerySet:
        return self.filter(due__gte=first, due__lte=last)

    def for_item(self, item: models.Model) -> ClockQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
            object_id=item.pk,
        )

    def visible_to(self, user: Any) -> ClockQuerySet:
        """Clocks of units in the user's scope, never about the user (their subject fields:
        directory.access.confidentiality_condition), whose item the user may see under the
        item type's own access condition (rules.visibility). Every read of clocks for a
        person — panels, the deadline board, drill-downs, PDFs — starts here."""
        from directory.access import confidentiality_condition, scope_for

        from .visibility import clock_condition

        scope = scope_for(user)
        if scope.nothing:
            return self.none()
        return (
            scope.filter(self, "unit")
            .filter(confidentiality_condition(user))
            .filter(clock_condition(user))
        )


class Clock(models.Model):
    """One deadline of one item: when it started, when it is due and why, and — once the
    step is done — when, frozen as on time or late so that reports read facts."""

    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="clocks"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("item type")
    )
    object_id = models.PositiveBigIntegerField(_("item id"))
    item = GenericForeignKey("content_type", "object_id")
    step = models.CharField(
        _("step"), max_length=50, help_text=_("e.g. acceptance, answer, contact")
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
    )
    # What the item is about, copied from it when the clock starts and kept in step by the
    # owning app (a petition's unit and person complained about): the clock, its label and
    # its reminders never reach them (Clock.objects.visible_to, rules.reminders.Recipients).
    subject_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit the item is about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_person = models.ForeignKey(
        Person,
        verbose_name=_("person the item is about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.DateField(_("start"))
    due = models.DateField(_("due date"))
    computation = models.JSONField(_("computation of the due date"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    extension_amount = models.PositiveIntegerField(_("extension"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    pause_reason = models.TextField(_("reason for the pause"), blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ClockQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["due", "pk"]
        indexes = [
            # The deadline scan: one range query over open clocks.
            models.Index(fields=["due"], condition=Q(state="open"), name="clock_open_due"),
            models.Index(fields=["content_type", "object_id"], name="clock_item"),
            models.Index(fields=["rule", "due"], name="clock_rule_due"),
            models.Index(fields=["unit", "due"], name="clock_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.rule_id} {self.step} → {self.due}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.state == ClockState.OPEN and self.due < today


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    DUE_TODAY = "due_today", _("due today")
    OVERDUE = "overdue", _("overdue")
    ESCALATED_OFFICE = "escalated_office", _("overdue: escalated to the supervising office")
    ESCALATED_LEADER = "escalated_leader", _("overdue: escalated to the leader in charge")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("pending")
    CLAIMED = "claimed", _("being delivered")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class Reminder(models.Model):
    """One reminder of one clock for one person at one stage. The unique key makes the scan
    idempotent; the state moves pending → claimed → sent by conditional updates, so that two
    workers, or a worker restarted after a crash, deliver each reminder once."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    lead = models.PositiveSmallIntegerField(_("working days before the due date"), default=0)
    due = models.DateField(_("due date reminded of"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    notification = models.ForeignKey(
        "Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "kind", "lead", "due", "recipient"], name="unique_reminder"
            )
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="reminder_state"),
            models.Index(fields=["claim_token"], name="reminder_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class Notification(models.Model):
    """An entry of a user's in-app inbox: a digest of the reminders delivered together."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(_("items"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=10, default="none")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class DeliveryPreference(models.Model):
    """Which channels a user wants reminders on (the inbox always receives them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_preference"
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by text message"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")

    def __str__(self) -> str:
        return str(self.user)
