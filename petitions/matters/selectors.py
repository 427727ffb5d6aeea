"""Reads of petitions that the list, the export and the detail page share. Every one starts
from `Petition.objects.visible_to(user)`: confidentiality is never re-decided here."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.base import choice_labels
from directory.listing import EMPTY, badge, date_text, html, pk_urls, safe, values_for_ids
from rules.clocks import clocks_for_item
from rules.models import with_provisional_due
from rules.templatetags.clocks import provisional_badge

from ..identity import mask_phone
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
    """What a list row shows: its units, petitioners (in `petitioner_list`: a plain list, no
    queryset made per row) and whether its due date is provisional."""
    petitioners = Petitioner.objects.order_by("position", "pk")
    return with_provisional_due(
        petitions.select_related("township", "lead_unit", "subject_unit").prefetch_related(
            Prefetch("petitioners", queryset=petitioners, to_attr="petitioner_list")
        )
    )


#: The columns a list row reads (`petition_rows`, the pager's cursor): a petition has forty,
#: with its content and answers in long texts a row never shows.
ROW_FIELDS = (
    "ref",
    "received_on",
    "channel",
    "headcount",
    "summary",
    "status",
    "closed_on",
    "due",
    "repeat_count",
    "repeat_of_id",
)


def with_row_relations(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    """What a list row reads with the petition (`ROW_FIELDS`): its units' names (values, not unit
    instances) and whether its due date is provisional (its petitioners are read by
    `petition_rows`)."""
    names = {"township_name": F("township__name"), "lead_unit_name": F("lead_unit__name")}
    return with_provisional_due(petitions.only(*ROW_FIELDS).annotate(**names))


def petition_rows(petitions: Sequence[Petition], today: dt.date) -> list[SafeString]:
    """The list's rows, each one <tr> (directory.listing), from `with_row_relations`. The
    petitioners' names and phones are read in one query of values, not as model instances
    through a prefetch (which cost more than the rows)."""
    petitioners: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ids = [p.pk for p in petitions]
    for petition_id, name, phone in values_for_ids("petitioners", _petitioners, ids):
        petitioners[petition_id].append((name, phone))
    url = pk_urls("petition-detail")
    channels = choice_labels(Petition._meta.get_field("channel"))
    statuses = choice_labels(Petition._meta.get_field("status"))
    repeat = badge("excused", _("repeat"), _("repeat visits"))
    overdue = badge("overdue", _("overdue"))
    rows = []
    for petition in petitions:
        people = petitioners.get(petition.pk, [])
        due = petition.due
        summary = html(petition.summary)
        if petition.is_group:
            n = petition.headcount
            people_text = ngettext("%(n)s person", "%(n)s people", n) % {"n": n}
            summary += f" <small>（{html(people_text)}）</small>"
        due_cell = EMPTY
        if due:
            late = overdue if due < today and petition.is_open else ""
            badge_html = provisional_badge(due, petition.due_provisional)
            due_cell = f"{html(date_text(due))}{badge_html}{late}"
        repeated = repeat if petition.repeat_count or petition.repeat_of_id else ""
        names = "、".join(f'<span class="nowrap">{html(name)}</span>' for name, _phone in people)
        phone = (mask_phone(people[0][1]) if people else "") or EMPTY
        # One string per row, every value escaped here (cells as directory.listing.table_row).
        rows.append(
            safe(
                f'<tr><td class="code"><a href="{html(url(petition.pk))}">{html(petition.ref)}'
                f"</a>{repeated}</td>"
                f'<td class="date">{html(date_text(petition.received_on))}</td>'
                f"<td>{html(channels.get(petition.channel, petition.channel))}</td>"
                f"<td>{summary}</td>"
                f"<td>{names}</td>"
                f'<td class="nowrap">{html(phone)}</td>'
                f'<td class="unit">{html(petition.township_name or EMPTY)}</td>'
                f'<td class="unit">{html(petition.lead_unit_name or EMPTY)}</td>'
                f"<td>{html(statuses.get(petition.status, petition.status))}</td>"
                f'<td class="date">{due_cell}</td></tr>'
            )
        )
    return rows


def _petitioners(ids: list[int]) -> QuerySet[Any]:
    named = Petitioner.objects.filter(petition_id__in=ids).order_by("position", "pk")
    return named.values_list("petition_id", "name", "phone")


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
