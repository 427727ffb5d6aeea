"""The `visits` sheet of the ledger import (DESIGN.md): date, person, unit, households, kind,
days, entourage, cars — plus optional enterprise and heard (the diary entry).

`person` and `households` take `;`-lists (a visit by several leaders is one row), by code or
by name: people by name near the place (a leader of a unit above it, or a cadre of its
township), households by the head's name within the place (or the head's ID number). A visit
has no code: a row whose date, kind, place, people and households match a live visit updates
it, so importing the same ledger twice changes nothing.

A ledger of a year's visits is large (150,000 rows a county): rows are validated one by one
and written in batches (`visits_record_many`), the people and households of a batch looked up
in one query each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.ledger import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Choice,
    CodeList,
    Column,
    ImportContext,
    Outcome,
    ParsedRow,
    RowError,
    Sheet,
    date,
    decimal,
    integer,
    register_sheet,
    snapshot,
)
from directory.models import Household, OrgUnit, Person

from .models import Visit, VisitHousehold, VisitKind, VisitPerson
from .services import VisitRecord, visit_save, visits_record_many

VISIT_KIND = Choice(
    VisitKind,
    {
        "四下基层": "grassroots",
        "下基层": "grassroots",
        "走访": "household",
        "入户走访": "household",
        "入户": "household",
        "走访农户": "household",
        "住村": "village_stay",
        "驻村": "village_stay",
        "住村（社区）": "village_stay",
        "调研": "research",
        "调查研究": "research",
        "走访企业": "enterprise",
        "企业走访": "enterprise",
        "联系点": "contact_point",
        "联系点走访": "contact_point",
        "政策互动": "policy_talk",
        "直接互动": "policy_talk",
        "谈心": "expert_talk",
        "谈心谈话": "expert_talk",
        "电话": "call",
        "电话联系": "call",
        "电话回访": "call",
    },
)

FIELDS = ("days", "entourage", "cars", "enterprise", "heard")

Signature = tuple[Any, str, int, frozenset[int], frozenset[int]]


def _signature(visit_date: Any, kind: str, unit_id: int, people: Any, households: Any) -> Signature:
    return (
        visit_date,
        kind,
        unit_id,
        frozenset(p.pk for p in people),
        frozenset(h.pk for h in households),
    )


def _resolve(
    row: dict[str, Any], ctx: ImportContext
) -> tuple[OrgUnit, list[Person], list[Household]]:
    unit = ctx.unit(row["unit"], "unit")
    ctx.check_scope(unit, "unit")
    people = [ctx.person(value, "person", near=unit) for value in row["person"]]
    if not people:
        raise RowError("person", gettext("Name at least one person who made the visit."))
    households = [
        ctx.household(value, "households", place=unit) for value in row.get("households") or []
    ]
    return unit, people, households


def _new_visit(row: dict[str, Any], unit: OrgUnit) -> Visit:
    visit = Visit(date=row["date"], kind=row["kind"], unit=unit)
    if row.get("days") is None and row["kind"] != VisitKind.CALL:
        visit.days = Decimal(1) if row["kind"] == VisitKind.VILLAGE_STAY else Decimal("0.5")
    _apply(visit, row)
    return visit


def _apply(visit: Visit, row: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in row and row[key] not in (None, ""):
            setattr(visit, key, row[key])


def _at_places(pairs: list[tuple[Any, int]]) -> RawSQL:
    """`(date, unit_id) IN (VALUES …)`: the visits at these (date, place) pairs, found through
    the (unit, date) index in one probe per pair, whatever the spread of the batch's dates."""
    table = connection.ops.quote_name(Visit._meta.db_table)
    cast = "(CAST(%s AS date), %s)" if connection.vendor == "postgresql" else "(%s, %s)"
    values = ", ".join([cast] * len(pairs))
    sql = f"({table}.{connection.ops.quote_name('date')}, {table}.unit_id) IN (VALUES {values})"
    params = [value for day, unit_id in pairs for value in (day.isoformat(), unit_id)]
    # Only quoted names and placeholders are in the SQL; every value is a parameter.
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def _existing(signatures: list[Signature], before: int | None = None) -> dict[Signature, Visit]:
    """Live visits with the same date, kind, place, people and households: the visits at the
    batch's (date, place) pairs first (one query), then the people and households of those
    that could match (two queries). `before`: only visits up to this id (those recorded before
    the import began; the import remembers its own) — 0 when there were none, and no query."""
    if not signatures or before == 0:
        return {}
    wanted = {(s[0], s[1], s[2]) for s in signatures}
    pairs = sorted({(s[0], s[2]) for s in signatures})
    candidates = {
        pk: (day, kind, unit_id)
        for pk, day, kind, unit_id in Visit.objects.filter(_at_places(pairs))
        .filter(pk__lte=before if before is not None else models.F("pk"))
        .order_by("pk")
        .values_list("pk", "date", "kind", "unit_id")
        if (day, kind, unit_id) in wanted
    }
    if not candidates:
        return {}
    people: dict[int, set[int]] = {pk: set() for pk in candidates}
    for visit_id, person_id in VisitPerson.objects.filter(
        visit_id__in=list(candidates)
    ).values_list("visit_id", "person_id"):
        people[visit_id].add(person_id)
    households: dict[int, set[int]] = {pk: set() for pk in candidates}
    for visit_id, household_id in VisitHousehold.objects.filter(
        visit_id__in=list(candidates)
    ).values_list("visit_id", "household_id"):
        households[visit_id].add(household_id)
    keys = set(signatures)
    matched: dict[Signature, int] = {}
    for pk, (day, kind, unit_id) in candidates.items():
        key = (day, kind, unit_id, frozenset(people[pk]), frozenset(households[pk]))
        if key in keys:
            matched.setdefault(key, pk)
    visits = Visit.objects.in_bulk(list(matched.values()))
    return {key: visits[pk] for key, pk in matched.items()}


