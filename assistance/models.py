"""Pairing and assistance (结对帮扶 / 联网联户): who is paired with which household or village,
the "four musts" events on households, aid given, the problem ledger and its analyses.

Visits and calls themselves live in the visits app; this app reads them only through
`visits.facts`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel
from directory.models import (
    OFFICE_KINDS,
    TOWNSHIP_KINDS,
    Household,
    HouseholdCategory,
    OrgUnit,
    Person,
    ScopedQuerySet,
)
from directory.models import UnitKind as UK

VILLAGE_KINDS = (UK.VILLAGE, UK.COMMUNITY)


class PairingKind(models.TextChoices):
    MONITORED = "monitored", _("monitored household (监测户)")
    ALLEVIATED = "alleviated", _("poverty-alleviated household (脱贫户)")
    URBAN_HARDSHIP = "urban_hardship", _("urban hardship person (城市困难人员)")
    CENTRE = "centre", _("centre household (联系中心户)")
    RADIATED = "radiated", _("radiated household (辐射户)")


#: A pairing of these kinds must be with a household of the same category: the rule measures
#: "the paired monitored households", so a pairing with a household outside it would count
#: toward the wrong rule.
KIND_CATEGORY: dict[str, str] = {
    PairingKind.MONITORED: HouseholdCategory.MONITORED,
    PairingKind.ALLEVIATED: HouseholdCategory.ALLEVIATED,
    PairingKind.URBAN_HARDSHIP: HouseholdCategory.URBAN_HARDSHIP,
}
#: Kinds that make a household a "hardship person" (HF-A1b) or a hardship household (CP-A4).
HARDSHIP_KINDS = (PairingKind.MONITORED, PairingKind.ALLEVIATED, PairingKind.URBAN_HARDSHIP)


def overlapping(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """Rows (with `start` and nullable `end`) in force at some day of [start, end]."""
    return Q(**{f"{prefix}start__lte": end}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": start})
    )


class PairingQuerySet(ScopedQuerySet):
    scope_field = "household__village"

    def visible_to(self, user: Any) -> PairingQuerySet:
        """In the user's scope, or the user's own pairings (see assistance.access)."""
        from .access import pairing_condition

        return self.filter(pairing_condition(user, "household__village", "person_id"))

    def in_force(self, day: dt.date) -> PairingQuerySet:
        return self.filter(overlapping(day, day))

    def overlapping(self, start: dt.date, end: dt.date) -> PairingQuerySet:
        return self.filter(overlapping(start, end))

    def of_kind(self, *kinds: str) -> PairingQuerySet:
        return self.filter(kind__in=kinds)


class Pairing(SoftDeleteModel):
    """A cadre paired with a household (结对联系户) from `start` to `end` (open-ended while
    running). Handing a household over ends this pairing and starts another for the next
    cadre, which points back here: the history of who owed what stays."""

    person = models.ForeignKey(
        Person, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="pairings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PairingKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    handed_over_from = models.ForeignKey(
        "self",
        verbose_name=_("handed over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_over_to",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LiveManager.from_queryset(PairingQuerySet)()
    all_objects = models.Manager.from_queryset(PairingQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["person_id", "kind", "start", "pk"]
        indexes = [
            # "My households" and the evaluators select by person and period.
            models.Index(fields=["person", "start"], name="pairing_person_start"),
            models.Index(fields=["kind", "start"], name="pairing_kind_start"),
            models.Index(fields=["household", "start"], name="pairing_household_start"),
            # The pairing ledger lists newest first.
            models.Index(fields=["-start", "-id"], name="pairing_start_desc"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="pairing_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ↔ {self.household} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assistance-household", args=[self.household_id])

    def in_force_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.end and self.start and self.end < self.start:
            errors["end"] = _("The end cannot be before the start.")
        category = KIND_CATEGORY.get(self.kind)
        if category and self.household_id and category not in self.household.category_list:
            errors["household"] = _("This household is not in the category %(c)s.") % {
                "c": HouseholdCategory(category).label
            }
        if not errors and self.person_id and self.household_id and self.start:
            errors.update(self._overlap_errors())
        if errors:
            raise ValidationError(errors)

    def _overlap_errors(self) -> dict[str, Any]:
        far = self.end or dt.date.max
        others = Pairing.objects.overlapping(self.start, far).exclude(pk=self.pk)
        if others.filter(person=self.person_id, household=self.household_id, kind=self.kind):
            return {"household": _("This cadre is already paired with this household then.")}
        if (
            self.kind == PairingKind.CENTRE
            and others.filter(person=self.person_id, kind=PairingKind.CENTRE).exists()
        ):
            return {"kind": _("A cadre has one centre household at a time (1+1+n).")}
        return {}


class UnitPairingQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def overlapping(self, start: dt.date, end: dt.date) -> UnitPairingQuerySet:
        return self.filter(overlapping(start, end))


class UnitPairing(SoftDeleteModel):
    """A leader (HF-A1a) or a party/government body (HF-A1c) paired with a village or
    another grassroots unit (结对帮扶村 / 基层单位)."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_pairings",
    )
    body = models.ForeignKey(
        OrgUnit,
        verbose_name=_("body (party or government unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grassroots_pairings",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("village or grassroots unit"),
        on_delete=models.PROTECT,
        related_name="paired_with",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = LiveManager.from_queryset(UnitPairingQuerySet)()
    all_objects = models.Manager.from_queryset(UnitPairingQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village pairing")
        verbose_name_plural = _("village pairings")
        ordering = ["unit__path", "start", "pk"]
        indexes = [models.Index(fields=["start"], name="unitpairing_start")]

    def __str__(self) -> str:
        return f"{self.person or self.body} ↔ {self.unit}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if bool(self.person_id) == bool(self.body_id):
            errors["person"] = _("Name either a leader or a body, not both.")
        if self.end and self.start and self.end < self.start:
            errors["end"] = _("The end cannot be before the start.")
        if self.unit_id:
            allowed = (
                VILLAGE_KINDS if self.person_id else (*VILLAGE_KINDS, UK.GROUP, *TOWNSHIP_KINDS)
            )
            if self.unit.kind not in allowed:
                errors["unit"] = (
                    _("A leader pairs with a village or community.")
                    if self.person_id
                    else _("A body pairs with a grassroots unit (township, village, group).")
                )
        if self.body_id and self.body.kind not in OFFICE_KINDS:
            errors["body"] = _("A body is a department, a township or street, or the county.")
        if errors:
            raise ValidationError(errors)


# --- four musts (四到) --------------------------------------------------------------------------


class EventKind(models.TextChoices):
    ILLNESS = "illness", _("serious illness (重病)")
    DISASTER = "disaster", _("disaster (灾害)")
    FESTIVAL = "festival", _("special festival (特殊节日)")
    THINKING = "thinking", _("abnormal thinking (思想异常)")


class HouseholdEventQuerySet(ScopedQuerySet):
    scope_field = "household__village"


class HouseholdEvent(SoftDeleteModel):
    """Something that makes a visit due (CP-A3 "four musts", HF-A2): each opens a clock for
    every cadre paired with the household on that day. A disaster recorded for a whole
    village is one event per household (`village_wide`), so that each visit closes its own."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    date = models.DateField(
        _("recorded on"), help_text=_("The visit is due counting from this day.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    festival = models.CharField(
        _("festival"),
        max_length=50,
        blank=True,
        help_text=_("For a festival event: which festival (e.g. 春节)."),
    )
    village_wide = models.BooleanField(_("recorded for the whole village"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LiveManager.from_queryset(HouseholdEventQuerySet)()
    all_objects = models.Manager.from_queryset(HouseholdEventQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("four-musts event")
        verbose_name_plural = _("four-musts events")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["household", "date"], name="event_household_date")]
        constraints = [
            # The festival job runs again and again: one festival event per household per day.
            models.UniqueConstraint(
                fields=["household", "festival", "date"],
                condition=Q(deleted_at__isnull=True) & ~Q(festival=""),
                name="unique_festival_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("assistance-household", args=[self.household_id])

    def clean(self) -> None:
        if self.kind == EventKind.FESTIVAL and not self.festival:
            raise ValidationError({"festival": _("Name the festival.")})
        if self.kind != EventKind.FESTIVAL and self.festival:
            raise ValidationError({"festival": _("Only a festival event names a festival.")})


class Festival(models.Model):
    """A festival (besides the Spring Festival, which comes from the working-day calendar) on
    which the households that need it are visited: the festival job opens a four-musts event
    for each paired household of the listed categories `lead_days` before the date."""

    name = models.CharField(_("name"), max_length=50)
    date = models.DateField(_("date"))
    categories = models.CharField(
        _("households visited"),
        max_length=200,
        blank=True,
        help_text=_("Household categories, separated by ';'; empty: every paired household."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("days before the festival the visit opens"), default=7
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")
        ordering = ["date", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="unique_festival")]

    def __str__(self) -> str:
        return f"{self.name} {self.date}"


# --- aid (CP-A4) -------------------------------------------------------------------------------


class AidKind(models.TextChoices):
    MONEY = "money", _("money")
    GOODS = "goods", _("goods")


class AidEntryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> AidEntryQuerySet:
        from .access import pairing_condition

        return self.filter(pairing_condition(user, "household__village", "person_id"))

    def money(self) -> AidEntryQuerySet:
        return self.filter(kind=AidKind.MONEY)

    def in_year(self, year: int) -> AidEntryQuerySet:
        return self.filter(date__year=year)


class AidEntry(models.Model):
    """Money or goods a cadre gave a paired household. Entries are never edited or deleted:
    a mistake is corrected by a new entry (a negative amount) that points at the one it
    corrects, so the ledger adds up and shows what happened."""

    person = models.ForeignKey(
        Person, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="aid_entries"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="aid_entries",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=AidKind.choices, default="money")
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("For goods, their value in yuan."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AidEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aid entry")
        verbose_name_plural = _("aid entries")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["person", "date"], name="aid_person_date"),
            models.Index(fields=["household", "date"], name="aid_household_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.person} → {self.household} ¥{self.amount}"

    def clean(self) -> None:
        if self.amount is None:
            return
        if self.amount == Decimal(0):
            raise ValidationError({"amount": _("Enter an amount other than zero.")})
        if self.amount < 0 and not self.corrects_id:
            raise ValidationError(
                {"amount": _("A negative amount is only allowed as a correction of an entry.")}
            )


# --- problem ledger (HF-S1, CP-S1) -------------------------------------------------------------


class ProblemCategory(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("roads, water and power")
    INCOME = "income", _("industry and jobs")
    SOCIAL = "social", _("social security and assistance")
    HEALTH = "health", _("medical care")
    EDUCATION = "education", _("education")
    HOUSING = "housing", _("housing")
    DISPUTE = "dispute", _("disputes and petitions")
    ENVIRONMENT = "environment", _("environment")
    OTHER = "other", _("other")


class ProblemClass(models.TextChoices):
    SOLVE_NOW = "solve_now", _("can be solved now")
    NEEDS_TIME = "needs_time", _("needs time: responsible person and timetable")
    COLLECTIVE = "collective", _("needs collective study by the leadership")
    CANNOT_NOW = "cannot_now", _("cannot be solved now: reason explained")


class Supervision(models.TextChoices):
    TRACKING = "tracking", _("tracking (跟踪督办)")
    LISTED = "listed", _("listed (挂牌督办)")
    TIME_LIMITED = "time_limited", _("time-limited (限时督办)")
    DYNAMIC = "dynamic", _("dynamic (动态督办)")


class ProblemState(models.TextChoices):
    OPEN = "open", _("open")
    SOLVED = "solved", _("solved")
    EXPLAINED = "explained", _("explained to the public")


class ProblemQuerySet(ScopedQuerySet):
    scope_field = "village"

    def still_open(self) -> ProblemQuerySet:
        return self.filter(state=ProblemState.OPEN)


class Problem(SoftDeleteModel):
    """A problem found among the households (突出问题汇总台账), with its classification and
    supervision mode; one that needs time gets a responsible person and a timetable, kept
    as a clock of HF-S1."""

    village = models.ForeignKey(
        OrgUnit, verbose_name=_("village / community"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    found_on = models.DateField(_("found on"))
    found_by = models.ForeignKey(
        Person,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("problem"))
    category = models.CharField(_("kind"), max_length=20, choices=ProblemCategory.choices)
    classification = models.CharField(
        _("classification"), max_length=20, choices=ProblemClass.choices
    )
    supervision = models.CharField(
        _("supervision mode"),
        max_length=20,
        choices=Supervision.choices,
        default=Supervision.TRACKING,
    )
    responsible = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due = models.DateField(_("to be solved by"), null=True, blank=True)
    explanation = models.TextField(_("explanation given to the public"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    resolution = models.TextField(_("how it was solved"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LiveManager.from_queryset(ProblemQuerySet)()
    all_objects = models.Manager.from_queryset(ProblemQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "found_on"], name="problem_state_found"),
            models.Index(fields=["village", "found_on"], name="problem_village_found"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return reverse("assistance-problem", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.village_id and self.village.kind not in VILLAGE_KINDS:
            errors["village"] = _("Choose a village or community.")
        if self.household_id and self.village_id and self.household.village_id != self.village_id:
            errors["household"] = _("The household must belong to the village.")
        if self.classification == ProblemClass.NEEDS_TIME:
            if not self.responsible_id:
                errors["responsible"] = _("A problem that needs time has a responsible person.")
            if not self.due:
                errors["due"] = _("A problem that needs time has a timetable.")
            elif self.found_on and self.due <= self.found_on:
                errors["due"] = _("The timetable must end after the day the problem was found.")
        if self.classification == ProblemClass.CANNOT_NOW and not self.explanation.strip():
            errors["explanation"] = _("Record the explanation given to the public.")
        if errors:
            raise ValidationError(errors)


class AnalysisLevel(models.TextChoices):
    TOWNSHIP_MONTH = "township_month", _("township's monthly analysis")
    OFFICE_QUARTER = "office_quarter", _("leading-group office's quarterly analysis")
    VILLAGE_HALF_YEAR = "village_half_year", _("village's half-year written report")


class Analysis(models.Model):
    """A held analysis of the grid's problems (CP-S1): the township each month, the leading
    group's office each quarter, and each village's half-year written report."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("kind"), max_length=20, choices=AnalysisLevel.choices)
    period = models.CharField(_("period"), max_length=10, editable=False)
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary and decisions"))
    open_problems = models.PositiveIntegerField(_("open problems at the time"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem analysis")
        verbose_name_plural = _("problem analyses")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "level", "period"], name="unique_analysis_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.get_level_display()}"
