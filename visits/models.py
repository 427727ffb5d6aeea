"""Field visits (走访 / 四下基层 / 住村 / 调研), the people who made them, the households visited,
and meetings (for the no-meeting weeks of HF-V6).

A visit is one outing of one kind on one date by one or several people, at one place (a unit of
the org tree: township, village, villager group, or a department as contact point), with the
households visited and what was heard (the diary entry). Other apps read visit facts through
`visits.facts`, never these tables directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel
from directory.models import Household, OrgUnit, Person, ScopedQuerySet, UnitKind


class VisitKind(models.TextChoices):
    GRASSROOTS = "grassroots", _("grassroots work (四下基层)")
    HOUSEHOLD = "household", _("household visit (入户走访)")
    VILLAGE_STAY = "village_stay", _("village stay (住村)")
    RESEARCH = "research", _("research (调研)")
    ENTERPRISE = "enterprise", _("enterprise visit (走访企业)")
    CONTACT_POINT = "contact_point", _("contact-point visit (联系点)")
    POLICY_TALK = "policy_talk", _("policy interaction with the public")
    EXPERT_TALK = "expert_talk", _("talk with experts or non-party figures")
    CALL = "call", _("phone call")


#: Kinds done in person at the grassroots (四下基层): everything but a call and a talk with
#: experts, which may happen in an office.
FIELD_KINDS: tuple[str, ...] = (
    VisitKind.GRASSROOTS,
    VisitKind.HOUSEHOLD,
    VisitKind.VILLAGE_STAY,
    VisitKind.RESEARCH,
    VisitKind.ENTERPRISE,
    VisitKind.CONTACT_POINT,
    VisitKind.POLICY_TALK,
)
#: Kinds in which households are met face to face: a call is contact, not a visit.
IN_PERSON_KINDS: tuple[str, ...] = tuple(k for k in VisitKind.values if k != VisitKind.CALL)

HALF_DAY = Decimal("0.5")
# Units a visit may take place at; households belong to villages and communities.
PLACE_KINDS = (
    UnitKind.CITY,
    UnitKind.COUNTY,
    UnitKind.DISTRICT,
    UnitKind.TOWNSHIP,
    UnitKind.STREET,
    UnitKind.VILLAGE,
    UnitKind.COMMUNITY,
    UnitKind.GROUP,
    UnitKind.DEPARTMENT,
)


class VisitQuerySet(ScopedQuerySet):
    scope_field = "unit"  # a visit is visible to whoever may see the place it happened at

    def in_window(self, start: dt.date, end: dt.date) -> VisitQuerySet:
        return self.filter(date__gte=start, date__lte=end)

    def of_kind(self, *kinds: str) -> VisitQuerySet:
        return self.filter(kind__in=kinds)

    def by_person(self, person: Person | int) -> VisitQuerySet:
        return self.filter(participants__person=person)


class Visit(SoftDeleteModel):
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    days = models.DecimalField(
        _("days spent"),
        max_digits=4,
        decimal_places=1,
        default=HALF_DAY,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(60))],
        help_text=_("0.5 for a half day; the length of a village stay."),
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="visits",
        help_text=_("The township, village, villager group or contact point visited."),
    )
    enterprise = models.CharField(_("enterprise"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    heard = models.TextField(
        _("what was heard (民情日记)"),
        blank=True,
        help_text=_("What the households think, need and worry about."),
    )
    collective = models.BooleanField(
        _("collective research of the standing committee (集体调研)"), default=False
    )
    # Discipline facts of a village stay (HF-V3); empty when not recorded.
    entourage = models.PositiveSmallIntegerField(
        _("people travelling along"), null=True, blank=True
    )
    cars = models.PositiveSmallIntegerField(_("cars"), null=True, blank=True)
    lodged_with_household = models.BooleanField(
        _("lodged in an ordinary home"), null=True, blank=True
    )
    board_paid = models.BooleanField(_("board and lodging paid"), null=True, blank=True)
    no_banners = models.BooleanField(_("no welcome banners"), null=True, blank=True)
    ref = models.CharField(
        _("reference"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("The number of the entry in a paper ledger, if any."),
    )
    people = models.ManyToManyField(
        Person, through="VisitPerson", related_name="visits", verbose_name=_("people")
    )
    households = models.ManyToManyField(
        Household,
        through="VisitHousehold",
        related_name="visits",
        verbose_name=_("households visited"),
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

    objects = LiveManager.from_queryset(VisitQuerySet)()
    all_objects = models.Manager.from_queryset(VisitQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-pk"]
        indexes = [
            # The ledger sorts by date; facts filter a period and a kind.
            models.Index(fields=["-date", "-id"], name="visit_date_desc"),
            models.Index(fields=["kind", "date"], name="visit_kind_date"),
            models.Index(fields=["unit", "date"], name="visit_unit_date"),
            # A year's facts (visits.measures) read the year's live visits from this index
            # alone (an index-only range scan), not the table of every year.
            models.Index(
                fields=["date", "id", "kind", "unit", "days", "collective"],
                name="visit_year_facts",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.unit}"

    @property
    def is_call(self) -> bool:
        return self.kind == VisitKind.CALL

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        days = self.days if self.days is not None else Decimal(0)
        if days % HALF_DAY:
            errors["days"] = _("Enter days in half days: 0.5, 1, 1.5 …")
        elif self.kind == VisitKind.CALL and days:
            errors["days"] = _("A phone call takes no field days; enter 0.")
        elif self.kind == VisitKind.VILLAGE_STAY and days < 1:
            errors["days"] = _("A village stay lasts at least one day.")
        elif self.kind not in (VisitKind.CALL, VisitKind.EXPERT_TALK) and not days:
            errors["days"] = _("Enter the time spent: 0.5 for a half day.")
        if self.unit_id and self.unit.kind not in PLACE_KINDS:
            errors["unit"] = _("Choose a township, village, villager group or department.")
        if self.collective and self.kind != VisitKind.RESEARCH:
            errors["collective"] = _("Only a research visit can be a collective research.")
        if errors:
            raise ValidationError(errors)

    def households_area(self) -> OrgUnit | None:
        """The unit whose households may be picked: the village of a villager group, else the
        place itself (a township: any of its villages)."""
        if self.unit.kind == UnitKind.GROUP:
            return self.unit.parent
        return self.unit

    def discipline_breaches(self) -> list[str]:
        """HF-V3's "no"s that were recorded as broken (an empty fact is not a breach)."""
        labels = {
            "lodged_with_household": _("not lodged in an ordinary home"),
            "board_paid": _("board and lodging not paid"),
            "no_banners": _("welcome banners put up"),
        }
        return [str(label) for field, label in labels.items() if getattr(self, field) is False]


