"""The deadline scan in its steady state (every open clock already reminded: nothing new),
over every open clock of the data (200,000 per county at `--years 5`): ≤ 2 s, with the plan of
its query over open clocks printed; and the year's DEADLINE compliance."""

from __future__ import annotations

from benchmark.runner import Case, Context, explain, register


def _scan(ctx: Context) -> object:
    from rules.reminders import reminders_scan

    result = reminders_scan(ctx.data["county"].day)
    ctx.notes["deadline scan, steady state"] = (
        f"{result.created} reminders created (0 expected: nothing new), {result.skipped} skipped"
    )
    return result


def _open_clocks(ctx: Context) -> int:
    from rules.models import Clock

    return Clock.objects.open().count()


def _plan(ctx: Context) -> list[str]:
    from rules.reminders import scan_queryset

    sql, params = scan_queryset(ctx.data["county"].day).query.sql_with_params()
    return explain(sql, params)


def _compliance(ctx: Context) -> object:
    """The rows of the DEADLINE rules only (the whole table is a case of its own)."""
    from rules.compliance import evaluate
    from rules.models import Rule, RuleKind
    from rules.periods import Period

    day = ctx.data["county"].day
    rules = Rule.objects.active().filter(kind=RuleKind.DEADLINE)
    rows = evaluate(Period.year(day.year), today=day, rules=rules)
    ctx.notes["DEADLINE compliance of the year"] = (
        f"{rules.count()} DEADLINE rules, {len(rows)} rows"
    )
    return rows


register(Case("deadline scan, steady state", run=_scan, budget=2.0, repeat=3,
              rows=_open_clocks, explain=_plan, group="scan"))  # fmt: skip
register(Case("DEADLINE compliance of the year", run=_compliance, budget=5.0, repeat=1,
              group="scan"))  # fmt: skip
