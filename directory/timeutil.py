""" "Today" for the whole product: the local date, or a date fixed in settings (FROZEN_TODAY)
so that tests and demonstrations do not depend on the day they run."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    frozen = getattr(settings, "FROZEN_TODAY", None)
    if frozen:
        return frozen if isinstance(frozen, dt.date) else dt.date.fromisoformat(str(frozen))
    return timezone.localdate()
