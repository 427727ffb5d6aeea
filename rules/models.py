"""What is owed and by when: rule rows, the working-day calendar and clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
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
    # What lists, tables and chart headers show (受理告知时限), with the code on hover; the
    # pack's value is kept beside it so that a reload keeps an administrator's own wording.
    short_title = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("Shown in lists and table headers; empty: the title."),
    )
    pack_short_title = models.CharField(
        _("short name as loaded"), max_length=40, blank=True, editable=False
    )
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
    def short_name(self) -> str:
        """The short Chinese name lists show (the title when the pack gives none)."""
        return self.short_title or self.title

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

    def provisional(self) -> ClockQuerySet:
        return self.filter(provisional=True)

    def for_item(self, item: models.Model) -> ClockQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
            object_id=item.pk,
        )

    def visible_to(self, user: Any, *, per_row: bool = False) -> ClockQuerySet:
        """Clocks of units in the user's scope, never about the user (their subject fields:
        directory.access.confidentiality_condition), whose item the user may see under the
        item type's own access condition (rules.visibility). Every read of clocks for a
        person — panels, the deadline board, drill-downs, PDFs — starts here. `per_row`: the
        item checked clock by clock (a page read in order with a limit), not against the set
        of every visible item (counts); the same clocks either way (clock_condition)."""
        from directory.access import confidentiality_condition, scope_for

        from .visibility import clock_condition

        scope = scope_for(user)
        if scope.nothing:
            return self.none()
        return (
            self.filter(scope.condition_by_unit_id("unit"))
            .filter(confidentiality_condition(user))
            .filter(clock_condition(user, per_row=per_row))
        )


#: Open clocks the deadline scan has stages left to write for (see Clock.reminded_due); the
#: scan's query and its partial index share this condition, so the planner can match them.
SCAN_PENDING = Q(state="open") & (
    Q(reminded_due__isnull=True)
    | Q(reminded_due__lt=models.F("due"))
    | Q(reminded_due__gt=models.F("due"))
)


#: The columns the deadline board's counts read beside the due date (Clock.Meta.indexes).
BOARD_COLUMNS = [
    "id",
    "unit",
    "content_type",
    "object_id",
    "subject_unit",
    "subject_person",
    "rule",
    "done_on",
]


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
    # True while the due date counts a year whose holiday schedule is not entered (it is
    # computed from the statutory holidays and recomputed when the year is entered).
    provisional = models.BooleanField(_("provisional due date"), default=False)
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
    #: The due date for which the deadline scan has written every stage (the last one, the
    #: escalation to a leader, included): the scan passes the clock over until its due date
    #: changes (an extension, a recomputation), so that a steady scan reads only what is new.
    reminded_due = models.DateField(null=True, blank=True, editable=False)

    objects = ClockQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["due", "pk"]
        indexes = [
            # The deadline scan: one range query over open clocks; the columns the visibility
            # conditions and the deadline board read are carried in the index, so counting
            # the open clocks (the board, per unit) reads the index only (PostgreSQL).
            models.Index(
                fields=["due"],
                condition=Q(state="open"),
                include=BOARD_COLUMNS,
                name="clock_open_due",
            ),
            # The board's trend also counts clocks done lately (or paused): by done_on.
            models.Index(
                fields=["done_on"],
                condition=Q(state__in=("done", "paused")),
                include=["due", *(c for c in BOARD_COLUMNS if c != "done_on")],
                name="clock_closed_done_on",
            ),
            # The deadline scan reads only open clocks it has not finished with.
            models.Index(fields=["due"], condition=SCAN_PENDING, name="clock_scan_pending"),
            models.Index(fields=["content_type", "object_id"], name="clock_item"),
            # A list's "provisional" badges (with_provisional_due): running clocks counting a
            # year whose holidays are not entered are few, so the check reads a small index,
            # not every clock of the item type.
            models.Index(
                fields=["content_type", "object_id", "due"],
                condition=Q(provisional=True, state__in=("open", "paused")),
                name="clock_provisional_running",
            ),
            models.Index(fields=["rule", "due"], name="clock_rule_due"),
            models.Index(fields=["unit", "due"], name="clock_unit_due"),
        ]
        constraints = [
            # One running clock per step of an item, per rule and per party it binds: a petition
            # runs one objection window per routed unit, an appeal's reply runs TY-O2 beside
            # HF-O1, a four-musts event one visit per paired cadre, but never the same twice.
            # Two users doing one step at once would otherwise start it twice.
            models.UniqueConstraint(
                models.F("content_type"),
                models.F("object_id"),
                models.F("step"),
                models.F("rule"),
                Coalesce("unit", Value(0)),
                Coalesce("person", Value(0)),
                condition=Q(state__in=("open", "paused")),
                name="clock_one_running_per_step",
                violation_error_message=_(
                    "This step of the matter already has a running deadline."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule.rule_id} {self.step} → {self.due}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.state == ClockState.OPEN and self.due < today

    def counts_workdays(self) -> bool:
        """True when the duration is counted in working days, as its computation says (the
        rule's own unit for a clock computed before the computation kept it)."""
        from .workdays import WORKDAYS

        unit = self.computation.get("inputs", {}).get("unit") or self.rule.param("unit", WORKDAYS)
        return unit == WORKDAYS

    @property
    def provisional_reason(self) -> str:
        """Why the due date is provisional, in one sentence (empty when it is not)."""
        from .workdays import provisional_reason

        return provisional_reason(self.computation) if self.provisional else ""


def with_provisional_due(
    queryset: models.QuerySet[Any], field: str = "due", name: str = "due_provisional"
) -> models.QuerySet[Any]:
    """`queryset` (of records keeping a due date copied from their running clocks in `field`:
    petitions, appeals, matters assigned at a reception) annotated with `name`: True when that
    date is a running clock's provisional due date. A subquery in the same SQL: no query per
    row."""
    meta = queryset.model._meta
    clocks = Clock.objects.filter(
        content_type__app_label=meta.app_label,
        content_type__model=meta.model_name,
        object_id=OuterRef("pk"),
        state__in=(ClockState.OPEN, ClockState.PAUSED),
        provisional=True,
        due=OuterRef(field),
    )
    return queryset.annotate(**{name: Exists(clocks)})


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
    FAILED = "failed", _("failed, will be retried")
    DEAD = "dead", _("given up")
    CANCELLED = "cancelled", _("cancelled")


class Reminder(models.Model):
    """One reminder of one clock, at one stage, for one person or one unit's duty group. The
    unique keys make the scan idempotent; the state moves pending → claimed (a token and a
    time: the lease) → sent into an inbox digest, by conditional updates that name the token,
    so that two workers, or a worker restarted after a crash, deliver each reminder once. A
    digest that cannot be built is failed with its error and retried later; dead after
    DELIVERY_MAX_ATTEMPTS."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    lead = models.PositiveSmallIntegerField(_("working days before the due date"), default=0)
    due = models.DateField(_("due date reminded of"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    group = models.ForeignKey(
        "DutyGroup",
        verbose_name=_("duty group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    scan_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
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
            ),
            models.UniqueConstraint(
                fields=["clock", "kind", "lead", "due", "group"],
                condition=Q(group__isnull=False),
                name="unique_group_reminder",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, group__isnull=True)
                | Q(recipient__isnull=True, group__isnull=False),
                name="reminder_one_addressee",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="reminder_state"),
            models.Index(fields=["claim_token"], name="reminder_claim"),
            models.Index(fields=["scan_token"], name="reminder_scan"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or self.group}"


class Notification(models.Model):
    """A digest of what was delivered together: an entry of a user's in-app inbox, or the
    message posted to a unit's duty group. Each outside channel delivers it by its own
    `Delivery` row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    group = models.ForeignKey(
        "DutyGroup",
        verbose_name=_("duty group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(_("items"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, group__isnull=True)
                | Q(user__isnull=True, group__isnull=False),
                name="notification_one_addressee",
            )
        ]

    def __str__(self) -> str:
        return self.title


mobile_validator = RegexValidator(
    r"^1[3-9][0-9]{9}$", _("Enter an 11-digit mobile number, e.g. 13812345678.")
)


class DeliveryPreference(models.Model):
    """Which channels a user wants reminders on (the inbox always receives them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_preference"
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by text message"), default=False)
    mobile = models.CharField(
        _("mobile number for text messages"),
        max_length=11,
        blank=True,
        validators=[mobile_validator],
        help_text=_("Empty: the phone number of your person record."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")

    def __str__(self) -> str:
        return str(self.user)


class RobotPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot (企业微信群机器人)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉群机器人)")


class DutyGroup(models.Model):
    """A unit's duty group in WeCom or DingTalk: its group robot's webhook receives the
    reminders of the unit's deadlines (due soon, due today, overdue) as one message per run."""

    unit = models.OneToOneField(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="duty_group"
    )
    platform = models.CharField(
        _("platform"), max_length=10, choices=RobotPlatform.choices, default=RobotPlatform.WECOM
    )
    webhook_url = models.URLField(
        _("webhook address"),
        max_length=500,
        help_text=_("The group robot's address, as the group settings show it (with its key)."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only, when the robot's security setting is 加签."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty group")
        verbose_name_plural = _("duty groups")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return f"{self.unit.name} ({self.get_platform_display()})"

    @property
    def masked_url(self) -> str:
        """The address without its key, for pages and logs."""
        return self.webhook_url.split("?", 1)[0] + ("?…" if "?" in self.webhook_url else "")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")
    WEBHOOK = "webhook", _("duty group robot")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed, will be retried")
    DEAD = "dead", _("given up")


class Delivery(models.Model):
    """One notification over one outside channel: pending → sending (claimed with a token and
    a lease) → sent, or failed (with the error and the time of the next attempt, backing off)
    and, after DELIVERY_MAX_ATTEMPTS, dead — listed for administrators. `handed_over_at` marks
    the moment the message left for the channel: a worker that dies after it leaves an
    outcome nobody knows, which a channel that must not repeat a send (at most once) gives up
    instead of retrying."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    address = models.CharField(_("address"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    handed_over_at = models.DateTimeField(_("handed to the channel at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=("pending", "failed")),
                name="delivery_due",
            ),
            models.Index(
                fields=["lease_until"], condition=Q(state="sending"), name="delivery_leased"
            ),
            models.Index(fields=["state", "created_at"], name="delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address} ({self.get_state_display()})"


class ReminderSkip(models.Model):
    """A clock the scan could not decide on for a stage (its working days fall in a year the
    calendar does not know): logged and listed for administrators, never silently dropped."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="skips"
    )
    day = models.DateField(_("scanned on"))
    stage = models.CharField(_("stage"), max_length=20, choices=ReminderKind.choices)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline the scan could not decide")
        verbose_name_plural = _("deadlines the scan could not decide")
        ordering = ["-day", "clock_id"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "day", "stage"], name="one_skip_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="skip_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.clock_id} {self.stage}"
