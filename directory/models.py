"""Who and where: org units, people, links, households and accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import LiveManager, SoftDeleteModel, SoftDeleteQuerySet, codes_regex, split_codes

if TYPE_CHECKING:
    from .access import Scope

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("A code may hold letters, digits, '.', '_' and '-' only."),
)


ref_prefix_validator = RegexValidator(
    r"^[A-Z0-9]{1,12}$",
    _("A numbering prefix holds 1 to 12 capital letters or digits."),
)


id_number_validator = RegexValidator(
    r"^[0-9]{17}[0-9X]$",
    _("An ID number has 18 characters: 17 digits and a digit or X."),
)


class ScopedQuerySet(SoftDeleteQuerySet):
    """A queryset that can be narrowed to what a user may see (see directory.access)."""

    #: path of the unit field that decides visibility, e.g. "village" or "unit"
    scope_field: str = "unit"

    def visible_to(self, user: Any) -> ScopedQuerySet:
        from .access import scope_for

        return scope_for(user).filter(self, self.scope_field)

    def in_scope(self, scope: Scope) -> ScopedQuerySet:
        return scope.filter(self, self.scope_field)


class UnitKind(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    DISTRICT = "district", _("district")
    TOWNSHIP = "township", _("township")
    STREET = "street", _("street")
    VILLAGE = "village", _("village")
    COMMUNITY = "community", _("community")
    GROUP = "group", _("villager group")
    DEPARTMENT = "department", _("department")


#: County-level units (县, 区): a district is governed as a county is.
COUNTY_KINDS: tuple[str, ...] = (UnitKind.COUNTY, UnitKind.DISTRICT)
#: Township-level units (乡镇, 街道): a street office serves as a township does.
TOWNSHIP_KINDS: tuple[str, ...] = (UnitKind.TOWNSHIP, UnitKind.STREET)
#: Units whose offices (petition office, supervision) answer for everything under them.
JURISDICTION_KINDS: tuple[str, ...] = (UnitKind.CITY, *COUNTY_KINDS)
VILLAGE_KINDS: tuple[str, ...] = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
#: Units with an office that handles matters: jurisdictions, townships, streets, departments.
OFFICE_KINDS: tuple[str, ...] = (*JURISDICTION_KINDS, *TOWNSHIP_KINDS, UnitKind.DEPARTMENT)

# Which kind of unit may sit under which. A city is a root; a county or district is a root or
# sits in a city, so jurisdictions are always the root or a child of the root.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    UnitKind.CITY: {None},
    UnitKind.COUNTY: {None, UnitKind.CITY},
    UnitKind.DISTRICT: {None, UnitKind.CITY},
    UnitKind.TOWNSHIP: set(COUNTY_KINDS),
    UnitKind.STREET: set(COUNTY_KINDS),
    UnitKind.DEPARTMENT: {UnitKind.CITY, *COUNTY_KINDS, UnitKind.DEPARTMENT},
    UnitKind.VILLAGE: set(TOWNSHIP_KINDS),
    UnitKind.COMMUNITY: set(TOWNSHIP_KINDS),
    UnitKind.GROUP: set(VILLAGE_KINDS),
}


class OrgUnitQuerySet(ScopedQuerySet):
    scope_field = ""  # a unit is visible when the unit itself is in scope

    def of_kind(self, *kinds: str) -> OrgUnitQuerySet:
        return self.filter(kind__in=kinds)

    def cities(self) -> OrgUnitQuerySet:
        return self.of_kind(UnitKind.CITY)

    def counties(self) -> OrgUnitQuerySet:
        """County-level units: counties and districts."""
        return self.of_kind(*COUNTY_KINDS)

    def townships(self) -> OrgUnitQuerySet:
        """Township-level units: townships and streets."""
        return self.of_kind(*TOWNSHIP_KINDS)

    def villages(self) -> OrgUnitQuerySet:
        return self.of_kind(*VILLAGE_KINDS)

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def headed_by(self, *posts: str) -> OrgUnitQuerySet:
        """Units where someone holding one of `posts` works: the units a rule naming those
        posts makes answer for a duty of the unit (its report, its analysis). None for none."""
        if not posts:
            return self.none()
        return self.filter(pk__in=Person.objects.with_post(*posts).values("unit_id"))


class OrgUnit(SoftDeleteModel):
    """A node of the org tree: (city →) county/district → township/street → village/community
    → villager group, plus departments of a city, county or district. `path` ("/1/5/23/")
    makes a subtree one indexed prefix query."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    #: the first part of the references of the records a city, county or district registers
    #: (directory.numbering); empty: the unit's code
    ref_prefix = models.CharField(
        _("numbering prefix"),
        max_length=12,
        blank=True,
        validators=[ref_prefix_validator],
        help_text=_(
            "Only for a city, county or district: the start of its petition, appeal, suggestion "
            "and proposal numbers, e.g. QHX gives QHX-XF-2026-000141. Empty: the unit's code."
        ),
    )

    objects = LiveManager.from_queryset(OrgUnitQuerySet)()
    all_objects = models.Manager.from_queryset(OrgUnitQuerySet)()
    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = ALLOWED_PARENTS.get(self.kind, set())
        if parent_kind not in allowed:
            if parent_kind is None:
                raise ValidationError({"parent": _("This kind of unit needs a parent unit.")})
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot sit under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )
        if self.pk and self.parent_id:
            ancestor: OrgUnit | None = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A unit cannot sit under itself.")})
                ancestor = ancestor.parent
        if self.ref_prefix and self.kind not in JURISDICTION_KINDS:
            raise ValidationError(
                {"ref_prefix": _("Only a city, county or district has a numbering prefix.")}
            )

    def computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def ancestors(self) -> list[OrgUnit]:
        """Root first, self excluded (one query)."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = OrgUnit.all_objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def township(self) -> OrgUnit | None:
        """The township (or street) a village, community or group belongs to (itself for a
        township or street)."""
        if self.kind in TOWNSHIP_KINDS:
            return self
        for unit in reversed(self.ancestors()):
            if unit.kind in TOWNSHIP_KINDS:
                return unit
        return None

    def jurisdiction_path(self, known: Mapping[int, OrgUnit] | None = None) -> str:
        """See `jurisdiction_path`."""
        return jurisdiction_path(self, known)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def jurisdiction_path(unit: OrgUnit, known: Mapping[int, OrgUnit] | None = None) -> str:
    """The tree path of the jurisdiction `unit` belongs to: the nearest city, county or
    district at or above it (the root when there is none).

    A county office sees its county even when a city sits above it, and a city office the
    whole city. Jurisdictions are only ever the root or a child of the root (ALLOWED_PARENTS),
    so at most the root's child has to be looked at: no query for a unit at depth 0 or 1 or
    whose ancestors are in `known` (units by primary key), else one."""
    ids = _path_ids(unit.path)
    if unit.kind in JURISDICTION_KINDS or len(ids) <= 2:
        # the unit itself, or the root: a child of the root that is not a jurisdiction
        # (a city department) belongs to the root
        keep = len(ids) if unit.kind in JURISDICTION_KINDS else 1
        return "/" + "/".join(str(i) for i in ids[:keep]) + "/"
    child_id = ids[1]
    child = (known or {}).get(child_id)
    kind = (
        child.kind
        if child is not None
        else OrgUnit.all_objects.filter(pk=child_id).values_list("kind", flat=True).first()
    )
    keep = 2 if kind in JURISDICTION_KINDS else 1
    return "/" + "/".join(str(i) for i in ids[:keep]) + "/"


def jurisdiction_of(unit: OrgUnit) -> OrgUnit:
    """The city, county or district `unit` belongs to (see `jurisdiction_path`)."""
    path = jurisdiction_path(unit)
    if path == unit.path:
        return unit
    return OrgUnit.all_objects.get(pk=_path_ids(path)[-1])


class Rank(models.TextChoices):
    COUNTY_LEVEL = "county_level", _("county level (处级)")
    SECTION_CHIEF = "section_chief", _("section chief (正科)")
    DEPUTY_SECTION = "deputy_section", _("deputy section chief (副科)")
    STAFF = "staff", _("staff")


class Post(models.TextChoices):
    CITY_SECRETARY = "city_secretary", _("city party secretary")
    CITY_LEADER = "city_leader", _("city leader")
    CITY_UNIT_HEAD = "city_unit_head", _("head of a city department")
    COUNTY_SECRETARY = "county_secretary", _("county party secretary")
    COUNTY_LEADER = "county_leader", _("county leader")
    TOWNSHIP_SECRETARY = "township_secretary", _("township party secretary")
    TOWNSHIP_HEAD = "township_head", _("township head")
    TOWNSHIP_LEADER = "township_leader", _("township leadership member")
    UNIT_HEAD = "unit_head", _("unit head")
    CADRE = "cadre", _("cadre")
    DEPUTY = "deputy", _("congress deputy")
    MEMBER = "member", _("CPPCC member")


class PersonQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def with_post(self, *posts: str) -> PersonQuerySet:
        condition = Q()
        for post in posts:
            condition |= Q(posts__regex=codes_regex(post))
        return self.filter(condition)


class Person(SoftDeleteModel):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.STAFF)
    posts = models.CharField(
        _("posts"), max_length=300, blank=True, help_text=_("Separate several posts with ';'.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = LiveManager.from_queryset(PersonQuerySet)()
    all_objects = models.Manager.from_queryset(PersonQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def post_list(self) -> list[str]:
        return split_codes(self.posts)

    def has_post(self, *posts: str) -> bool:
        return any(post in self.post_list for post in posts)

    def post_labels(self) -> list[str]:
        labels = dict(Post.choices)
        return [str(labels.get(code, code)) for code in self.post_list]

    def clean(self) -> None:
        unknown = [code for code in self.post_list if code not in Post.values]
        if unknown:
            raise ValidationError(
                {"posts": _("Unknown post: %(posts)s") % {"posts": ", ".join(unknown)}}
            )
        self.posts = ";".join(self.post_list)


class LinkKind(models.TextChoices):
    LINKED_TOWNSHIP = "linked_township", _("linked township")
    LINKED_VILLAGE = "linked_village", _("linked village")
    CONTACT_POINT = "contact_point", _("contact point")


class LinkQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Link(SoftDeleteModel):
    """A leader's linked township or village (联系乡镇/村) or grassroots contact point (联系点)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="links"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="links"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)

    objects = LiveManager.from_queryset(LinkQuerySet)()
    all_objects = models.Manager.from_queryset(LinkQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "kind"],
                condition=Q(deleted_at__isnull=True),
                name="unique_live_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.unit} ({self.get_kind_display()})"

    def clean(self) -> None:
        if not self.unit_id:
            return
        expected = {
            LinkKind.LINKED_TOWNSHIP: set(TOWNSHIP_KINDS),
            LinkKind.LINKED_VILLAGE: set(VILLAGE_KINDS),
        }.get(self.kind)
        if expected and self.unit.kind not in expected:
            raise ValidationError(
                {
                    "unit": _("A %(link)s must be a %(kinds)s.")
                    % {
                        "link": self.get_kind_display(),
                        "kinds": " / ".join(str(UnitKind(k).label) for k in sorted(expected)),
                    }
                }
            )