def copy_visit_date(row: VisitPerson | VisitHousehold) -> None:
    """A person or household row carries its visit's date (denormalised so that a year's facts
    read only the year's rows). Bulk writers set it themselves; `visit_save` moves the rows'
    dates when a visit's date changes."""
    if row.date is None:
        row.date = row.visit.date


class VisitPersonQuerySet(models.QuerySet):
    def live(self) -> VisitPersonQuerySet:
        return self.filter(visit__deleted_at__isnull=True)


class VisitPerson(models.Model):
    """One person of a visit. Kept apart so that a visit by three leaders counts for each."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="visit_rows"
    )
    #: The visit's date, copied (see `VisitDated`): a year's facts read the year's rows by index.
    date = models.DateField(_("date"), editable=False)

    objects = VisitPersonQuerySet.as_manager()
    # The date is a copy of the visit's, not a fact of its own: no history of it.
    history = HistoricalRecords(excluded_fields=["date"])

    class Meta:
        verbose_name = _("person of a visit")
        verbose_name_plural = _("people of visits")
        constraints = [
            models.UniqueConstraint(fields=["person", "visit"], name="unique_visit_person")
        ]
        indexes = [models.Index(fields=["date", "person", "visit"], name="visitperson_date")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.visit_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        copy_visit_date(self)
        super().save(*args, **kwargs)


class VisitHouseholdQuerySet(models.QuerySet):
    def live(self) -> VisitHouseholdQuerySet:
        return self.filter(visit__deleted_at__isnull=True)


class VisitHousehold(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="household_rows"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="visit_rows",
    )
    #: The visit's date, copied (see `VisitPerson.date`).
    date = models.DateField(_("date"), editable=False)

    objects = VisitHouseholdQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["date"])

    class Meta:
        verbose_name = _("household of a visit")
        verbose_name_plural = _("households of visits")
        constraints = [
            models.UniqueConstraint(fields=["household", "visit"], name="unique_visit_household")
        ]
        indexes = [models.Index(fields=["date", "visit", "household"], name="visithousehold_date")]

    def __str__(self) -> str:
        return f"{self.household} @ {self.visit_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        copy_visit_date(self)
        super().save(*args, **kwargs)


class MeetingQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def in_window(self, start: dt.date, end: dt.date) -> MeetingQuerySet:
        return self.filter(date__gte=start, date__lte=end)


class Meeting(SoftDeleteModel):
    """A meeting a unit convenes; one booked in a no-meeting week (无会周, HF-V6) is flagged."""

    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("convening unit"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(
        _("why it cannot wait"),
        max_length=200,
        blank=True,
        help_text=_("Needed when the date falls in a no-meeting week."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LiveManager.from_queryset(MeetingQuerySet)()
    all_objects = models.Manager.from_queryset(MeetingQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date"], name="meeting_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"
