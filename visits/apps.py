from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        # Registrations: compliance evaluators, ledger sheets, today panels.
        from . import evaluators, ledger_sheets, panels  # noqa: F401
