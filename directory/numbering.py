"""One numbering scheme for the records a county registers (README "Numbering").

    <PREFIX>-<KIND>-<YEAR>-<NUMBER>      e.g. QHX-XF-2026-000141

- PREFIX: the numbering prefix of the city, county or district the record belongs to
  (`OrgUnit.ref_prefix`, set by an administrator on the unit; empty: the unit's code);
- KIND: XF petitions (信访事项), WS appeals (网民诉求), JY suggestions (人大代表建议),
  TA proposals (政协提案);
- YEAR: the year of receipt (of the session, for suggestions and proposals);
- NUMBER: the next number of that prefix, kind and year, zero-padded (6 digits for petitions
  and appeals, 4 for suggestions and proposals), from 1 each year.

Every way in — the web forms, the public appeal form, the ledger import (a row without a
reference) and the demo — takes its number here. The series' last number is a `RefCounter`
row claimed by a conditional UPDATE inside the caller's transaction: two registrations at once
wait for each other and never draw the same number, and a registration that fails gives its
number back. A number already used (a ledger imported with references of the same shape) is
skipped; the records' `ref` columns are unique as well."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import OrgUnit, RefCounter, jurisdiction_of


@dataclass(frozen=True)
class RefKind:
    code: str
    digits: int


PETITION = RefKind("XF", 6)
APPEAL = RefKind("WS", 6)
SUGGESTION = RefKind("JY", 4)
PROPOSAL = RefKind("TA", 4)


def prefix_of(unit: OrgUnit) -> str:
    """The numbering prefix of the jurisdiction `unit` belongs to."""
    jurisdiction = jurisdiction_of(unit)
    return jurisdiction.ref_prefix or jurisdiction.code.upper()


def scope(kind: RefKind, unit: OrgUnit, year: int) -> str:
    return f"{prefix_of(unit)}-{kind.code}-{year}-"


def _claim(series: str) -> int:
    """The next number of `series`, counted in the database (see the module docstring)."""
    if not RefCounter.objects.filter(scope=series).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                RefCounter.objects.create(scope=series, last=1)
            return 1
        except IntegrityError:  # created by another registration meanwhile
            RefCounter.objects.filter(scope=series).update(last=F("last") + 1)
    return RefCounter.objects.values_list("last", flat=True).get(scope=series)


@transaction.atomic
def next_ref(
    kind: RefKind,
    *,
    unit: OrgUnit,
    on: dt.date | int,
    taken: Callable[[str], bool] = lambda ref: False,
) -> str:
    """The next free reference of `kind` for a record of `unit`'s jurisdiction received `on`
    (a date or a year); `taken(ref)` says whether a record already has that reference."""
    year = on if isinstance(on, int) else on.year
    series = scope(kind, unit, year)
    while True:
        ref = f"{series}{_claim(series):0{kind.digits}d}"
        if not taken(ref):
            return ref
