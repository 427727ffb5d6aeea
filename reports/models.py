"""Reports: annual written reports, democratic evaluation campaigns and queued report jobs.

Anonymity of online ballots (民主测评) is a property of the schema, not of the views:
- a `BallotCode` knows its campaign and evaluator group and whether it is used — no time, no
  person, no history (a used-at time could be lined up with the order of the votes);
- an online vote leaves no row of its own: it adds one to pre-created `BallotTally` counters
  (campaign, group, target, rating, count), which have no time, no id of the voter and no
  history, and every counter of the group is rewritten by the same UPDATE, so that not even
  the database's row versions tell which counters a vote changed.
Paper tallies (`PaperTally`) are entered by staff and keep their history like any record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel
from directory.models import OrgUnit, Person, ScopedQuerySet, code_validator

# --- annual written reports (TY-Y1, HF-V5a/b) -------------------------------------------------


class SubmissionKind(models.TextChoices):
    ANNUAL_REPORT = "annual_report", _("annual implementation report")
    RESEARCH_REPORT = "research_report", _("research report")


class SubmissionQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def of_year(self, year: int) -> SubmissionQuerySet:
        return self.filter(year=year)


class Submission(SoftDeleteModel):
    """A written report handed in: by a person (a leader's own report) or, with no person, by
    a unit (the report of the unit's party committee). `unit` is always set — the person's
    unit for a personal report — so that the record is scoped like any unit record."""

    kind = models.CharField(_("kind"), max_length=30, choices=SubmissionKind.choices)
    year = models.PositiveSmallIntegerField(_("year reported on"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to="reports/submissions/%Y/", blank=True, max_length=200
    )
    submitted_on = models.DateField(_("submitted on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveManager.from_queryset(SubmissionQuerySet)()
    all_objects = models.Manager.from_queryset(SubmissionQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("written report")
        verbose_name_plural = _("written reports")
        ordering = ["-year", "-submitted_on", "-pk"]
        indexes = [
            # The SUBMISSION evaluator groups one year's reports by kind and subject.
            models.Index(fields=["year", "kind"], name="submission_year_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} · {self.subject_name}"

    @property
    def subject_code(self) -> str:
        return self.person.code if self.person_id else self.unit.code

    @property
    def subject_name(self) -> str:
        return self.person.name if self.person_id else self.unit.name

    def clean(self) -> None:
        if self.person_id and self.unit_id and self.person.unit_id != self.unit_id:
            raise ValidationError({"unit": _("A personal report belongs to the person's unit.")})


# --- democratic evaluation (民主测评: TY-Y2, HF-Y1, CP-Y1) -----------------------------------


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    OPEN = "open", _("open for ballots")
    CLOSED = "closed", _("closed (results shown)")


class TargetKind(models.TextChoices):
    UNITS = "units", _("units")
    PEOPLE = "people", _("people")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied (满意)")
    BASIC = "basic", _("basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("unsatisfied (不满意)")


class GroupKind(models.TextChoices):
    """Usual evaluator groups; a campaign may name others (the code is free text)."""

    DEPUTY = "deputy", _("congress deputies")
    MEMBER = "member", _("CPPCC members")
    PUBLIC = "public", _("the public")
    HOUSEHOLDS = "households", _("linked households")
    CADRES = "cadres", _("cadres")
    VILLAGE_PARTY = "village_party", _("village party organisation")
    GRID = "grid", _("grid unit")
    OTHER = "other", _("other")


class CampaignQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Campaign(models.Model):
    """A democratic evaluation: who is evaluated, by which groups, on which scale."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    target_kind = models.CharField(
        _("evaluated"), max_length=10, choices=TargetKind.choices, default=TargetKind.UNITS
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    satisfied_points = models.DecimalField(
        _("points for satisfied"), max_digits=6, decimal_places=2, default=100
    )
    basic_points = models.DecimalField(
        _("points for basically satisfied"), max_digits=6, decimal_places=2, default=60
    )
    unsatisfied_points = models.DecimalField(
        _("points for unsatisfied"), max_digits=6, decimal_places=2, default=0
    )
    note = models.TextField(_("note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_closed(self) -> bool:
        return self.state == CampaignState.CLOSED

    def points(self) -> dict[str, Any]:
        return {
            Rating.SATISFIED: self.satisfied_points,
            Rating.BASIC: self.basic_points,
            Rating.UNSATISFIED: self.unsatisfied_points,
        }


class CampaignTarget(models.Model):
    """One evaluated unit or person of a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluated unit or person")
        verbose_name_plural = _("evaluated units and people")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, person__isnull=True)
                | Q(unit__isnull=True, person__isnull=False),
                name="target_unit_xor_person",
            ),
            models.UniqueConstraint(fields=["campaign", "unit"], name="unique_target_unit"),
            models.UniqueConstraint(fields=["campaign", "person"], name="unique_target_person"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.unit.code if self.unit_id else self.person.code

    @property
    def name(self) -> str:
        return self.unit.name if self.unit_id else self.person.name


class EvaluatorGroup(models.Model):
    """Who rates: deputies, members, the public, linked households …, with an optional weight."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="groups"
    )
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_("Empty: every ballot counts the same. Give every group a weight or none."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluator group")
        verbose_name_plural = _("evaluator groups")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="unique_group_code"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name; a group named only by its key (`deputy`, as a ledger may have it) shows the
        usual group's label (人大代表) instead of the English key."""
        if self.name and self.name != self.code:
            return self.name
        return str(dict(GroupKind.choices).get(self.code, self.name or self.code))


class BallotCode(models.Model):
    """A one-time code printed on a ballot slip. Only its digest is stored (the code is shown
    once, to print the slips). Deliberately without time fields or history: see the module
    docstring."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="codes")
    group = models.ForeignKey(EvaluatorGroup, on_delete=models.PROTECT, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")

    def __str__(self) -> str:
        return f"{self.group} ({'used' if self.used else 'unused'})"


class BallotTally(models.Model):
    """Online ballots, counted: one counter per (group, target, rating), created when the
    campaign opens. A vote only adds to counters; it never inserts a row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(EvaluatorGroup, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(CampaignTarget, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=12, choices=Rating.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("online ballot count")
        verbose_name_plural = _("online ballot counts")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "target", "rating"], name="unique_online_tally"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.rating}: {self.count}"


class PaperTally(models.Model):
    """Paper ballots counted by hand and entered by staff (tally form or `ballots` sheet)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        EvaluatorGroup, verbose_name=_("evaluator group"), on_delete=models.PROTECT
    )
    target = models.ForeignKey(
        CampaignTarget, verbose_name=_("evaluated"), on_delete=models.PROTECT
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paper ballot count")
        verbose_name_plural = _("paper ballot counts")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "target", "rating"], name="unique_paper_tally"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.get_rating_display()}: {self.count}"


# --- queued report jobs ----------------------------------------------------------------------


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ReportJobQuerySet(ScopedQuerySet):
    scope_field = "scope_unit"


class ReportJob(models.Model):
    """A year-end PDF produced on the queue: its progress, its state and, when done, its file."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole jurisdiction."),
    )
    # The unit whose subtree the job covers: the chosen unit or the jurisdiction's root.
    scope_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("covers"), on_delete=models.PROTECT, related_name="+"
    )
    signer = models.CharField(_("signing supervisor"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="reports/pdf/%Y/", blank=True, max_length=200)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.unit or self.scope_unit} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
