"""Deputies' suggestions (建议) and members' proposals (提案), their sessions, handling and
feedback; and the three public lists (三张清单) of TY-L1.

The deadlines themselves are clocks in `rules` (started and completed by proposals.services);
these models hold the facts the clocks are started and completed from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.base import LiveManager, SoftDeleteModel, SoftDeleteQuerySet
from directory.models import OrgUnit, Person, Post, code_validator


class Body(models.TextChoices):
    CONGRESS = "congress", _("people's congress (人大)")
    CPPCC = "cppcc", _("CPPCC (政协)")
    PARTY_CONGRESS = "party_congress", _("party congress (党代会)")


#: The post an author of a body's items holds (the party congress has no post in the directory).
BODY_POSTS: dict[str, str] = {Body.CONGRESS: Post.DEPUTY, Body.CPPCC: Post.MEMBER}


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion (建议)")
    PROPOSAL = "proposal", _("proposal (提案)")


#: The kind of item each body's members put forward (the party congress may do either).
BODY_KINDS: dict[str, str] = {Body.CONGRESS: Kind.SUGGESTION, Body.CPPCC: Kind.PROPOSAL}


class Category(models.TextChoices):
    ECONOMY = "economy", _("economy and finance")
    URBAN_RURAL = "urban_rural", _("urban and rural construction")
    AGRICULTURE = "agriculture", _("agriculture and rural affairs")
    EDUCATION = "education", _("education, science, culture and health")
    SOCIAL = "social", _("social security and employment")
    ENVIRONMENT = "environment", _("ecology and environment")
    LAW = "law", _("law, order and government")
    OTHER = "other", _("other")


class Session(SoftDeleteModel):
    """A meeting of a congress, CPPCC or party congress (e.g. 县十八届人大五次会议). Items made
    during it count for TY-P4; items made after it closes are 'between sessions' (TJ-P1)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))

    objects = LiveManager.from_queryset(SoftDeleteQuerySet)()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-opens", "code"]
        indexes = [models.Index(fields=["body", "opens"], name="session_body_opens")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens and self.closes and self.closes < self.opens:
            raise ValidationError({"closes": _("A session cannot close before it opens.")})

    @property
    def author_post(self) -> str | None:
        return BODY_POSTS.get(self.body)


class LiaisonOffice(models.Model):
    """The office that registers and assigns a body's items (人大联络室, 政协提案委): its
    accounts see every item of that body."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="liaison_offices"
    )
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liaison office")
        verbose_name_plural = _("liaison offices")
        constraints = [
            models.UniqueConstraint(fields=["unit", "body"], name="unique_liaison_office")
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_body_display()})"


class Stage(models.TextChoices):
    REGISTERED = "registered", _("registered, not yet assigned")
    ASSIGNED = "assigned", _("assigned, author not yet contacted")
    CONTACTED = "contacted", _("author contacted, being handled")
    ANSWERED = "answered", _("answered, awaiting feedback")
    SECOND_HANDLING = "second_handling", _("unsatisfied: second handling")
    SECOND_ANSWERED = "second_answered", _("second answer given, awaiting feedback")
    CLOSED = "closed", _("closed")


#: Stages in which the lead unit still owes the first answer.
FIRST_HANDLING = (Stage.ASSIGNED, Stage.CONTACTED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied (满意)")
    BASIC = "basic", _("basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("unsatisfied (不满意)")


#: How ledgers write the ratings.
RATING_WORDS = {"满意": Rating.SATISFIED, "基本满意": Rating.BASIC, "不满意": Rating.UNSATISFIED}


class ProposalQuerySet(SoftDeleteQuerySet):
    def visible_to(self, user: Any) -> ProposalQuerySet:
        from .access import proposal_condition

        return self.filter(proposal_condition(user))

    def in_stage(self, *stages: str) -> ProposalQuerySet:
        return self.filter(stage__in=stages)


class Proposal(SoftDeleteModel):
    """One suggestion or proposal: who made it in which session, what it asks, which unit
    leads its handling (and which units help), and where it stands."""

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="proposals"
    )
    in_session = models.BooleanField(
        _("made during the session"),
        default=True,
        help_text=_("Untick for an item made between sessions (闭会期间)."),
    )
    submitted = models.DateField(_("submitted on"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_proposals",
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    complex = models.BooleanField(_("complex item"), default=False)
    complex_explanation = models.TextField(_("explanation of why it is complex"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REGISTERED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveManager.from_queryset(ProposalQuerySet)()
    all_objects = models.Manager.from_queryset(ProposalQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suggestion / proposal")
        verbose_name_plural = _("suggestions and proposals")
        ordering = ["-submitted", "-pk"]
        indexes = [
            models.Index(fields=["session", "in_session"], name="proposal_session"),
            models.Index(fields=["lead_unit", "stage"], name="proposal_unit_stage"),
            models.Index(fields=["stage", "submitted"], name="proposal_stage"),
            models.Index(fields=["submitted", "id"], name="proposal_list"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("proposal-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.session_id:
            expected = BODY_KINDS.get(self.session.body)
            if expected and self.kind and self.kind != expected:
                errors["kind"] = _("Items of the %(body)s are %(kind)s.") % {
                    "body": self.session.get_body_display(),
                    "kind": Kind(expected).label,
                }
            if self.submitted and self.in_session and self.submitted > self.session.closes:
                errors["in_session"] = _(
                    "Submitted after the session closed: this item was made between sessions."
                )
            if self.submitted and not self.in_session and self.submitted <= self.session.closes:
                errors["in_session"] = _(
                    "An item made between sessions is submitted after the session closes."
                )
        if self.assigned_on and self.submitted and self.assigned_on < self.submitted:
            errors["assigned_on"] = _("An item cannot be assigned before it was submitted.")
        if self.complex and not self.complex_explanation.strip():
            errors["complex_explanation"] = _("Record why the item is complex.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_between_sessions(self) -> bool:
        return not self.in_session

    @property
    def answer_round(self) -> int | None:
        """The round of the answer the lead unit owes now (1, 2) or None."""
        if self.stage in FIRST_HANDLING:
            return 1
        if self.stage == Stage.SECOND_HANDLING:
            return 2
        return None

    @property
    def feedback_round(self) -> int | None:
        """The round of the feedback the author owes now (1, 2) or None."""
        return {Stage.ANSWERED: 1, Stage.SECOND_ANSWERED: 2}.get(self.stage)


class ProposalAuthor(models.Model):
    """An author: the lead author (领衔人) first, then joint authors (联名/附议)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("item"), on_delete=models.CASCADE, related_name="authorships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("author"), on_delete=models.PROTECT, related_name="authorships"
    )
    is_lead = models.BooleanField(_("lead author"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="unique_proposal_author")
        ]
        indexes = [models.Index(fields=["person", "proposal"], name="author_person")]

    def __str__(self) -> str:
        return str(self.person)


