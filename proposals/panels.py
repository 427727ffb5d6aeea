"""The today panel of deputies and members: their items whose answer awaits their feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from directory.models import Post
from directory.today import register_panel

from .models import Proposal, Stage


def feedback_context(request: HttpRequest, today: dt.date) -> dict[str, Any] | None:
    user: Any = request.user
    person = user.person if user.person_id else None
    if person is None or not person.has_post(Post.DEPUTY, Post.MEMBER):
        return None
    items = list(
        Proposal.objects.filter(
            authorships__person=person, stage__in=(Stage.ANSWERED, Stage.SECOND_ANSWERED)
        ).order_by("-submitted", "-pk")[:20]
    )
    return {"items": items, "today": today}


register_panel("proposal-feedback", "proposals/_today_feedback.html", feedback_context, order=30)
