"""Deadline rows as people read them: the matter (its reference, linked to its page), the step
in words, the rule's short name (the code on hover), and the days left or overdue.

The today panel and the deadline board build their rows here from clocks the user may see
(`Clock.objects.visible_to`); the link comes from the page the item's app registered with
`rules.visibility` and is offered only when that page answers the user. The queries are a
fixed handful whatever the number of rows: one per item type present (the links and
references) and the working-day calendar's years the rows reach (two, `WorkCalendar.load`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.models import OrgUnit

from .models import Clock, ClockState
from .visibility import item_links, registered_pages
from .workdays import UnknownCalendarYear, WorkCalendar, workdays_between


@dataclass(frozen=True)
class DeadlineRow:
    clock: Clock
    url: str
    reference: str
    item_kind: str
    step: str
    rule_code: str
    rule_name: str
    rule_title: str
    overdue: bool
    due_text: str
    state_label: str


def due_in_words(clock: Clock, today: dt.date, calendar: WorkCalendar | None = None) -> str:
    """还剩3个工作日 / 今日到期 / 已超期5天: working days when the clock counts working days
    (calendar days when the overdue stretch holds no working day yet, e.g. the weekend after
    a Friday due date), calendar days otherwise."""
    if clock.state == ClockState.PAUSED:
        return _("paused")
    if clock.due == today:
        return _("due today")
    workdays: int | None = None
    if clock.counts_workdays():
        try:
            workdays = workdays_between(
                today, clock.due, (calendar or WorkCalendar()).with_provisional()
            )
        except UnknownCalendarYear:  # beyond the statutory tables: count calendar days
            workdays = None
    if clock.due > today:
        if workdays is not None:
            return ngettext("%(n)d working day left", "%(n)d working days left", workdays) % {
                "n": workdays
            }
        days = (clock.due - today).days
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    if workdays:
        late = -workdays
        return ngettext("%(n)d working day overdue", "%(n)d working days overdue", late) % {
            "n": late
        }
    days = (today - clock.due).days
    return ngettext("%(n)d day overdue", "%(n)d days overdue", days) % {"n": days}


def step_words(clock: Clock) -> str:
    """The step in words as the item's app names it (受理告知), else the rule's short name."""
    model = ContentType.objects.get_for_id(clock.content_type_id).model_class()
    page = registered_pages().get(model) if model is not None else None
    words = page.steps.get(clock.step) if page is not None else None
    return str(words) if words else clock.rule.short_name


def deadline_rows(
    clocks: Sequence[Clock], *, user: Any, today: dt.date, calendar: WorkCalendar | None = None
) -> list[DeadlineRow]:
    """Rows for `clocks` (read with select_related('rule', 'unit', 'content_type'))."""
    links = item_links(user, ((c.content_type_id, c.object_id) for c in clocks))
    calendar = calendar or WorkCalendar()
    if clocks:  # the years between today and the due dates, in two queries
        years = [today.year, *(clock.due.year for clock in clocks)]
        calendar.load(range(min(years), max(years) + 1))
    rows = []
    for clock in clocks:
        link = links.get((clock.content_type_id, clock.object_id))
        kind = str(clock.content_type.name)
        reference = (link.reference if link else "") or clock.label or kind
        rows.append(
            DeadlineRow(
                clock=clock,
                url=link.url if link else "",
                reference=reference,
                item_kind=kind,
                step=step_words(clock),
                rule_code=clock.rule.rule_id,
                rule_name=clock.rule.short_name,
                rule_title=clock.rule.title,
                overdue=clock.is_overdue(today),
                due_text=due_in_words(clock, today, calendar),
                state_label=str(clock.get_state_display()),
            )
        )
    return rows


def _overdue_at(days: Sequence[dt.date]) -> dict[str, Count]:
    """A count per day of the clocks overdue at its end: due before it, not done by then."""
    return {
        f"d{index}": Count(
            "pk", filter=Q(due__lt=day) & (Q(done_on__isnull=True) | Q(done_on__gt=day))
        )
        for index, day in enumerate(days)
    }


def _could_be_overdue(clocks: QuerySet[Clock], days: Sequence[dt.date]) -> QuerySet[Clock]:
    """The clocks `_overdue_at(days)` can count (a narrower read, the same counts)."""
    return clocks.filter(
        Q(done_on__isnull=True) | Q(done_on__gt=min(days)), due__lt=max(days)
    ).exclude(state=ClockState.CANCELLED)


def overdue_counts(clocks: QuerySet[Clock], days: Sequence[dt.date]) -> list[int]:
    """For each day, how many of `clocks` were overdue at its end: due before it and not done
    by then (open still, or done later). Withdrawn clocks are left out (when they were
    withdrawn is not kept). One query for all the days."""
    if not days:
        return []
    counts = _could_be_overdue(clocks, days).aggregate(**_overdue_at(days))
    return [counts[f"d{index}"] for index in range(len(days))]


@dataclass(frozen=True)
class BoardCounts:
    #: per responsible unit, most overdue first: unit__name, unit__code, n (listed), late
    per_unit: list[dict[str, Any]]
    #: overdue clocks at the end of each of `days`
    trend: list[int]


def board_counts(
    clocks: QuerySet[Clock],
    clocks_per_row: QuerySet[Clock],
    *,
    today: dt.date,
    horizon: dt.date,
    days: Sequence[dt.date],
) -> BoardCounts:
    """The deadline board's figures in two reads: the open clocks due by `horizon`, counted
    per unit (listed, overdue, and overdue at the end of each of `days`, which are no later
    than today) in one pass; then the clocks no longer open (paused, or done after the first
    day) for the rest of the trend — few, so their items are checked clock by clock
    (`clocks_per_row`, the same clocks as `clocks` read with Clock.objects.visible_to(...,
    per_row=True)). Grouped by the unit's id; the names are read for those units only."""
    # Each open clock falls in one band of due dates between the days and today (band i:
    # due before bounds[i] and not before bounds[i - 1]): one CASE per clock costs far less
    # than a count per day over every open clock. An open clock is not done, so it is
    # overdue at the end of a day when due before it; one with a done_on anyway (`done`)
    # is left to the second read.
    bounds = sorted({*days, today})
    band = Case(
        *(When(due__lt=day, then=Value(index)) for index, day in enumerate(bounds)),
        default=Value(len(bounds)),
    )
    grouped = list(
        clocks.open()
        .filter(due__lte=horizon)
        .annotate(band=band, done=ExpressionWrapper(Q(done_on__isnull=False), BooleanField()))
        .order_by()
        .values("unit", "band", "done")
        .annotate(n=Count("pk"))
    )
    late_bands = sum(1 for day in bounds if day <= today)  # bands of clocks due before today
    per_band = [0] * (len(bounds) + 1)
    units: dict[int | None, dict[str, int]] = {}
    for row in grouped:
        unit = units.setdefault(row["unit"], {"n": 0, "late": 0})
        unit["n"] += row["n"]
        if row["band"] < late_bands:
            unit["late"] += row["n"]
        if not row["done"]:
            per_band[row["band"]] += row["n"]
    trend = [sum(per_band[: bounds.index(day) + 1]) for day in days]
    odd = any(row["done"] for row in grouped)  # an open clock with a done_on: never seen
    if days:
        # paused or done: the states beside open and cancelled, named so that the partial
        # index of clocks by done_on (clock_closed_done_on) serves the read
        closed = Q(state__in=(ClockState.PAUSED, ClockState.DONE))
        if odd:
            closed |= Q(state=ClockState.OPEN, done_on__isnull=False)
        rest = _could_be_overdue(clocks_per_row.filter(closed), days)
        counts = rest.aggregate(**_overdue_at(days))
        trend = [n + counts[f"d{index}"] for index, n in enumerate(trend)]
    names = {
        pk: (name, code)
        for pk, name, code in OrgUnit.all_objects.filter(
            pk__in=[pk for pk in units if pk is not None]
        ).values_list("pk", "name", "code")
    }
    per_unit = [
        {
            "unit__name": names.get(pk, (None, None))[0],
            "unit__code": names.get(pk, (None, None))[1],
            "n": counted["n"],
            "late": counted["late"],
        }
        for pk, counted in units.items()
    ]
    # as ORDER BY late DESC, n DESC, code (a unit without a code last among equals)
    per_unit.sort(
        key=lambda r: (-r["late"], -r["n"], r["unit__code"] is None, r["unit__code"] or "")
    )
    return BoardCounts(per_unit=per_unit, trend=trend)
