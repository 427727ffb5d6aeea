"""The one place that answers which units and records a user may see.

Every list, count, export and detail page builds its queryset through `scope_for(user)`
(directly or via `QuerySet.visible_to(user)`); a record outside the scope is absent from
lists and answers 404 through the `get_*_for_user` helpers.

Who sees what:
- administrators, supervisors and petition-office staff: the whole jurisdiction (the tree
  under the county, district or city their unit belongs to: `jurisdiction_path`);
- leaders: the subtree of their own unit plus the subtrees of their linked townships,
  villages and contact points;
- unit staff: the subtree of their own unit;
- superusers: everything; an account without a unit: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Household, OrgUnit, Person, Role, jurisdiction_path

JURISDICTION_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PETITION_OFFICE)
#: Above this many units outside a scope, reading the rows outside it is no shortcut.
OUTSIDE_UNITS_MAX = 50

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    paths: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.paths

    def condition(self, unit_field: str) -> Q:
        """A Q over `unit_field` ('' for OrgUnit itself) limiting rows to the scope."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        condition = Q()
        for path in self.paths:
            condition |= Q(**{lookup: path})
        return condition

    @cached_property
    def _outside_ids(self) -> tuple[int, ...] | None:
        """The units outside the scope (deleted ones too), when there are few; else None. Read
        once per scope, which lives as long as its user object (a request's user)."""
        if self.everything:
            return ()
        rows = OrgUnit.all_objects.exclude(self.condition("")).order_by()
        ids = tuple(rows.values_list("pk", flat=True)[: OUTSIDE_UNITS_MAX + 1])
        return None if len(ids) > OUTSIDE_UNITS_MAX else ids

    def outside(self, unit_field: str) -> list[Q] | None:
        """The complement of `condition(unit_field)` when few units are outside the scope (a
        county's office inside a city): the conditions of the rows it keeps out (a unit outside
        the scope; no unit), each read by the index on `unit_field`. None when the units
        outside are many (read the scope by `condition`)."""
        if self.everything:
            return []
        ids = self._outside_ids
        if ids is None:
            return None
        kept_out = [Q(**{f"{unit_field}__isnull": True})]
        if ids:
            kept_out.insert(0, Q(**{f"{unit_field}__in": ids}))
        return kept_out

    def condition_by_unit_id(self, unit_field: str) -> Q:
        """The rows of `condition(unit_field)`, written without joining the units when few
        are outside the scope (`unit_field NOT IN (…)`): a count over many rows then reads
        their unit's id only."""
        kept_out = self.outside(unit_field)
        if kept_out is None:
            return self.condition(unit_field)
        condition = Q()
        for rows in kept_out:
            condition &= ~rows
        return condition

    def filter(self, queryset: QuerySet[M], unit_field: str) -> QuerySet[M]:
        if self.everything:
            return queryset
        if not self.paths:
            return queryset.none()
        return queryset.filter(self.condition(unit_field))

    def covers(self, unit: OrgUnit | None) -> bool:
        if self.everything:
            return True
        return unit is not None and any(unit.path.startswith(path) for path in self.paths)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_minqing_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._minqing_scope = scope
    return scope


def _compute_scope(user: Any) -> Scope:
    if user.is_superuser:
        return Scope(everything=True)
    unit: OrgUnit | None = user.unit
    if unit is None or unit.is_deleted:
        return Scope()
    if user.has_role(*JURISDICTION_ROLES):
        return Scope(paths=(jurisdiction_path(unit),))
    paths = {unit.path}
    if user.has_role(Role.LEADER) and user.person_id:
        linked = OrgUnit.objects.filter(
            links__person_id=user.person_id, links__deleted_at__isnull=True
        )
        paths.update(linked.values_list("path", flat=True))
    return Scope(paths=_minimal(paths))


