"""The records behind a figure of the compliance table (which visits, which late answers …).

An optional extension of the compliance protocol of `rules.compliance`: an evaluator MAY have

    def records(self, rule: Rule, subject: str, period: str, *, user: User) -> Sequence[...]

returning the records behind one row (rule, subject code, period code) that `user` — the
reader of the page or of the PDF — may see: a drill-down is as public as a page, so each
evaluator reads its records through its app's access condition (a petition through
`Petition.objects.visible_to`, never the petitions about the reader). Items may be
`RecordLink`s or any object with a `label` attribute (and optionally `url`, `date`, `late`,
`note`) or a dict with those keys, so that apps need not import `reports` (nothing imports
`reports`). DEADLINE rows are answered here from the clocks in `rules`, which every app uses, read through
`Clock.objects.visible_to(user)` (the clock's unit, its subject and its item's own access
condition).

An evaluator with `records` SHOULD also have the batch form

    def records_many(self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: User)
        -> dict[tuple[str, str], Sequence[...]]

answering for many rows of one rule at once — keys are (subject code, period code), the
answer holds the same records `records` gives for each key (keys without records may be
absent) — in a fixed number of queries, through the same access condition. The year-end PDF
lists the records behind every short row with `records_for_many`: one call per rule, so the
report's queries do not grow with its rows. Without `records_many` an evaluator is asked row
by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from rules import compliance
from rules.compliance import RecordLink
from rules.models import Clock, ClockState, Rule, RuleKind
from rules.periods import Period


def as_record_link(item: Any) -> RecordLink:
    if isinstance(item, RecordLink):
        return item
    if isinstance(item, dict):
        get = item.get
    else:

        def get(name: str, default: Any = None) -> Any:
            return getattr(item, name, default)

    return RecordLink(
        label=str(get("label", "") or item),
        url=str(get("url", "") or ""),
        date=get("date"),
        late=bool(get("late", False)),
        note=str(get("note", "") or ""),
    )


def period_of(code: str) -> Period | None:
    try:
        return Period.parse(code)
    except (ValueError, IndexError):
        return None  # a session code or another form the periods module does not parse


def clock_link(clock: Clock, today: dt.date) -> RecordLink:
    if clock.state == ClockState.DONE:
        late = clock.on_time is False
        note = _("done on %(day)s") % {"day": clock.done_on.isoformat()}
    else:
        late = clock.due < today
        note = str(clock.get_state_display())
    label = clock.label or f"{clock.rule.rule_id} · {clock.step}"
    due = clock.due.isoformat()
    if clock.provisional and clock.state != ClockState.DONE:
        due = _("%(due)s (provisional: %(reason)s)") % {
            "due": due,
            "reason": clock.provisional_reason,
        }
    return RecordLink(
        label=label,
        date=clock.due,
        late=late,
        note=_("started %(start)s, due %(due)s; %(state)s")
        % {"start": clock.start.isoformat(), "due": due, "state": note},
    )


def late_clock_filter(today: dt.date) -> Q:
    """Done late, or still running past the due date."""
    return Q(state=ClockState.DONE, on_time=False) | Q(
        state__in=(ClockState.OPEN, ClockState.PAUSED), due__lt=today
    )


def deadline_subject(rule: Rule, clock: Clock) -> str:
    """The code of the row a clock counts in: its person for a rule naming posts (a personal
    duty), else its unit (rules.evaluators)."""
    if rule.subject_post_list:
        return clock.person.code if clock.person_id else ""
    return clock.unit.code if clock.unit_id else ""


def deadline_records(
    rule: Rule, subject: str, period: str, today: dt.date, *, user: Any
) -> list[RecordLink]:
    window = period_of(period)
    lookup = "person__code" if rule.subject_post_list else "unit__code"
    clocks = (
        Clock.objects.visible_to(user)
        .filter(rule=rule, **{lookup: subject})
        .exclude(state=ClockState.CANCELLED)
    )
    if window is not None:
        clocks = clocks.filter(due__gte=window.start, due__lte=window.end)
    return [clock_link(c, today) for c in clocks.select_related("rule").order_by("due", "pk")]


def evaluator_for(rule: Rule) -> Any:
    pairs = compliance.assign([rule])
    return pairs[0][0] if pairs else None


def has_records(rule: Rule) -> bool:
    if rule.kind == RuleKind.DEADLINE:
        return True
    return callable(getattr(evaluator_for(rule), "records", None))


def records_for(
    rule: Rule, subject: str, period: str, *, today: dt.date, user: Any
) -> list[RecordLink] | None:
    """The records behind one row that `user` may see, or None when its evaluator cannot list
    them."""
    evaluator = evaluator_for(rule)
    method = getattr(evaluator, "records", None)
    if callable(method):
        return [as_record_link(item) for item in method(rule, subject, period, user=user)]
    if rule.kind == RuleKind.DEADLINE:
        return deadline_records(rule, subject, period, today, user=user)
    return None


RowKey = tuple[str, str]


def records_for_many(
    rule: Rule, keys: Sequence[RowKey], *, today: dt.date, user: Any
) -> dict[RowKey, list[RecordLink]] | None:
    """The records behind many rows of one rule that `user` may see, keyed by (subject,
    period): one batch per rule where the evaluator has `records_many`; None when its
    evaluator cannot list them."""
    evaluator = evaluator_for(rule)
    many = getattr(evaluator, "records_many", None)
    if callable(many):
        found = many(rule, list(dict.fromkeys(keys)), user=user)
        return {key: [as_record_link(item) for item in found.get(key, ())] for key in keys}
    if callable(getattr(evaluator, "records", None)) or rule.kind == RuleKind.DEADLINE:
        return {
            key: records_for(rule, key[0], key[1], today=today, user=user) or []
            for key in dict.fromkeys(keys)
        }
    return None


def late_clocks(
    rules: Iterable[Rule],
    window: Period,
    today: dt.date,
    unit_codes: Sequence[str] | None = None,
    *,
    user: Any,
) -> dict[tuple[str, str], list[RecordLink]]:
    """Every late clock of the DEADLINE rules due in the window that `user` may see, keyed by
    (rule id, subject code: the unit's, or the person's for a personal duty): one query for the
    whole report."""
    deadline = [rule for rule in rules if rule.kind == RuleKind.DEADLINE]
    if not deadline:
        return {}
    clocks = (
        Clock.objects.visible_to(user)
        .filter(rule__in=deadline, due__gte=window.start, due__lte=window.end)
        .filter(late_clock_filter(today))
        .select_related("rule", "unit", "person")
        .order_by("due", "pk")
    )
    if unit_codes is not None:
        clocks = clocks.filter(unit__code__in=unit_codes)
    found: dict[tuple[str, str], list[RecordLink]] = {}
    for clock in clocks:
        key = (clock.rule.rule_id, deadline_subject(clock.rule, clock))
        found.setdefault(key, []).append(clock_link(clock, today))
    return found
