from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = _("Rules")

    def ready(self) -> None:
        # Registrations: the kind evaluators and the today panels.
        from . import evaluators, panels_clocks, today_panels  # noqa: F401
