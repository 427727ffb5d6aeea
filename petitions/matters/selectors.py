"""Reads of petitions that the list, the export and the detail page share. Every one starts
from `Petition.objects.visible_to(user)`: confidentiality is never re-decided here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from rules.clocks import clocks_for_item
from rules.models import with_provisional_due

from .access import petitions_for_user
from .models import Petition, Petitioner, PetitionStatus

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def petition_search(user: Any, filters: dict[str, Any], today: dt.date) -> QuerySet[Petition]:
    """The user's petitions narrowed by the list filter (cleaned data of PetitionFilterForm)."""
    petitions = petitions_for_user(user)
    if q := (filters.get("q") or "").strip():
        if _ID_LIKE.match(q):
            named = Petitioner.objects.filter(petition=OuterRef("pk"), id_number=q.upper())
            petitions = petitions.filter(Exists(named))
        else:
            named = Petitioner.objects.filter(petition=OuterRef("pk"), name__icontains=q)
            petitions = petitions.filter(
                Q(ref__icontains=q) | Q(summary__icontains=q) | Q(Exists(named))
            )
    state = filters.get("state") or ""
    if state == "open":
        petitions = petitions.open()
    elif state == "overdue":
        petitions = petitions.overdue(today)
    elif state in PetitionStatus.values:
        petitions = petitions.filter(status=state)
    for field in ("channel", "category", "township", "lead_unit"):
        if value := filters.get(field):
            petitions = petitions.filter(**{field: value})
    if first := filters.get("received_from"):
        petitions = petitions.filter(received_on__gte=first)
    if last := filters.get("received_to"):
        petitions = petitions.filter(received_on__lte=last)
    if filters.get("sort") == "due":
        petitions = petitions.open().order_by("due", "pk")
    return petitions


def with_list_relations(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    """What a list row shows: its units, petitioners and whether its due date is provisional."""
    return with_provisional_due(
        petitions.select_related("township", "lead_unit", "subject_unit").prefetch_related(
            Prefetch("petitioners", queryset=Petitioner.objects.order_by("position", "pk"))
        )
    )


def petition_page_context(user: Any, petition: Petition) -> dict[str, Any]:
    """Everything the detail page shows beside the petition itself (a fixed number of queries).
    A linked matter is shown only when the user may see it too."""
    visible = petitions_for_user(user)
    return {
        "petitioners": list(petition.petitioners.order_by("position", "pk")),
        "attachments": list(petition.attachments.all()),
        "assignments": list(petition.assignments.select_related("unit")),
        "clocks": list(clocks_for_item(petition)),
        "supervisions": list(petition.supervisions.select_related("unit")),
        "repeat_visits": list(petition.repeat_visits.all()),
        "events": list(petition.events.select_related("user").order_by("-on", "-pk")[:10]),
        "linked": visible.filter(pk=petition.repeat_of_id).first()
        if petition.repeat_of_id
        else None,
        "linked_repeats": list(visible.filter(repeat_of=petition).only("pk", "ref")),
    }
