"""Who may see and act on appeals: built on directory.access.

Visibility (`appeal_condition`):
- the petition office, supervisors and administrators see every appeal received in their
  jurisdiction;
- unit staff see the appeals assigned to a unit in their scope (a unit that returned an
  appeal no longer sees it; its step stays in the log);
- leaders see appeals assigned to units in their scope, appeals from their townships and
  appeals addressed to them (their mailbox or hotline);
- the public sees one appeal only through its receipt code and private key (public_views.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from directory.access import JURISDICTION_ROLES, get_or_404, scope_for
from directory.models import COUNTY_KINDS, Role

from .models import Appeal, AppealAttachment

INTAKE_ROLES = (Role.PETITION_OFFICE, Role.ADMIN)
#: who reads the daily bulletin and the hotline analysis (besides the office)
READER_ROLES = (Role.PETITION_OFFICE, Role.SUPERVISOR, Role.ADMIN, Role.LEADER)


def appeal_condition(user: Any) -> Q | None:
    """The Q an appeal must meet to be visible to `user`; None when nothing is."""
    scope = scope_for(user)
    if scope.nothing:
        return None
    if scope.everything or user.has_role(*JURISDICTION_ROLES):
        return scope.condition("receiving_unit")
    reach = scope.condition("unit")
    if user.has_role(Role.LEADER):
        reach |= scope.condition("township")
        if user.person_id:
            reach |= Q(to_leader_id=user.person_id)
    return reach


def appeal_hidden(user: Any) -> list[Q] | None:
    """The complement of `appeal_condition(user)` over every appeal, deleted ones included,
    for the users who see every appeal received in their jurisdiction: the deleted and those
    received outside it (rules.visibility `hidden`). None for the others."""
    scope = scope_for(user)
    if scope.nothing or not (scope.everything or user.has_role(*JURISDICTION_ROLES)):
        return None
    outside = scope.outside("receiving_unit")
    if outside is None:
        return None
    return [Q(deleted_at__isnull=False), *outside]


def appeals_for_user(user: Any) -> Any:
    return Appeal.objects.visible_to(user)


def get_appeal_for_user(user: Any, pk: int) -> Appeal:
    related = (
        "category",
        "township",
        "unit",
        "receiving_unit",
        "taken_by",
        "to_leader",
        "instructed_by",
    )
    return get_or_404(appeals_for_user(user).select_related(*related), pk=pk)


def get_appeal_attachment_for_user(user: Any, appeal_pk: int, pk: int) -> AppealAttachment:
    appeal = get_appeal_for_user(user, appeal_pk)
    return get_or_404(AppealAttachment.objects.filter(appeal=appeal), pk=pk)


def is_appeal_office(user: Any) -> bool:
    """Takes appeals in, assigns them, marks them for the bulletin, records phone feedback."""
    return bool(user.is_superuser or user.has_role(*INTAKE_ROLES))


def can_answer(user: Any, appeal: Appeal) -> bool:
    """Staff of the assigned unit (or of a unit above it) reply to or return the appeal."""
    return (
        appeal.unit is not None
        and user.has_role(Role.UNIT_STAFF)
        and scope_for(user).covers(appeal.unit)
    )


def can_read_bulletin(user: Any) -> bool:
    """The office and supervisors, and the county leaders it is written for (TY-O1)."""
    if user.is_superuser or user.has_role(*JURISDICTION_ROLES):
        return True
    unit = user.unit if user.unit_id else None
    return user.has_role(Role.LEADER) and unit is not None and unit.kind in COUNTY_KINDS


def sees_full_contact(user: Any, appeal: Appeal) -> bool:
    """The office that took the appeal and the unit answering it may call the citizen back."""
    return is_appeal_office(user) or can_answer(user, appeal)
