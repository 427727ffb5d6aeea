"""Reads of appeals that the pages share: the filtered list and the weekly hotline analysis
(TJ-H2). Each is a fixed number of grouped queries, whatever the number of appeals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from directory.listing import EMPTY, badge, date_text, html, pk_urls, safe, table_row
from rules.models import with_provisional_due
from rules.templatetags.clocks import provisional_badge

from ..matters.models import Satisfaction
from .models import Appeal, AppealReply, AppealSource

LIST_RELATED = ("category", "township", "unit")


def appeal_search(user: Any, filters: dict[str, Any], today: dt.date) -> Any:
    """The user's appeals narrowed by the list filter, newest first, with their category,
    township and unit (the export)."""
    return with_provisional_due(appeal_filter(user, filters, today).select_related(*LIST_RELATED))


def with_row_names(appeals: Any) -> Any:
    """What a list row reads with the appeal: the names of its category, township and unit
    (values, not instances) and whether its due date is provisional."""
    names = {
        "category_name": F("category__name"),
        "township_name": F("township__name"),
        "unit_name": F("unit__name"),
    }
    return with_provisional_due(appeals.annotate(**names))


def appeal_filter(user: Any, filters: dict[str, Any], today: dt.date) -> Any:
    """The user's appeals narrowed by the list filter (cleaned data of AppealFilterForm),
    newest first."""
    appeals = Appeal.objects.visible_to(user)
    if filters.get("q"):
        appeals = appeals.filter(ref__icontains=filters["q"].strip())
    for name in ("status", "source", "category", "township"):
        if filters.get(name):
            appeals = appeals.filter(**{name: filters[name]})
    if filters.get("overdue"):
        appeals = appeals.overdue(today)
    if filters.get("received_from"):
        appeals = appeals.filter(received_on__gte=filters["received_from"])
    if filters.get("received_to"):
        appeals = appeals.filter(received_on__lte=filters["received_to"])
    return appeals.order_by("-received_at", "-id")


def appeal_rows(appeals: Iterable[Appeal], today: dt.date) -> list[SafeString]:
    """The list's rows, each one <tr> (directory.listing), from `with_row_names`."""
    url = pk_urls("appeal-detail")
    notable = badge("excused", _("notable"))
    overdue = badge("overdue", _("overdue"))
    rows = []
    for appeal in appeals:
        due = appeal.due
        due_cell: Any = EMPTY
        if due:
            late = overdue if due < today and appeal.is_open else ""
            badge_html = provisional_badge(due, appeal.due_provisional)
            due_cell = safe(f"{html(date_text(due))}{badge_html}{late}")
        marked = notable if appeal.notable else ""
        reference = safe(f'<a href="{html(url(appeal.pk))}">{html(appeal.ref)}</a>{marked}')
        rows.append(
            table_row(
                [
                    ("code", reference),
                    ("date", date_text(appeal.received_at)),
                    ("", appeal.get_source_display()),
                    ("", appeal.category_name),
                    ("unit", appeal.township_name or EMPTY),
                    ("", appeal.summary),
                    ("unit", appeal.unit_name or EMPTY),
                    ("", appeal.get_status_display()),
                    ("date", due_cell),
                ]
            )
        )
    return rows


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass
class HotlineRow:
    name: str
    received: int = 0
    replied: int = 0
    late: int = 0
    overdue: int = 0


@dataclass
class HotlineWeek:
    first: dt.date
    last: dt.date
    today: dt.date
    total: int = 0
    by_category: list[HotlineRow] = field(default_factory=list)
    by_unit: list[HotlineRow] = field(default_factory=list)
    satisfaction: list[tuple[str, int]] = field(default_factory=list)
    overdue: list[Appeal] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return sum(n for _label, n in self.satisfaction)

    @property
    def satisfaction_rate(self) -> str:
        """(满意 + 基本满意) / rated, as a percentage — the DESIGN's satisfaction rate."""
        good = sum(
            n
            for value, (_label, n) in zip(Satisfaction.values, self.satisfaction, strict=True)
            if value != Satisfaction.UNSATISFIED
        )
        return f"{100 * good / self.rated:.1f}" if self.rated else "—"


def _rows(appeals: Any, name_field: str, order_field: str, today: dt.date) -> list[HotlineRow]:
    replied = Q(replies__isnull=False)
    groups = (
        appeals.values(name_field, order_field)
        .annotate(
            received=Count("pk", distinct=True),
            replied=Count("pk", filter=replied, distinct=True),
            late=Count("pk", filter=Q(replies__on_time=False), distinct=True),
            overdue=Count(
                "pk",
                filter=Q(pk__in=appeals.overdue(today).values("pk")),
                distinct=True,
            ),
        )
        .order_by(order_field)
    )
    return [
        HotlineRow(
            row[name_field] or "—", row["received"], row["replied"], row["late"], row["overdue"]
        )
        for row in groups
    ]


def hotline_week(user: Any, day: dt.date, today: dt.date) -> HotlineWeek:
    """The week of `day` on the hotline: what came in, by category and by handling unit, what
    was answered late or is overdue (as of `today`), and how satisfied callers were."""
    first, last = week_of(day)
    appeals = (
        Appeal.objects.visible_to(user)
        .filter(source=AppealSource.HOTLINE)
        .received_between(first, last)
    )
    week = HotlineWeek(first=first, last=last, today=today)
    week.by_category = _rows(appeals, "category__name", "category__sort_order", today)
    week.by_unit = _rows(appeals, "unit__name", "unit__path", today)
    week.total = sum(row.received for row in week.by_category)
    ratings = dict(
        AppealReply.objects.filter(appeal__in=appeals.values("pk"))
        .exclude(feedback="")
        .values_list("feedback")
        .annotate(n=Count("pk"))
        .values_list("feedback", "n")
    )
    week.satisfaction = [(label, ratings.get(value, 0)) for value, label in Satisfaction.choices]
    week.overdue = list(
        with_provisional_due(appeals.overdue(today).select_related(*LIST_RELATED)).order_by(
            "due", "ref"
        )[:100]
    )
    return week
