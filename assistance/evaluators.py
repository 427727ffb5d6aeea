"""The compliance evaluators of pairing and assistance (registered in AssistanceConfig.ready()).

- Contact coverage (TY-A1, TY-A2a/b, CP-A2a/b): per cadre per period (the rule's month or
  quarter), required = the paired households of the rule's kind owed that period
  (assistance.rhythm.owes), actual = those contacted at least `min_visits` times from the
  pairing's start; a call counts only when the rule's `activities` list `call`. Subjects are
  the people holding one of the rule's posts who have such pairings: the pairing makes the
  duty, the rule says whose it is.
- The 1+1+n structure (CP-A1): per cadre per year, required = 1 centre + `min_households`
  radiated households, actual = those in place, where each `household_mix` category must be
  filled by a household of that category.
- Pairing quotas (HF-A1a–c): villages, hardship persons, grassroots units paired in the year.
- Aid (CP-A4): per cadre per year, the money given (corrections included) against the rule's
  minimum for the cadre's rank.
- The township's monthly analysis (CP-S1): per township per month, 1 when recorded.
CP-A3, HF-A2 and HF-S1 are DEADLINE rules: their clocks are evaluated by rules.evaluators
(CP-A3 and HF-A2 name posts, so per paired cadre; HF-S1 per responsible unit).

Visit facts come from visits.facts, one call per rule for every cadre and household."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from directory.base import split_codes
from directory.models import TOWNSHIP_KINDS, OrgUnit, Person, UnitKind
from rules import compliance
from rules.compliance import ComplianceRow, RecordLink, status_for
from rules.models import Rule
from rules.periods import Period, subperiods
from visits.facts import IN_PERSON_KINDS, household_contacts

from .models import (
    HARDSHIP_KINDS,
    AidEntry,
    AidKind,
    Analysis,
    AnalysisLevel,
    Pairing,
    PairingKind,
    UnitPairing,
)
from .rhythm import calls_count, counted_from, owes, pairing_kind_of

COVERAGE_RULES = ("TY-A1", "TY-A2a", "TY-A2b", "CP-A2a", "CP-A2b")
STRUCTURE_RULES = ("CP-A1",)
QUOTA_RULES = ("HF-A1a", "HF-A1b", "HF-A1c")
AID_RULES = ("CP-A4",)
ANALYSIS_RULES = ("CP-S1",)
#: Units whose people the grid rules (CP) measure even before they have any pairing.
GRID_UNIT_KINDS = (*TOWNSHIP_KINDS, UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.GROUP)
MAX_NAMES = 5


def periods_in(window: Period, kind: str) -> Iterator[Period]:
    for year in range(window.start.year, window.end.year + 1):
        for period in subperiods(year, kind):
            if period.start >= window.start and period.end <= window.end:
                yield period


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMES])
    return shown + ("…" if len(names) > MAX_NAMES else "")


def post_holders(rule: Rule) -> QuerySet[Person]:
    """The people a rule applies to: holders of the posts it names (nobody when it names none)."""
    posts = rule.subject_post_list
    return Person.objects.with_post(*posts) if posts else Person.objects.none()


def grid_subjects(rule: Rule, window: Period) -> list[Person]:
    """Holders of the rule's posts in a township's units, or with a 1+1+n pairing elsewhere."""
    paired = Pairing.objects.overlapping(window.start, window.end).of_kind(
        PairingKind.CENTRE, PairingKind.RADIATED
    )
    condition = Q(unit__kind__in=GRID_UNIT_KINDS) | Q(pk__in=paired.values("person_id"))
    return list(post_holders(rule).filter(condition).order_by("code"))


# --- contact coverage --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Owed:
    """One pairing as the contact table needs it (a tuple, not a model instance)."""

    person_id: int
    household_id: int
    start: dt.date
    end: dt.date | None
    code: str
    name: str
    head: str
    posts: frozenset[str]


class ContactCoverageEvaluator:
    def evaluate(
        self,
        rules: Sequence[Rule],
        window: Period,
        *,
        today: dt.date,
        within: OrgUnit | None = None,
    ) -> Iterable[ComplianceRow]:
        """`within`: only the cadres of this unit's subtree (rules.compliance.evaluate).
        The rules share their facts: the pairings of a kind and their contacts are read once
        for every rule of that kind (each rule keeps the holders of its posts)."""
        rows: list[ComplianceRow] = []
        kinds = {kind for rule in rules if (kind := pairing_kind_of(rule)) is not None}
        pairings = self._pairings(kinds, window, within) if kinds else {}
        contacts: dict[tuple[str, bool], dict[tuple[int, int], list[dt.date]]] = {}
        for rule in rules:
            kind = pairing_kind_of(rule)
            if kind is None:
                continue
            pairings.setdefault(kind, [])
            calls = calls_count(rule)
            if (kind, calls) not in contacts:
                contacts[(kind, calls)] = self._contacts(pairings[kind], window, calls)
            # the holders of the rule's posts, from the posts read with the pairings
            posts = frozenset(rule.subject_post_list)
            owed = [p for p in pairings[kind] if p.posts & posts]
            rows.extend(self._rows(rule, owed, contacts[(kind, calls)], window, today))
        return rows

    @staticmethod
    def _pairings(
        kinds: set[str], window: Period, within: OrgUnit | None
    ) -> dict[str, list[_Owed]]:
        """The pairings of every kind asked, in one query, by kind."""
        pairings = (
            Pairing.objects.overlapping(window.start, window.end)
            .of_kind(*sorted(kinds))
            .filter(person__deleted_at__isnull=True)
        )
        if within is not None:
            pairings = pairings.filter(person__unit__path__startswith=within.path)
        rows = pairings.order_by("person__code", "pk").values_list(
            "kind", "person_id", "household_id", "start", "end", "person__code", "person__name",
            "household__head", "person__posts",
        )  # fmt: skip
        by_kind: dict[str, list[_Owed]] = defaultdict(list)
        for kind, *row in rows:
            by_kind[kind].append(_Owed(*row[:-1], frozenset(split_codes(row[-1]))))
        return dict(by_kind)

    @staticmethod
    def _contacts(
        owed: list[_Owed], window: Period, calls: bool
    ) -> dict[tuple[int, int], list[dt.date]]:
        if not owed:
            return {}
        kinds = () if calls else IN_PERSON_KINDS
        found = household_contacts(
            list({p.person_id for p in owed}), list({p.household_id for p in owed}),
            window.start, window.end, kinds,
        )  # fmt: skip
        return {key: [c.date for c in contacts] for key, contacts in found.items()}

    @staticmethod
    def _rows(
        rule: Rule,
        pairings: list[_Owed],
        dates: dict[tuple[int, int], list[dt.date]],
        window: Period,
        today: dt.date,
    ) -> list[ComplianceRow]:
        if not pairings:
            return []
        minimum = int(rule.param("min_visits") or 1)
        not_contacted = _("not contacted: %(names)s")  # translated once, not per row
        rows = []
        for period in periods_in(window, rule.period):
            tally: dict[int, list] = {}
            for pairing in pairings:
                if not owes(pairing, period):  # type: ignore[arg-type]
                    continue
                entry = tally.setdefault(pairing.person_id, [pairing, 0, 0, []])
                entry[1] += 1
                days = dates.get((pairing.person_id, pairing.household_id), ())
                first = bisect.bisect_left(days, max(pairing.start, period.start))
                if bisect.bisect_right(days, period.end) - first >= minimum:
                    entry[2] += 1
                else:
                    entry[3].append(pairing.head)
            for person, required, actual, missed in tally.values():
                note = not_contacted % {"names": _names(missed)} if missed else ""
                rows.append(
                    ComplianceRow(
                        rule=rule.rule_id,
                        subject=person.code,
                        subject_name=person.name,
                        period=period.code,
                        required=required,
                        actual=actual,
                        status=status_for(required, actual, period, today),
                        note=note,
                    )
                )
        return rows

    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        """Each household owed in the period that `user` may see, with its first contact
        (late when none)."""
        return self.records_many(rule, [(subject, period)], user=user).get((subject, period), [])

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        """`records` for many (subject, period) rows: the pairings of all the subjects in one
        query, their contacts over the periods' span in another."""
        return self.records_many_rules([(rule, keys)], user=user).get(rule.rule_id, {})

    def records_many_rules(
        self, wanted: Sequence[tuple[Rule, Sequence[tuple[str, str]]]], *, user: Any
    ) -> dict[str, dict[tuple[str, str], list[RecordLink]]]:
        """`records_many` of many rules by rule id, in the same two queries: the pairings of
        every rule's kind and subjects, their contacts (of any kind a rule counts) over the span
        of all the rules' periods."""
        asked = []
        for rule, keys in wanted:
            windows: dict[str, Period] = {}
            for _subject, period in keys:
                try:
                    windows[period] = Period.parse(period)
                except ValueError:
                    continue
            rows = [(s, p) for s, p in keys if p in windows]
            if rows:
                asked.append((rule, pairing_kind_of(rule) or "", windows, rows))
        if not asked:
            return {}
        spans = [w for _rule, _kind, windows, _rows in asked for w in windows.values()]
        start = min(w.start for w in spans)
        end = max(w.end for w in spans)
        pairings: dict[tuple[str, str], list[Pairing]] = defaultdict(list)
        for pairing in (
            Pairing.objects.visible_to(user)
            .overlapping(start, end)
            .of_kind(*sorted({kind for _rule, kind, _windows, _rows in asked}))
            .filter(person__code__in={s for *_head, rows in asked for s, _p in rows})
            .select_related("household", "person")
            .order_by("pk")
        ):
            pairings[(pairing.kind, pairing.person.code)].append(pairing)
        owed = {
            (rule.rule_id, subject, period): [
                p for p in pairings.get((kind, subject), []) if owes(p, windows[period])
            ]
            for rule, kind, windows, rows in asked
            for subject, period in rows
        }
        listed = [p for found in owed.values() for p in found]
        if not listed:
            return {}
        calls = {rule.rule_id: calls_count(rule) for rule, *_tail in asked}
        contacts = household_contacts(
            list({p.person_id for p in listed}), list({p.household_id for p in listed}),
            start, end, () if any(calls.values()) else IN_PERSON_KINDS,
        )  # fmt: skip
        windows_of = {rule.rule_id: windows for rule, _kind, windows, _rows in asked}
        result: dict[str, dict[tuple[str, str], list[RecordLink]]] = defaultdict(dict)
        for (rule_id, subject, period), found_pairings in owed.items():
            window = windows_of[rule_id][period]
            links = []
            for pairing in found_pairings:
                found = [
                    c
                    for c in contacts.get((pairing.person_id, pairing.household_id), [])
                    if counted_from(pairing, window) <= c.date <= window.end
                    and (calls[rule_id] or c.kind in IN_PERSON_KINDS)
                ]
                links.append(
                    RecordLink(
                        label=str(pairing.household),
                        url=reverse("assistance-household", args=[pairing.household_id]),
                        date=found[0].date if found else None,
                        late=not found,
                        note="" if found else _("no contact in the period"),
                    )
                )
            if links:
                result[rule_id][(subject, period)] = links
        return dict(result)


