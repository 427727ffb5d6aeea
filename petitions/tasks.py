"""Queue tasks of the petitions app: thin wrappers that call a service."""

from __future__ import annotations

from typing import Any

from .appeals.bulletin import bulletin_run


def run_daily_bulletin() -> dict[str, Any]:
    return bulletin_run()
