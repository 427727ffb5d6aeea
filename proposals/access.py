"""Who sees and does what with suggestions and proposals (built on directory.access).

Who sees an item:
- its authors (an account whose `person` is one of them);
- handling units: accounts whose scope (directory.access) covers the lead unit or a
  co-handling unit — petition-office staff only their own unit, since their jurisdiction-wide
  scope is about petitions, not suggestions;
- liaison offices: accounts of a unit registered as a body's liaison office see every item of
  that body's sessions;
- supervisors and administrators: every item.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from directory.access import Scope, get_or_404, scope_for
from directory.models import Role

from .models import CoHandling, LiaisonOffice, Proposal, ProposalAuthor, PublicListItem

OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.ADMIN)
# Leaders see their units' items; their staff record the handling.
HANDLING_ROLES = (Role.UNIT_STAFF, Role.ADMIN)
NOTHING = Q(pk__in=[])


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def sees_everything(user: Any) -> bool:
    return _authenticated(user) and (user.is_superuser or user.has_role(*OVERSIGHT_ROLES))


def office_bodies(user: Any) -> frozenset[str]:
    """The bodies whose liaison office the user's unit is (cached on the user object)."""
    if not _authenticated(user) or not user.unit_id:
        return frozenset()
    cached = getattr(user, "_proposal_bodies", None)
    if cached is None:
        cached = frozenset(
            LiaisonOffice.objects.filter(unit_id=user.unit_id).values_list("body", flat=True)
        )
        user._proposal_bodies = cached
    return cached


def handling_scope(user: Any) -> Scope:
    """The units whose assigned items the user handles."""
    if not _authenticated(user):
        return Scope()
    scope = scope_for(user)
    if scope.everything or sees_everything(user):
        return scope
    if user.has_role(Role.PETITION_OFFICE) and user.unit is not None:
        return Scope(paths=(user.unit.path,))
    return scope


def proposal_condition(user: Any) -> Q:
    if not _authenticated(user):
        return NOTHING
    if sees_everything(user):
        return Q()
    condition = NOTHING
    if user.person_id:
        condition |= Q(
            Exists(ProposalAuthor.objects.filter(proposal=OuterRef("pk"), person=user.person_id))
        )
    scope = handling_scope(user)
    if scope.everything:
        return Q()
    if scope.paths:
        co_units = CoHandling.objects.filter(proposal=OuterRef("pk")).filter(
            scope.condition("unit")
        )
        condition |= scope.condition("lead_unit") | Q(Exists(co_units))
    if bodies := office_bodies(user):
        condition |= Q(session__body__in=sorted(bodies))
    return condition


def get_proposal_for_user(user: Any, pk: int) -> Proposal:
    return get_or_404(
        Proposal.objects.visible_to(user).select_related("session", "lead_unit"), pk=pk
    )


# --- what a user may do with an item ---------------------------------------------------------


def is_office_for(user: Any, body: str) -> bool:
    """Registers, assigns, marks complex and records feedback for the body's items."""
    return _authenticated(user) and (
        user.is_superuser or user.has_role(Role.ADMIN) or body in office_bodies(user)
    )


def may_register(user: Any) -> bool:
    return _authenticated(user) and (
        user.is_superuser or user.has_role(Role.ADMIN) or bool(office_bodies(user))
    )


def _handles(user: Any, unit: Any) -> bool:
    if not _authenticated(user) or unit is None:
        return False
    if not (user.is_superuser or user.has_role(*HANDLING_ROLES)):
        return False
    return handling_scope(user).covers(unit)


def is_lead_handler(user: Any, proposal: Proposal) -> bool:
    """Staff of the lead unit: records contact and answers."""
    return _handles(user, proposal.lead_unit)


def co_handlings_of(user: Any, proposal: Proposal) -> list[CoHandling]:
    """The co-handling entries of the item that the user answers for."""
    return [entry for entry in proposal.co_handlings.all() if _handles(user, entry.unit)]


def is_author(user: Any, proposal: Proposal) -> bool:
    if not _authenticated(user) or not user.person_id:
        return False
    return any(a.person_id == user.person_id for a in proposal.authorships.all())


# --- the public lists --------------------------------------------------------------------------


def may_manage_lists(user: Any) -> bool:
    """Supervisors (督查室) and administrators create and edit list items."""
    return sees_everything(user)


def may_update_list_item(user: Any, item: PublicListItem) -> bool:
    """The responsible unit's staff and the list managers add progress and mark completion."""
    if may_manage_lists(user):
        return True
    return _handles(user, item.responsible_unit)


def get_list_item_for_user(user: Any, pk: int) -> PublicListItem:
    """Every live list item is visible to staff: the lists are public."""
    if not _authenticated(user):
        return get_or_404(PublicListItem.objects.none(), pk=pk)
    return get_or_404(
        PublicListItem.objects.select_related("lead_leader", "responsible_unit"), pk=pk
    )
