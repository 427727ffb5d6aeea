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
        from .matters import evaluators, ledger  # noqa: F401, F811

        # The roster's hooks into the petition ledger (which does not import the roster).
        from .roster import access, evaluators, ledger, panels, services  # noqa: F401, F811  # noqa: F401
