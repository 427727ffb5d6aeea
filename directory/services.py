"""Writes to the directory: units (keeping the tree path), people, links, households, accounts."""

from __future__ import annotations

from django.db import transaction

from .base import validated_save as _save
from .models import Household, Link, OrgUnit, Person, Role, User


@transaction.atomic
def unit_save(*, unit: OrgUnit, reason: str = "") -> OrgUnit:
    """Create or update a unit; its path (and its descendants' paths) follow its parent."""
    unit.full_clean(exclude=["path"])
    old_path = unit.path
    unit._change_reason = reason or "unit saved"
    if unit.pk is None:
        unit.path = "/"
        unit.save()
    new_path = unit.computed_path()
    if new_path != old_path:
        unit.path = new_path
        unit.depth = new_path.count("/") - 2
        if old_path and old_path != "/":
            for child in OrgUnit.all_objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                child.path = new_path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 2
                OrgUnit.all_objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)
    unit.save()
    return unit


def person_save(*, person: Person, reason: str = "") -> Person:
    return _save(person, reason or "person saved")


def link_save(*, link: Link, reason: str = "") -> Link:
    return _save(link, reason or "link saved")


def household_save(*, household: Household, reason: str = "") -> Household:
    return _save(household, reason or "household saved")


def account_create(
    *,
    username: str,
    password: str,
    unit: OrgUnit | None,
    roles: list[str],
    display_name: str = "",
    person: Person | None = None,
    is_superuser: bool = False,
    password_hash: str = "",
) -> User:
    """A new account; `password_hash` (from `make_password`) spares hashing the same password
    again for many accounts (the demo's share one)."""
    user = User(
        username=username,
        unit=unit,
        roles=";".join(roles),
        display_name=display_name,
        person=person,
        is_superuser=is_superuser,
        # Administrators keep the org tree, people and accounts in the admin site.
        is_staff=is_superuser or Role.ADMIN in roles,
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    return user
