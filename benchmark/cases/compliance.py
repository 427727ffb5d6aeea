"""The year's compliance table (`manage.py compliance --year Y`): the whole table ≤ 5 s at county
scale, and one rule kind (the visit QUOTA rules) beside the set-based SQL that computes the
same numbers (goal: at most 2× slower, `min_ratio=0.5`); a township's table (the one-unit
report) beside the county's, so that a township's report is seen to cost the township."""

from __future__ import annotations

from typing import Any

from benchmark.runner import Case, Context, register

WHOLE = "compliance table of the year (every rule)"
QUOTA = "compliance of the visit QUOTA rules ÷ set-based SQL"
TOWNSHIP = "compliance table of one township ÷ the county's"


def _window(ctx: Context) -> tuple[Any, Any]:
    from rules.periods import Period

    day = ctx.data["county"].day
    return Period.year(day.year), day


def _whole(ctx: Context) -> int:
    from rules.compliance import evaluate

    window, day = _window(ctx)
    rows = evaluate(window, today=day)
    ctx.data["compliance rows"] = len(rows)
    return len(rows)


def _quota_rules() -> Any:
    from rules.models import Rule, RuleKind
    from visits.evaluators import RULE_IDS

    return Rule.objects.active().filter(rule_id__in=RULE_IDS[RuleKind.QUOTA])


def _quota(ctx: Context) -> int:
    from rules.compliance import evaluate

    window, day = _window(ctx)
    return len(evaluate(window, today=day, rules=_quota_rules()))


def _quota_sql(ctx: Context) -> int:
    """The numbers of the visit QUOTA rules in two set-based statements: distinct households
    met in person per person, and visits per person, kind, month and place over the year."""
    from django.db import connection

    from visits.models import IN_PERSON_KINDS

    window, _day = _window(ctx)
    kinds = list(IN_PERSON_KINDS)
    found = 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT vp.person_id, count(DISTINCT vh.household_id)
            FROM visits_visit v
            JOIN visits_visitperson vp ON vp.visit_id = v.id
            JOIN visits_visithousehold vh ON vh.visit_id = v.id
            WHERE v.deleted_at IS NULL AND v.date BETWEEN %s AND %s AND v.kind = ANY(%s)
            GROUP BY vp.person_id
            """,
            [window.start, window.end, kinds],
        )
        found += len(cursor.fetchall())
        cursor.execute(
            """
            SELECT vp.person_id, u.path, v.kind, extract(month FROM v.date), count(*),
                   count(*) FILTER (WHERE v.days >= 0.5)
            FROM visits_visit v
            JOIN visits_visitperson vp ON vp.visit_id = v.id
            JOIN directory_orgunit u ON u.id = v.unit_id
            WHERE v.deleted_at IS NULL AND v.date BETWEEN %s AND %s
            GROUP BY 1, 2, 3, 4
            """,
            [window.start, window.end],
        )
        found += len(cursor.fetchall())
    return found


def _township(ctx: Context) -> int:
    from directory.access import Scope
    from directory.models import OrgUnit
    from reports.selectors import compliance_table

    window, day = _window(ctx)
    township = OrgUnit.objects.get(pk=ctx.data["county"].townships[0])
    table = compliance_table(
        scope=Scope(everything=True), window=window, today=day, within=township
    )
    return len(table.rows)


def _county_table(ctx: Context) -> int:
    from directory.access import Scope
    from reports.selectors import compliance_table

    window, day = _window(ctx)
    return len(compliance_table(scope=Scope(everything=True), window=window, today=day).rows)


register(Case(WHOLE, run=_whole, budget=5.0, repeat=1, group="compliance",
              rows=lambda ctx: ctx.data.get("compliance rows", 0)))  # fmt: skip
register(Case(QUOTA, run=_quota, baseline=_quota_sql, min_ratio=0.5, repeat=3,
              group="compliance"))  # fmt: skip
register(Case(TOWNSHIP, run=_township, baseline=_county_table, repeat=1, group="compliance"))  # fmt: skip
