"""The "today" panel of the reports app: from November on, the written reports (TY-Y1,
HF-V5a/b) that the user or the user's unit still owes this year. Imported from ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.today import register_panel
from rules.compliance import MET
from rules.models import Rule
from rules.periods import Period

from .evaluators import RULE_IDS, SubmissionEvaluator

FIRST_MONTH = 11  # the reports are due by 31 December; earlier they would only be noise


def _panel_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    user = request.user
    if today.month < FIRST_MONTH:
        return None
    mine = {
        code
        for code in (
            user.person.code if user.person_id else "",
            user.unit.code if user.unit_id else "",
        )
        if code
    }
    if not mine:
        return None
    rules = list(Rule.objects.active().filter(rule_id__in=RULE_IDS))
    # The user's own rows only: not the county's people and reports (DESIGN "Scale").
    rows = SubmissionEvaluator().evaluate(rules, Period.year(today.year), today=today, only=mine)
    owed = [row for row in rows if row.subject in mine and row.status != MET]
    if not owed:
        return None
    titles = {rule.rule_id: rule.title for rule in rules}
    return {"owed": [(row, titles.get(row.rule, "")) for row in owed], "year": today.year}


register_panel(
    "reports-written-reports-due",
    "reports/_today_reports.html",
    _panel_context,
    roles=("leader", "unit_staff"),
    order=40,
)
