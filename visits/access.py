"""Which visits and meetings a user may see (built on directory.access).

A visit is visible to whoever may see the place it happened at, and always to the people who
made it; anything else answers 404 through `get_visit_for_user`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from directory.access import get_or_404, scope_for

from .models import Meeting, Visit, VisitPerson


def visits_for_user(user: Any) -> QuerySet[Visit]:
    scope = scope_for(user)
    if scope.everything:
        return Visit.objects.all()
    condition = scope.condition("unit")
    if getattr(user, "person_id", None):
        mine = VisitPerson.objects.filter(person_id=user.person_id).values("visit_id")
        condition |= Q(pk__in=mine)
    elif scope.nothing:
        return Visit.objects.none()
    return Visit.objects.filter(condition)


def get_visit_for_user(user: Any, pk: int) -> Visit:
    return get_or_404(visits_for_user(user).select_related("unit", "recorded_by"), pk=pk)


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user)