def _update(
    visit: Visit,
    row: dict[str, Any],
    people: list[Person],
    households: list[Household],
    ctx: ImportContext,
) -> Outcome:
    before = snapshot(visit)
    _apply(visit, row)
    if snapshot(visit) == before:
        return UNCHANGED
    if ctx.acting_user is not None:
        visit._history_user = ctx.acting_user  # type: ignore[attr-defined]
    visit_save(
        visit=visit,
        people=people,
        households=households,
        acting_user=ctx.acting_user,
        reason=ctx.reason,
    )
    return UPDATED


def import_visit(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    unit, people, households = _resolve(row, ctx)
    signature = _signature(row["date"], row["kind"], unit.pk, people, households)
    visit = _existing([signature]).get(signature)
    if visit is not None:
        return _update(visit, row, people, households, ctx)
    visit = _new_visit(row, unit)
    if ctx.acting_user is not None:
        visit._history_user = ctx.acting_user  # type: ignore[attr-defined]
    visit_save(
        visit=visit,
        people=people,
        households=households,
        acting_user=ctx.acting_user,
        reason=ctx.reason,
    )
    return CREATED


def _row_error(exc: ValidationError) -> RowError:
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        column = {"people": "person", "households": "households"}.get(field, field)
        if column not in {c.key for c in VISITS.columns}:
            column = "unit"
        return RowError(column, " ".join(messages))
    return RowError("unit", " ".join(exc.messages))


def import_visits(rows: list[ParsedRow], ctx: ImportContext) -> list[Outcome | RowError]:
    """A batch of visit rows: resolved one by one, the new visits written together."""
    ctx.prefetch_people(v for row in rows for v in row.values["person"])
    ctx.prefetch_households(v for row in rows for v in row.values.get("households") or [])
    outcomes: list[Outcome | RowError | None] = []
    resolved: list[tuple[int, dict[str, Any], OrgUnit, list[Person], list[Household]]] = []
    for index, row in enumerate(rows):
        try:
            unit, people, households = _resolve(row.values, ctx)
        except RowError as exc:
            outcomes.append(exc)
            continue
        outcomes.append(None)
        resolved.append((index, row.values, unit, people, households))
    signatures = [_signature(v["date"], v["kind"], u.pk, p, h) for _i, v, u, p, h in resolved]
    # Visits recorded before this import are looked up; those it made are remembered (a hash
    # and the row per visit, not the visit).
    before = ctx.remember_value(
        "visits before",
        lambda: Visit.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )
    existing = _existing(signatures, before)
    new: list[tuple[int, VisitRecord]] = []
    pending: dict[int, tuple[str, int]] = ctx.remember_value("visits made", dict)
    for (index, values, unit, people, households), signature in zip(
        resolved, signatures, strict=True
    ):
        if signature in existing:
            try:
                outcomes[index] = _update(existing[signature], values, people, households, ctx)
            except ValidationError as exc:
                outcomes[index] = _row_error(exc)
            continue
        digest = hash(signature)
        if digest in pending:
            table, first = pending[digest]
            message = (
                gettext("Duplicate of row %(row)d.") % {"row": first}
                if table == rows[index].table
                else gettext("Duplicate of row %(row)d of %(sheet)s.")
                % {"row": first, "sheet": table}
            )
            outcomes[index] = RowError("person", message)
            continue
        pending[digest] = (rows[index].table, rows[index].number)
        new.append((index, VisitRecord(_new_visit(values, unit), people, households)))
    villages = ctx.remember_value("visit villages", dict)
    for _index, record in new:
        for household in record.households:
            villages.setdefault(household.village_id, ctx.unit_by_id(household.village_id))
    errors = visits_record_many(
        records=[record for _i, record in new],
        acting_user=ctx.acting_user,
        reason=ctx.reason,
        villages=villages,
    )
    for (index, _record), error in zip(new, errors, strict=True):
        outcomes[index] = _row_error(error) if error is not None else CREATED
    return [outcome or CREATED for outcome in outcomes]


def _writers(user: Any) -> bool:
    """As the visit form (visits.views.require_writer)."""
    from .views import WRITER_ROLES

    return bool(user.has_role(*WRITER_ROLES))


def _visit_identity(row: dict[str, Any]) -> str:
    return "|".join(
        str(row.get(key, "")) for key in ("date", "person", "unit", "kind", "households")
    )


VISITS = register_sheet(
    Sheet(
        name="visits",
        title_zh="走访",
        label=_("Visits"),
        order=110,
        columns=(
            Column(
                "date",
                "日期",
                _("date"),
                required=True,
                parse=date,
                aliases=("走访日期", "走访时间", "时间", "日期（年月日）"),
            ),
            Column(
                "person",
                "人员编码",
                _("person"),
                required=True,
                parse=CodeList(),
                aliases=("走访人", "走访人员", "走访干部", "走访领导", "姓名", "干部姓名", "人员"),
                refers="person",
            ),
            Column(
                "unit",
                "地点（单位编码）",
                _("where"),
                required=True,
                aliases=(
                    "走访地点",
                    "地点",
                    "走访村（社区）",
                    "村（社区）",
                    "所在村",
                    "走访单位",
                    "单位",
                ),
                refers="unit",
            ),
            Column(
                "households",
                "走访农户编码",
                _("households visited"),
                parse=CodeList(),
                aliases=("走访农户", "走访对象", "农户", "户主", "户主姓名", "走访户"),
                refers="household",
            ),
            Column(
                "kind",
                "类型",
                _("kind"),
                required=True,
                parse=VISIT_KIND,
                aliases=("走访类型", "走访方式", "方式", "形式"),
            ),
            Column("days", "天数", _("days"), parse=decimal, aliases=("时长（天）", "用时（天）")),
            Column(
                "entourage",
                "随行人数",
                _("people travelling along"),
                parse=integer,
                aliases=("随行人员数",),
            ),
            Column("cars", "车辆数", _("cars"), parse=integer, aliases=("用车数", "车辆")),
            Column("enterprise", "企业名称", _("enterprise"), aliases=("走访企业",)),
            Column(
                "heard",
                "民情日记",
                _("what was heard (民情日记)"),
                aliases=(
                    "走访内容",
                    "主要内容",
                    "反映问题",
                    "群众反映问题",
                    "走访情况",
                    "情况记录",
                    "备注",
                ),
            ),
        ),
        identify=_visit_identity,
        import_row=import_visit,
        import_batch=import_visits,
        may_import=_writers,
        aliases=("走访记录", "入户走访", "四下基层", "下基层", "走访情况"),
        examples=(
            {
                "date": "2025-03-05",
                "person": "EX-P1",
                "unit": "EX-V1",
                "households": "EX-H1",
                "kind": "入户走访",
                "days": "0.5",
                "entourage": "",
                "cars": "",
                "enterprise": "",
                "heard": "反映村道破损，希望年内修缮。",
            },
            {
                "date": "2025-04-10",
                "person": "EX-P1",
                "unit": "EX-V1",
                "households": "",
                "kind": "住村",
                "days": "2",
                "entourage": "2",
                "cars": "1",
                "enterprise": "",
                "heard": "",
            },
        ),
        field_columns={"people": "person"},
    )
)