class HouseholdCategory(models.TextChoices):
    PARTY_MEMBER = "party_member", _("party member household")
    MONITORED = "monitored", _("monitored household (监测户)")
    ALLEVIATED = "alleviated", _("poverty-alleviated household (脱贫户)")
    URBAN_HARDSHIP = "urban_hardship", _("urban hardship household")
    VULNERABLE = "vulnerable", _("vulnerable household")
    PETITIONER = "petitioner", _("petitioner household")
    OTHER = "other", _("other household")


class HouseholdQuerySet(ScopedQuerySet):
    scope_field = "village"

    def in_category(self, *categories: str) -> HouseholdQuerySet:
        condition = Q()
        for category in categories:
            condition |= Q(categories__regex=codes_regex(category))
        return self.filter(condition)


#: a household larger than this is a typing error, not a household (the largest registered
#: rural households have a few dozen members)
HOUSEHOLD_SIZE_MAX = 50


class Household(SoftDeleteModel):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    head = models.CharField(_("head of household"), max_length=50)
    village = models.ForeignKey(
        OrgUnit,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("villager group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_households",
    )
    categories = models.CharField(_("categories"), max_length=200, blank=True)
    size = models.PositiveSmallIntegerField(_("household size"), default=1)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    #: the head's resident ID number, so that a ledger without codes finds the household
    id_number = models.CharField(
        _("head's ID number"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[id_number_validator],
    )

    objects = LiveManager.from_queryset(HouseholdQuerySet)()
    all_objects = models.Manager.from_queryset(HouseholdQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village__path", "code"]

    def __str__(self) -> str:
        return f"{self.head}（{self.code}）"

    @property
    def category_list(self) -> list[str]:
        return split_codes(self.categories)

    def category_labels(self) -> list[str]:
        labels = dict(HouseholdCategory.choices)
        return [str(labels.get(code, code)) for code in self.category_list]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        unknown = [c for c in self.category_list if c not in HouseholdCategory.values]
        if unknown:
            errors["categories"] = _("Unknown category: %(c)s") % {"c": ", ".join(unknown)}
        self.categories = ";".join(self.category_list)
        if self.village_id and self.village.kind not in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
            errors["village"] = _("A household belongs to a village or community.")
        if self.group_id and self.group.parent_id != self.village_id:
            errors["group"] = _("The villager group must belong to the household's village.")
        if self.size is not None and self.size > HOUSEHOLD_SIZE_MAX:
            errors["size"] = _(
                "%(size)s people: more than any real household (at most %(max)s)."
            ) % {"size": self.size, "max": HOUSEHOLD_SIZE_MAX}
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    PETITION_OFFICE = "petition_office", _("petition office")
    UNIT_STAFF = "unit_staff", _("unit staff")
    LEADER = "leader", _("leader")
    SUPERVISOR = "supervisor", _("supervisor")
    ADMIN = "admin", _("administrator")


class User(AbstractUser):
    """An account belongs to a unit and holds one or more roles."""

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_list(self) -> list[str]:
        return split_codes(self.roles)

    def has_role(self, *roles: str) -> bool:
        if self.is_superuser and Role.ADMIN in roles:
            return True
        return any(role in self.role_list for role in roles)

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(code, code)) for code in self.role_list]

    def clean(self) -> None:
        super().clean()
        unknown = [r for r in self.role_list if r not in Role.values]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %(r)s") % {"r": ", ".join(unknown)}})
        self.roles = ";".join(self.role_list)


from .models_ledger import ImportJob, LedgerMapping  # noqa: E402, F401  (ledger import)


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", _("signed in")
    FAILURE = "failure", _("wrong user name or password")
    LOCKED = "locked", _("refused: locked after repeated failures")


class LoginAttempt(models.Model):
    """One attempt to sign in, kept for the audit and read to lock out guessing (directory.login).
    The password is never stored; the user name is kept as typed."""

    username = models.CharField(_("user name as typed"), max_length=150)
    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("client address"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=10, choices=LoginOutcome.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-at", "-pk"]
        indexes = [
            # The lockout reads the recent attempts of one user name, or of one address.
            models.Index(fields=["username", "at"], name="login_attempt_username"),
            models.Index(fields=["address", "at"], name="login_attempt_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"


class RefCounter(models.Model):
    """The last number given in one numbering series (directory.numbering), e.g. the scope
    "QHX-XF-2026-" and 141. Claimed by a conditional UPDATE, so two registrations at once never
    draw the same number."""

    scope = models.CharField(_("series"), max_length=40, unique=True)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("numbering series")
        verbose_name_plural = _("numbering series")

    def __str__(self) -> str:
        return f"{self.scope}{self.last}"


class RateCounter(models.Model):
    """A fixed-window counter shared by every web process (directory.throttle): how often one
    thing (a form posted from one address, one form token) was used in the current window."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    window_start = models.DateTimeField(_("window started at"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
