from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Registrations: the SUBMISSION evaluator, the ledger sheets and the today panel.
        from . import evaluators, ledger_sheets, panels  # noqa: F401
