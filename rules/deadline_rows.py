"""Deadline rows as people read them: the matter (its reference, linked to its page), the step
in words, the rule's short name (the code on hover), and the days left or overdue.

The today panel and the deadline board build their rows here from clocks the user may see
(`Clock.objects.visible_to`); the link comes from the page the item's app registered with
`rules.visibility` and is offered only when that page answers the user. The queries are a
fixed handful whatever the number of rows: one per item type present (the links and
references) and the working-day calendar's years (two per year the rows reach)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def overdue_counts(clocks: QuerySet[Clock], days: Sequence[dt.date]) -> list[int]:
    """For each day, how many of `clocks` were overdue at its end: due before it and not done
    by then (open still, or done later). Withdrawn clocks are left out (when they were
    withdrawn is not kept). One query for all the days."""
    live = clocks.exclude(state=ClockState.CANCELLED)
    counts = live.aggregate(
        **{
            f"d{index}": Count(
                "pk",
                filter=Q(due__lt=day) & (Q(done_on__isnull=True) | Q(done_on__gt=day)),
            )
            for index, day in enumerate(days)
        }
    )
    return [counts[f"d{index}"] for index in range(len(days))]
