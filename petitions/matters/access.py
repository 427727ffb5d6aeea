"""Who may see and act on petitions: built on directory.access, stricter where the law says.

Visibility (`petition_condition`):
- petition office, supervisors and administrators see the petitions received in their
  jurisdiction;
- unit staff and leaders see petitions of townships in their scope, petitions routed to a unit
  in their scope (lead or co-handling), petitions whose review is with such a unit, and — for
  leaders — petitions they are in charge of or receive by appointment;
- whoever the scope: the unit complained about (and every unit under it) and the person
  complained about never see the petition (信访工作条例第30条;
  `directory.access.confidentiality_condition`). This is applied to every query — detail,
  history, attachments, lists, search, counts, exports — because they all start from
  `Petition.objects.visible_to(user)`; and to everything derived from a petition outside this
  app — its clocks, their reminders, drill-downs, panels, PDFs — because `petition_condition` is
  registered with `rules.visibility` for petitions and the matters of appointment receptions
  (petitions/apps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q

from directory.access import (
    JURISDICTION_ROLES,
    confidential_to,
    confidentiality_condition,
    get_or_404,
    scope_for,
)
from directory.models import OrgUnit, Role

from .models import Petition, PetitionAssignment, PetitionAttachment

OFFICE_ROLES = (Role.PETITION_OFFICE, Role.ADMIN)
#: who may be shown a petitioner's full ID number or phone (each showing is logged)
REVEAL_ROLES = (Role.PETITION_OFFICE, Role.SUPERVISOR, Role.ADMIN)


#: What else lets a person reach a matter, given the person's id: added by the rooms built on the
#: ledger, which the ledger does not import (petitions.roster.access: the leader of a reception
#: the matter was brought to).
PERSON_REACH: list[Callable[[int], Q]] = []


def petition_condition(user: Any) -> Q | None:
    """The Q a petition must meet to be visible to `user`; None when nothing is."""
    scope = scope_for(user)
    if scope.nothing:
        return None
    if user.is_superuser and not user.unit_id:
        return Q()
    if scope.everything or user.has_role(*JURISDICTION_ROLES):
        reach = scope.condition("receiving_unit")
    else:
        routed = PetitionAssignment.objects.filter(
            Q(petition=OuterRef("pk")) & scope.condition("unit")
        )
        reach = (
            scope.condition("township")
            | Q(Exists(routed))
            | scope.condition("review_unit")
            | scope.condition("recheck_unit")
        )
        if user.person_id:
            reach |= Q(charge_leader_id=user.person_id)
            for extra in PERSON_REACH:
                reach |= extra(user.person_id)
    return reach & confidentiality_condition(user)


def petition_hidden(user: Any) -> list[Q] | None:
    """The complement of `petition_condition(user)` over every petition, deleted ones
    included, for the users who see nearly all of them (their jurisdiction's petitions): the
    deleted, those received outside it, those about the user (rules.visibility `hidden`).
    None for the others, and for whoever sees nothing."""
    scope = scope_for(user)
    if scope.nothing:
        return None
    deleted = Q(deleted_at__isnull=False)
    if user.is_superuser and not user.unit_id:
        return [deleted]
    if not (scope.everything or user.has_role(*JURISDICTION_ROLES)):
        return None
    outside = scope.outside("receiving_unit")
    if outside is None:
        return None
    return [deleted, *outside, *confidential_to(user)]


def petitions_for_user(user: Any) -> Any:
    return Petition.objects.visible_to(user)


def get_petition_for_user(user: Any, pk: int) -> Petition:
    related = ("township", "subject_unit", "subject_person", "receiving_unit", "lead_unit")
    return get_or_404(petitions_for_user(user).select_related(*related), pk=pk)


def get_attachment_for_user(user: Any, petition_pk: int, pk: int) -> PetitionAttachment:
    petition = get_petition_for_user(user, petition_pk)
    return get_or_404(PetitionAttachment.objects.filter(petition=petition), pk=pk)


def is_office(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*OFFICE_ROLES))


def unit_in_scope(user: Any, unit: OrgUnit | None) -> bool:
    return unit is not None and scope_for(user).covers(unit)


def can_handle(user: Any, petition: Petition) -> bool:
    """The petition office, or staff of the lead unit (acceptance, extension, answer)."""
    return is_office(user) or (
        user.has_role(Role.UNIT_STAFF) and unit_in_scope(user, petition.lead_unit)
    )


def can_object(user: Any, unit: OrgUnit) -> bool:
    return is_office(user) or (user.has_role(Role.UNIT_STAFF) and unit_in_scope(user, unit))


def can_review(user: Any, unit: OrgUnit | None) -> bool:
    return is_office(user) or (user.has_role(Role.UNIT_STAFF) and unit_in_scope(user, unit))


def can_reveal(user: Any, petition: Petition) -> bool:
    """Who needs a petitioner's full identity: the office, supervisors, the lead unit's staff."""
    return bool(
        user.is_superuser
        or user.has_role(*REVEAL_ROLES)
        or (user.has_role(Role.UNIT_STAFF) and unit_in_scope(user, petition.lead_unit))
    )