def units_for_user(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def people_for_user(user: Any) -> QuerySet[Person]:
    return Person.objects.visible_to(user)


def households_for_user(user: Any) -> QuerySet[Household]:
    return Household.objects.visible_to(user)


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def get_unit_for_user(user: Any, pk: int) -> OrgUnit:
    return get_or_404(units_for_user(user), pk=pk)


def get_person_for_user(user: Any, pk: int) -> Person:
    return get_or_404(people_for_user(user).select_related("unit"), pk=pk)


def get_household_for_user(user: Any, pk: int) -> Household:
    return get_or_404(households_for_user(user).select_related("village", "group"), pk=pk)


def get_import_job_for_user(user: Any, pk: int) -> Any:
    """A ledger upload and what its import said: its uploader's alone (the result names
    records of the uploader's scope)."""
    from .models_ledger import ImportJob

    return get_or_404(ImportJob.objects.filter(user_id=user.pk), pk=pk)


# --- confidentiality: what a record is about ---------------------------------------------------
#
# A record about a unit or a person (a petition, and everything derived from it: its deadlines,
# their reminders, the receptions that take it up) never reaches that unit, a unit under it, or
# that person (信访工作条例第30条). Each app says which fields name the subject; the condition
# is the same everywhere, so that clocks and reminders in `rules` exclude exactly what the
# petition pages exclude.


def path_ids(path: str) -> list[int]:
    """'/1/5/23/' -> [1, 5, 23]: a unit and every unit above it."""
    return [int(part) for part in path.strip("/").split("/") if part]


def own_unit_ids(user: Any) -> list[int]:
    """The user's unit and its ancestors (and those of the user's person): a record about any
    of these units is about the user's own unit or a unit above it."""
    cached = getattr(user, "_minqing_own_units", None)
    if cached is not None:
        return cached
    ids: set[int] = set()
    if getattr(user, "unit_id", None) and user.unit is not None:
        ids.update(path_ids(user.unit.path))
    person = user.person if getattr(user, "person_id", None) else None
    if person is not None:
        ids.update(path_ids(person.unit.path))
    user._minqing_own_units = sorted(ids)
    return user._minqing_own_units


def concerns(user: Any, subject_unit_id: int | None, subject_person_id: int | None) -> bool:
    """True when a record about (subject_unit_id, subject_person_id) is about the user: the
    same test as `confidentiality_condition`, for one record already in memory."""
    if subject_person_id is not None and subject_person_id == getattr(user, "person_id", None):
        return True
    return subject_unit_id is not None and subject_unit_id in own_unit_ids(user)


def confidentiality_condition(
    user: Any, *, unit_field: str = "subject_unit", person_field: str = "subject_person"
) -> Q:
    """The Q that keeps out records about the user's unit (or a unit above it) or about the
    user's person. `unit_field` / `person_field` name the record's subject fields."""
    condition = Q()
    if units := own_unit_ids(user):
        condition &= ~Q(**{f"{unit_field}_id__in": units})
    if person_id := getattr(user, "person_id", None):
        condition &= ~Q(**{f"{person_field}_id": person_id})
    return condition


def confidential_to(
    user: Any, *, unit_field: str = "subject_unit", person_field: str = "subject_person"
) -> list[Q]:
    """The complement of `confidentiality_condition(user, …)`, as the conditions of the
    records it keeps out (about the user's own unit or a unit above it; about the user's
    person): each one read by the index on its field."""
    kept_out: list[Q] = []
    if units := own_unit_ids(user):
        kept_out.append(Q(**{f"{unit_field}_id__in": units}))
    if person_id := getattr(user, "person_id", None):
        kept_out.append(Q(**{f"{person_field}_id": person_id}))
    return kept_out


def console_reader() -> Any:
    """The reader of what a management command prints or writes (compliance_pdf …): whoever
    may run manage.py on the server sees the whole database, as a superuser without a unit
    does on the pages. Never used for a request."""
    from .models import User

    return User(username="console", is_superuser=True, is_active=True)
