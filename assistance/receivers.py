"""Listeners to other apps' signals (connected in AssistanceConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from visits.signals import visit_saved

from .services import four_musts_sync


def close_four_musts_on_visit(
    sender: Any,
    *,
    person_ids: Iterable[int] = (),
    household_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """A visit committed in the visits app may answer an open four-musts visit."""
    four_musts_sync(person_ids=person_ids, household_ids=household_ids)


def connect() -> None:
    visit_saved.connect(close_four_musts_on_visit, dispatch_uid="assistance-four-musts")