# --- the 1+1+n structure -------------------------------------------------------------------------


def fill_slots(categories: list[list[str]], mix: list[str], slots: int) -> tuple[int, list[str]]:
    """How many of `slots` radiated places the households fill: each mix item (a category,
    or 'a|b' alternatives) needs a household of its own of that category. Returns the
    filled count and the mix items left unfilled."""
    used: set[int] = set()
    missing: list[str] = []
    for item in mix:
        wanted = set(item.split("|"))
        match = next(
            (i for i, cats in enumerate(categories) if i not in used and wanted & set(cats)), None
        )
        if match is None:
            missing.append(item)
        else:
            used.add(match)
    free = max(slots - len(mix), 0)
    filled = len(used) + min(len(categories) - len(used), free)
    return min(filled, slots), missing


class GridStructureEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        rows: list[ComplianceRow] = []
        for rule in rules:
            rows.extend(self._rows(rule, window, today))
        return rows

    def _rows(self, rule: Rule, window: Period, today: dt.date) -> list[ComplianceRow]:
        subjects = grid_subjects(rule, window)
        slots = int(rule.param("min_households") or 5)
        mix = list(rule.param("household_mix") or [])
        pairings = (
            Pairing.objects.overlapping(window.start, window.end)
            .of_kind(PairingKind.CENTRE, PairingKind.RADIATED)
            .filter(person__in=[p.pk for p in subjects])
            .values_list("person_id", "kind", "household_id", "household__categories")
        )
        centres: dict[int, set[int]] = defaultdict(set)
        radiated: dict[int, dict[int, list[str]]] = defaultdict(dict)
        for person_id, kind, household_id, categories in pairings:
            if kind == PairingKind.CENTRE:
                centres[person_id].add(household_id)
            else:
                radiated[person_id][household_id] = (categories or "").split(";")
        rows = []
        for period in periods_in(window, rule.period):
            for person in subjects:
                filled, missing = fill_slots(list(radiated[person.pk].values()), mix, slots)
                actual = min(len(centres[person.pk]), 1) + filled
                notes = [] if centres[person.pk] else [_("no centre household")]
                if missing:
                    notes.append(_("missing: %(items)s") % {"items": "、".join(missing)})
                rows.append(
                    ComplianceRow(
                        rule=rule.rule_id,
                        subject=person.code,
                        subject_name=person.name,
                        period=period.code,
                        required=1 + slots,
                        actual=actual,
                        status=status_for(1 + slots, actual, period, today),
                        note="; ".join(str(n) for n in notes),
                    )
                )
        return rows