class CoHandling(models.Model):
    """A co-handling unit (协办单位) and its opinion to the lead unit (协办意见)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("item"), on_delete=models.CASCADE, related_name="co_handlings"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("co-handling unit"),
        on_delete=models.PROTECT,
        related_name="co_handled_proposals",
    )
    opinion = models.TextField(_("opinion to the lead unit"), blank=True)
    opinion_on = models.DateField(_("opinion given on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "unit"], name="unique_co_handling")
        ]
        indexes = [models.Index(fields=["unit", "proposal"], name="co_handling_unit")]

    def __str__(self) -> str:
        return str(self.unit)


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("visit in person")
    PHONE = "phone", _("telephone")
    MEETING = "meeting", _("meeting or site inspection")
    OTHER = "other", _("other")


class Contact(models.Model):
    """The lead unit's contact with the author about the item (TY-P1)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("item"), on_delete=models.CASCADE, related_name="contacts"
    )
    contacted_on = models.DateField(_("contacted on"))
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    note = models.TextField(_("what was discussed"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact with the author")
        verbose_name_plural = _("contacts with the author")
        ordering = ["contacted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal.ref} {self.contacted_on}"


class ResultClass(models.TextChoices):
    # The usual classes of a handling result (A/B/C类) in answers to deputies.
    SOLVED = "solved", _("A: solved or adopted")
    PLANNED = "planned", _("B: being solved or planned")
    EXPLAINED = "explained", _("C: cannot be solved now, explained")


def answer_upload_to(instance: Answer, filename: str) -> str:
    return f"proposals/answers/{instance.proposal_id}/{instance.round}/{filename}"


class Answer(models.Model):
    """The written answer of a handling round: round 1, and round 2 after 'unsatisfied'."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("item"), on_delete=models.CASCADE, related_name="answers"
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    answered_on = models.DateField(_("answered on"))
    result = models.CharField(_("result"), max_length=20, choices=ResultClass.choices, blank=True)
    text = models.TextField(_("summary of the answer"), blank=True)
    document = models.FileField(
        _("answer document"), upload_to=answer_upload_to, max_length=255, blank=True
    )
    document_name = models.CharField(_("document name"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="unique_answer_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal.ref} #{self.round} {self.answered_on}"


class Feedback(models.Model):
    """The author's feedback on a round: the attitude of the handling unit and the result are
    rated separately, as the liaison offices' feedback forms (征询意见表) do."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("item"), on_delete=models.CASCADE, related_name="feedbacks"
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    given_on = models.DateField(_("given on"))
    attitude = models.CharField(_("handling attitude"), max_length=20, choices=Rating.choices)
    result = models.CharField(_("handling result"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    by_author = models.BooleanField(
        _("given by the author"),
        default=True,
        help_text=_("Unticked when the liaison office recorded it for the author."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="unique_feedback_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal.ref} #{self.round} {self.get_result_display()}"

    @property
    def unsatisfied(self) -> bool:
        """Unsatisfied with either the attitude or the result: the item is handled again."""
        return Rating.UNSATISFIED in (self.attitude, self.result)


# --- The three public lists (TY-L1) ------------------------------------------------------------


class ListKind(models.TextChoices):
    PRACTICAL = "practical", _("practical matters for the people (为群众办实事清单)")
    LEGACY = "legacy", _("key legacy problems (重点遗留问题清单)")
    REFORM = "reform", _("reform items (改革事项清单)")


class ListStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in progress")
    OVERDUE = "overdue", _("overdue")
    DONE = "done", _("completed")
    DONE_LATE = "done_late", _("completed after the target date")


class PublicListItemQuerySet(SoftDeleteQuerySet):
    def published(self) -> PublicListItemQuerySet:
        return self.filter(published=True)

    def overdue(self, today: dt.date) -> PublicListItemQuerySet:
        return self.filter(completed_on__isnull=True, target_date__lt=today)


class PublicListItem(SoftDeleteModel):
    """One item of a public list: what is promised, the county leader who leads it, the unit
    responsible, the target date and — through its progress updates — how far it has come.

    `internal_note` is for staff only and never leaves the staff pages."""

    list_kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_leader = models.ForeignKey(
        Person,
        verbose_name=_("lead county leader"),
        on_delete=models.PROTECT,
        related_name="led_list_items",
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="list_items",
    )
    target_date = models.DateField(_("target date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("Seen by staff only, never published.")
    )

    objects = LiveManager.from_queryset(PublicListItemQuerySet)()
    all_objects = models.Manager.from_queryset(PublicListItemQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public list item")
        verbose_name_plural = _("public list items")
        ordering = ["list_kind", "target_date", "code"]
        indexes = [
            models.Index(fields=["list_kind", "year", "target_date"], name="list_item_kind"),
            models.Index(
                fields=["target_date"],
                condition=Q(completed_on__isnull=True),
                name="list_item_open_target",
            ),
            models.Index(fields=["responsible_unit", "target_date"], name="list_item_unit"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.lead_leader_id and not self.lead_leader.has_post(
            Post.COUNTY_LEADER, Post.COUNTY_SECRETARY
        ):
            errors["lead_leader"] = _("The lead of a public list item is a county leader.")
        if errors:
            raise ValidationError(errors)

    def status(self, today: dt.date) -> str:
        if self.completed_on is not None:
            return (
                ListStatus.DONE if self.completed_on <= self.target_date else ListStatus.DONE_LATE
            )
        return ListStatus.OVERDUE if self.target_date < today else ListStatus.IN_PROGRESS

    def is_overdue(self, today: dt.date) -> bool:
        return self.status(today) == ListStatus.OVERDUE


class ListProgress(models.Model):
    """A progress update on a list item, published with it."""

    item = models.ForeignKey(
        PublicListItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="progress"
    )
    on = models.DateField(_("date"))
    text = models.TextField(_("progress"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["item", "-on"], name="list_progress_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.on}"
