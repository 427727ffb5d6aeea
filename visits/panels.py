"""The leader's panel on the today page: how many visit rules are not yet met this year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.models import Role
from directory.today import register_panel
from rules.compliance import MET

from .quotas import quotas_for_person


def quota_panel(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    person = getattr(request.user, "person", None)
    if person is None:
        return None
    quotas = quotas_for_person(person, today.year, today, suggest=False)
    if not quotas.rows:
        return None
    behind = [progress for progress, _left in quotas.rows if progress.status != MET]
    return {"behind": behind[:3], "behind_count": len(behind), "total": len(quotas.rows)}


register_panel(
    "visit-quotas", "visits/_today_quotas.html", quota_panel, roles=(Role.LEADER,), order=40
)