# --- pairing quotas (HF-A1a–c) -------------------------------------------------------------------


PAIRING_ACTIVITIES = ("paired_grassroots_unit", "paired_village", "paired_hardship_person")


class PairingQuotaEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        """The rules share their facts: the holders of all their posts in one query (each rule
        keeps the holders of its own), each activity's counts once a period."""
        posts = sorted({post for rule in rules for post in rule.subject_post_list})
        holders = (
            list(Person.objects.with_post(*posts).select_related("unit").order_by("code"))
            if posts
            else []
        )
        counts: dict[tuple[str, str], Counter[int]] = {}
        rows: list[ComplianceRow] = []
        for rule in rules:
            people = [p for p in holders if p.has_post(*rule.subject_post_list)]
            for period in periods_in(window, rule.period):
                rows.extend(self._rows(rule, people, period, today, counts))
        return rows

    def _rows(
        self,
        rule: Rule,
        people: list[Person],
        period: Period,
        today: dt.date,
        counts: dict[tuple[str, str], Counter[int]],
    ) -> list[ComplianceRow]:
        activity = rule.param("activity")
        required = int(rule.param("count") or 1)
        if activity not in PAIRING_ACTIVITIES:
            return []
        key = (activity, period.code)
        if key not in counts:
            counts[key] = self._counts(activity, period)
        found = counts[key]
        if activity == "paired_grassroots_unit":
            subjects = {p.unit.code: (p.unit.name, found[p.unit_id]) for p in people}
        else:
            subjects = {p.code: (p.name, found[p.pk]) for p in people}
        return [
            ComplianceRow(
                rule=rule.rule_id,
                subject=code,
                subject_name=name,
                period=period.code,
                required=required,
                actual=actual,
                status=status_for(required, actual, period, today),
            )
            for code, (name, actual) in sorted(subjects.items())
        ]

    @staticmethod
    def _villages(period: Period) -> Counter[int]:
        rows = (
            UnitPairing.objects.overlapping(period.start, period.end)
            .filter(person__isnull=False)
            .values("person_id")
            .annotate(n=Count("unit_id", distinct=True))
            .order_by()
        )
        return Counter({row["person_id"]: row["n"] for row in rows})

    @staticmethod
    def _hardship(period: Period) -> Counter[int]:
        rows = (
            Pairing.objects.overlapping(period.start, period.end)
            .of_kind(*HARDSHIP_KINDS)
            .values("person_id")
            .annotate(n=Count("household_id", distinct=True))
            .order_by()
        )
        return Counter({row["person_id"]: row["n"] for row in rows})

    @staticmethod
    def _by_body(period: Period) -> Counter[int]:
        rows = (
            UnitPairing.objects.overlapping(period.start, period.end)
            .filter(body__isnull=False)
            .values("body_id")
            .annotate(n=Count("unit_id", distinct=True))
            .order_by()
        )
        return Counter({row["body_id"]: row["n"] for row in rows})

    @classmethod
    def _counts(cls, activity: str, period: Period) -> Counter[int]:
        if activity == "paired_grassroots_unit":
            return cls._by_body(period)
        return cls._villages(period) if activity == "paired_village" else cls._hardship(period)


