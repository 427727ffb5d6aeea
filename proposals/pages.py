"""The page a suggestion's or proposal's deadline rows link to, registered with
`rules.visibility` (imported once from ProposalsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rules import visibility

from .access import proposal_condition
from .models import Proposal

visibility.register_page(
    Proposal,
    visibility.ItemPage(
        "proposal-detail",
        reference="ref",
        opens=proposal_condition,
        steps={
            "author_contacted": _("contact with the authors"),
            "proposal_answered": _("answer"),
            "second_answered": _("second answer"),
        },
    ),
)
