from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        # Registrations: compliance evaluators, ledger sheets, today panels, due-date copies, the
        # access conditions of the items behind clocks.
        from . import clock_dues, visibility  # noqa: F401
        from .appeals import evaluators, ledger, panels  # noqa: F401
        from .matters import ledger  # noqa: F401, F811
        from .roster import evaluators, panels  # noqa: F401, F811
