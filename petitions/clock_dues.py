"""Petitions and appeals keep a copy of their running clocks' first due date (`due`, for the
lists' filter and sort), a matter assigned at a reception its reply clock's (`reply_by`). When
the calendar or a rule changes, rules recomputes the clocks and calls these to bring the copies
along (registered in PetitionsConfig.ready)."""

from __future__ import annotations

from directory.base import validated_save
from rules.clocks import register_due_refresher
from rules.models import Clock, ClockState

from .appeals.models import Appeal
from .matters.models import Petition
from .roster.models import AppointmentMatter


def _first_due(item: Petition | Appeal | AppointmentMatter, states: tuple[str, ...]) -> object:
    dues = Clock.objects.for_item(item).filter(state__in=states).values_list("due", flat=True)
    return min(dues, default=None)


def refresh_petition_dues(ids: list[int]) -> None:
    for petition in Petition.objects.filter(pk__in=ids):
        due = _first_due(petition, (ClockState.OPEN,))
        if due != petition.due:
            petition.due = due
            validated_save(petition, "next due date follows its recomputed deadlines")


def refresh_appeal_dues(ids: list[int]) -> None:
    for appeal in Appeal.objects.filter(pk__in=ids, due__isnull=False):
        due = _first_due(appeal, (ClockState.OPEN, ClockState.PAUSED))
        if due is not None and due != appeal.due:
            appeal.due = due
            validated_save(appeal, "reply due date follows its recomputed deadline")


def refresh_matter_reply_dates(ids: list[int]) -> None:
    for matter in AppointmentMatter.objects.filter(pk__in=ids, reply_by__isnull=False):
        due = _first_due(matter, (ClockState.OPEN, ClockState.PAUSED))
        if due is not None and due != matter.reply_by:
            matter.reply_by = due
            validated_save(matter, "written reply date follows its recomputed deadline")


register_due_refresher(Petition, refresh_petition_dues)
register_due_refresher(AppointmentMatter, refresh_matter_reply_dates)
register_due_refresher(Appeal, refresh_appeal_dues)
