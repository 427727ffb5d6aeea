"""Pages that must answer at once: the supervisor's deadline board (≤ 100 ms) and a county
leader's today page (≤ 50 ms, from November on too: the data ends on the day it was built)."""

from __future__ import annotations

from benchmark.runner import Case, Context, register


def _board(ctx: Context) -> int:
    return ctx.get("/notifications/deadlines/", ctx.data["county"].users["supervisor"])


def _today(ctx: Context) -> int:
    return ctx.get("/", ctx.data["county"].users["leader"])


def _people(ctx: Context) -> int:
    return ctx.get("/people/", ctx.data["county"].users["admin"])


def _open_clocks(ctx: Context) -> int:
    from rules.models import Clock

    return Clock.objects.open().count()


register(Case("supervisor's deadline board", run=_board, budget=0.1, repeat=5,
              rows=_open_clocks, group="pages"))  # fmt: skip
register(Case("county leader's today page", run=_today, budget=0.05, repeat=5, group="pages"))
register(Case("people list, whole county", run=_people, budget=0.3, group="pages"))
