"""Queue tasks: thin wrappers that call a service."""

from __future__ import annotations

from directory.timeutil import today

from .services import festival_events_open


def open_festival_visits() -> int:
    """Scheduled (see AssistanceConfig.ready): idempotent, so running it often is harmless."""
    return festival_events_open(today=today())
