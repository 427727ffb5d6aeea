"""Who sees and does what in pairing and assistance (built on directory.access).

- A cadre always sees their own pairings, the households they are paired with (also outside
  their unit: a county department's cadre is paired with a village household), their aid and
  the four-musts events of those households.
- Everyone else sees by scope (directory.access) of the household's village.
- Pairings are set up and handed over by unit staff and administrators within their scope.
- Anyone who sees a household may record a four-musts event or a problem on it.
- Aid is recorded by the cadre who gave it, or by unit staff / administrators in scope.
- The township's monthly analysis is for those who see the township; the office's quarterly
  analysis for supervisors and administrators (the whole jurisdiction).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from directory.access import get_or_404, scope_for
from directory.models import Household, OrgUnit, Role

from .models import AidEntry, HouseholdEvent, Pairing, Problem

NOTHING = Q(pk__in=[])
MANAGING_ROLES = (Role.UNIT_STAFF, Role.ADMIN)
OFFICE_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def pairing_condition(user: Any, unit_field: str, person_field: str) -> Q:
    """Rows in the user's scope (by `unit_field`) or belonging to the user's own person."""
    if not _authenticated(user):
        return NOTHING
    condition = scope_for(user).condition(unit_field)
    if user.person_id:
        condition |= Q(**{person_field: user.person_id})
    return condition


def pairings_for_user(user: Any) -> Any:
    return Pairing.objects.visible_to(user)


def households_for_user(user: Any) -> Any:
    """Households in scope, plus the ones the user's person is (or was) paired with."""
    if not _authenticated(user):
        return Household.objects.none()
    condition = scope_for(user).condition("village")
    if user.person_id:
        own = Pairing.objects.filter(household=OuterRef("pk"), person_id=user.person_id)
        condition |= Q(Exists(own))
    return Household.objects.filter(condition)


def get_household_for_user(user: Any, pk: int) -> Household:
    return get_or_404(households_for_user(user).select_related("village", "group"), pk=pk)


def get_pairing_for_user(user: Any, pk: int) -> Pairing:
    return get_or_404(
        pairings_for_user(user).select_related("person", "person__unit", "household__village"),
        pk=pk,
    )


def event_condition(user: Any) -> Q:
    """Events of the households the user sees (households_for_user, through `household`)."""
    if not _authenticated(user):
        return NOTHING
    condition = scope_for(user).condition("household__village")
    if user.person_id:
        own = Pairing.objects.filter(household=OuterRef("household"), person_id=user.person_id)
        condition |= Q(Exists(own))
    return condition


def events_for_user(user: Any) -> Any:
    if not _authenticated(user):
        return HouseholdEvent.objects.none()
    return HouseholdEvent.objects.filter(event_condition(user))


def aid_for_user(user: Any) -> Any:
    return AidEntry.objects.visible_to(user)


def get_aid_for_user(user: Any, pk: int) -> AidEntry:
    return get_or_404(aid_for_user(user).select_related("person", "household"), pk=pk)


def problems_for_user(user: Any) -> Any:
    if not _authenticated(user):
        return Problem.objects.none()
    return Problem.objects.visible_to(user)


def get_problem_for_user(user: Any, pk: int) -> Problem:
    return get_or_404(
        problems_for_user(user).select_related(
            "village", "household", "responsible", "found_by", "responsible__unit"
        ),
        pk=pk,
    )


# --- what a user may do -----------------------------------------------------------------------


def may_manage_pairings(user: Any, unit: OrgUnit | None = None) -> bool:
    """Set up, end and hand over pairings (for households under `unit` when given)."""
    if not _authenticated(user):
        return False
    if not (user.is_superuser or user.has_role(*MANAGING_ROLES)):
        return False
    return unit is None or scope_for(user).covers(unit)


def may_record_aid(user: Any, household: Household, person_id: int | None) -> bool:
    if not _authenticated(user):
        return False
    if person_id is not None and person_id == user.person_id:
        return True
    return may_manage_pairings(user, household.village)


def may_close_problem(user: Any, problem: Problem) -> bool:
    if not _authenticated(user):
        return False
    if problem.responsible_id and problem.responsible_id == user.person_id:
        return True
    return may_manage_pairings(user, problem.village) or user.has_role(Role.LEADER)


def may_see_office_analysis(user: Any) -> bool:
    return _authenticated(user) and (user.is_superuser or user.has_role(*OFFICE_ROLES))


def may_record_analysis(user: Any, unit: OrgUnit, level: str) -> bool:
    """The township's staff record its monthly analysis; the office its quarterly one."""
    if level == "office_quarter":
        return may_see_office_analysis(user)
    return may_manage_pairings(user, unit) or (
        _authenticated(user) and user.has_role(Role.LEADER) and scope_for(user).covers(unit)
    )


def townships_for_user(user: Any) -> Any:
    return OrgUnit.objects.visible_to(user).townships().order_by("path")


def get_township_for_user(user: Any, pk: int) -> OrgUnit:
    return get_or_404(townships_for_user(user), pk=pk)
