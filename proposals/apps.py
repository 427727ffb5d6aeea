from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Suggestions and proposals")

    def ready(self) -> None:
        # Registrations: evaluators, ledger sheets and the today panel.
        from . import evaluators, ledger_sheets, pages, panels  # noqa: F401
