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
absent) — in a fixed number of queries, through the same access condition
(`records_for_many`), so that a list of many rows costs no more queries than one row. Without
`records_many` an evaluator is asked row by row.

An evaluator that claims several rules MAY also have

    def records_many_rules(self, wanted: Sequence[tuple[Rule, Sequence[tuple[str, str]]]], *,
                           user: User) -> dict[str, dict[tuple[str, str], Sequence[...]]]

answering `records_many` for several of its rules at once, by rule id, in a fixed number of
queries: `records_for_rules` (the year-end PDF) asks it once for all its rules with short rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from directory.models import OrgUnit
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


def records_for_rules(
    wanted: Sequence[tuple[Rule, Sequence[RowKey]]], *, today: dt.date, user: Any
) -> dict[tuple[str, str, str], list[RecordLink]]:
    """`records_for_many` of many rules, keyed by (rule id, subject code, period code): one
    batch per evaluator where it has `records_many_rules`, else one per rule (so that the
    year-end PDF's queries grow neither with its rows nor with the rules that have short
    rows)."""
    keys_of = {rule.rule_id: list(dict.fromkeys(keys)) for rule, keys in wanted}
    answers: dict[str, dict[RowKey, Any]] = {}
    alone = {rule.rule_id: rule for rule, _keys in wanted}
    for evaluator, rules in compliance.assign(rule for rule, _keys in wanted):
        batch = getattr(evaluator, "records_many_rules", None)
        if callable(batch):
            answers.update(batch([(rule, keys_of[rule.rule_id]) for rule in rules], user=user))
            for rule in rules:
                answers.setdefault(rule.rule_id, {})
                alone.pop(rule.rule_id)
    found: dict[tuple[str, str, str], list[RecordLink]] = {}
    for rule in alone.values():
        for key, links in (
            records_for_many(rule, keys_of[rule.rule_id], today=today, user=user) or {}
        ).items():
            found[(rule.rule_id, *key)] = links
    for rule_id, answer in answers.items():
        for key in keys_of[rule_id]:
            found[(rule_id, *key)] = [as_record_link(item) for item in answer.get(key, ())]
    return found


def late_clocks(
    rules: Iterable[Rule],
    window: Period,
    today: dt.date,
    *,
    user: Any,
    within: OrgUnit | None = None,
    limit: int | None = None,
) -> dict[tuple[str, str], list[RecordLink]]:
    """Every late clock of the DEADLINE rules due in the window that `user` may see, keyed by
    (rule id, subject code: the unit's, or the person's for a personal duty): one query for the
    whole report. `within`: only the clocks whose subject may lie in that unit's subtree (its
    units' or its people's); `limit`: the first (by due date) of each key only."""
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
    if within is not None:
        clocks = clocks.filter(
            Q(unit__path__startswith=within.path) | Q(person__unit__path__startswith=within.path)
        )
    found: dict[tuple[str, str], list[RecordLink]] = {}
    for clock in clocks:
        links = found.setdefault((clock.rule.rule_id, deadline_subject(clock.rule, clock)), [])
        if limit is None or len(links) < limit:
            links.append(clock_link(clock, today))
    return found