# --- aid (CP-A4) ----------------------------------------------------------------------------------


def aid_minimum(rule: Rule, person: Person) -> Decimal | None:
    """The person's annual minimum: by rank, else the highest by post, else the minimum."""
    by_rank = rule.param("by_rank") or {}
    if person.rank in by_rank:
        return Decimal(str(by_rank[person.rank]))
    by_post = rule.param("by_post") or {}
    amounts = [Decimal(str(by_post[post])) for post in person.post_list if post in by_post]
    if amounts:
        return max(amounts)
    minimum = rule.param("minimum")
    return Decimal(str(minimum)) if minimum is not None else None


def aid_totals(
    person_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    """Money given per person in [start, end], corrections included (one query). Summed in
    Python: SQLite adds decimals as floating point, and aid amounts must add up exactly."""
    entries = AidEntry.objects.money().filter(date__gte=start, date__lte=end)
    if person_ids is not None:
        entries = entries.filter(person_id__in=list(person_ids))
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for person_id, amount in entries.values_list("person_id", "amount").order_by():
        totals[person_id] += amount
    return dict(totals)


class AidEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        rows: list[ComplianceRow] = []
        for rule in rules:
            subjects = self._subjects(rule, window)
            for period in periods_in(window, rule.period):
                totals = aid_totals(None, period.start, period.end)
                for person in subjects:
                    required = aid_minimum(rule, person)
                    if required is None:
                        continue
                    actual = totals.get(person.pk, Decimal("0.00"))
                    rows.append(
                        ComplianceRow(
                            rule=rule.rule_id,
                            subject=person.code,
                            subject_name=person.name,
                            period=period.code,
                            required=required,
                            actual=actual,
                            status=status_for(required, actual, period, today),
                        )
                    )
        return rows

    @staticmethod
    def _subjects(rule: Rule, window: Period) -> list[Person]:
        """The grid's cadres, and anyone paired with a household in the window."""
        paired = Pairing.objects.overlapping(window.start, window.end).values("person_id")
        grid = {p.pk: p for p in grid_subjects(rule, window)}
        grid.update({p.pk: p for p in post_holders(rule).filter(pk__in=paired)})
        return sorted(grid.values(), key=lambda p: p.code)

    def records(self, rule: Rule, subject: str, period: str, *, user: Any) -> list[RecordLink]:
        return self.records_many(rule, [(subject, period)], user=user).get((subject, period), [])

    def records_many(
        self, rule: Rule, keys: Sequence[tuple[str, str]], *, user: Any
    ) -> dict[tuple[str, str], list[RecordLink]]:
        """The aid entries behind many rows, in one query over the periods' span."""
        windows: dict[str, Period] = {}
        for _subject, period in keys:
            try:
                windows[period] = Period.parse(period)
            except ValueError:
                continue
        wanted = [(s, p) for s, p in keys if p in windows]
        if not wanted:
            return {}
        entries = (
            AidEntry.objects.visible_to(user)
            .filter(person__code__in={s for s, _p in wanted})
            .filter(date__gte=min(w.start for w in windows.values()))
            .filter(date__lte=max(w.end for w in windows.values()))
            .select_related("household", "person")
            .order_by("date", "pk")
        )
        by_person: dict[str, list[AidEntry]] = defaultdict(list)
        for entry in entries:
            by_person[entry.person.code].append(entry)
        result: dict[tuple[str, str], list[RecordLink]] = {}
        for subject, period in wanted:
            window = windows[period]
            links = [
                RecordLink(
                    label=f"{entry.household.head} ¥{entry.amount}",
                    url=reverse("assistance-household", args=[entry.household_id]),
                    date=entry.date,
                    note=entry.get_kind_display() if entry.kind != AidKind.MONEY else "",
                )
                for entry in by_person.get(subject, [])
                if window.start <= entry.date <= window.end
            ]
            if links:
                result[(subject, period)] = links
        return result


# --- the township's monthly analysis (CP-S1) ---------------------------------------------------------


class AnalysisEvaluator:
    def evaluate(
        self, rules: Sequence[Rule], window: Period, *, today: dt.date
    ) -> Iterable[ComplianceRow]:
        held = set(
            Analysis.objects.filter(
                level=AnalysisLevel.TOWNSHIP_MONTH,
                held_on__gte=window.start,
                held_on__lte=window.end,
            ).values_list("unit_id", "period")
        )
        rows: list[ComplianceRow] = []
        for rule in rules:
            units = {
                p.unit.pk: p.unit
                for p in post_holders(rule)
                .select_related("unit")
                .filter(unit__kind__in=TOWNSHIP_KINDS)
            }
            for period in periods_in(window, rule.period):
                for unit in sorted(units.values(), key=lambda u: u.code):
                    actual = 1 if (unit.pk, period.code) in held else 0
                    rows.append(
                        ComplianceRow(
                            rule=rule.rule_id,
                            subject=unit.code,
                            subject_name=unit.name,
                            period=period.code,
                            required=1,
                            actual=actual,
                            status=status_for(1, actual, period, today),
                        )
                    )
        return rows


compliance.register(ContactCoverageEvaluator(), rule_ids=COVERAGE_RULES)
compliance.register(GridStructureEvaluator(), rule_ids=STRUCTURE_RULES)
compliance.register(PairingQuotaEvaluator(), rule_ids=QUOTA_RULES)
compliance.register(AidEvaluator(), rule_ids=AID_RULES)
compliance.register(AnalysisEvaluator(), rule_ids=ANALYSIS_RULES)
