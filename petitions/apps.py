from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        # Registrations: compliance evaluators, ledger sheets, today panels, due-date copies, the
        # access conditions of the items behind clocks.
        from . import (  # noqa: F401
            clock_dues,
            evaluators,
            evaluators_appeals,
            ledger_appeals,
            ledger_sheets,
            panels,
            panels_appeals,
            visibility,
        )
