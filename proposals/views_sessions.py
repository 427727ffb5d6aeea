"""Sessions (会议) and each deputy / member's count of items in a session (TY-P4)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from directory.access import get_or_404
from directory.forms import apply_errors
from directory.models import Role

from .access import is_office_for, may_register, office_bodies, sees_everything
from .forms import SessionForm
from .models import Body, Session
from .selectors import counts_for_session, quota_rule
from .services import session_save


def _bodies_for(user: Any) -> list[str]:
    if user.is_superuser or user.has_role(Role.ADMIN):
        return list(Body.values)
    return sorted(office_bodies(user))


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = Session.objects.order_by("-opens", "code")[:200]
    context = {"sessions": sessions, "may_edit": may_register(request.user)}
    return render(request, "proposals/session_list.html", context)


def session_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bodies = _bodies_for(request.user)
    if not bodies:
        raise PermissionDenied
    session = get_or_404(Session.objects.filter(body__in=bodies), pk=pk) if pk else None
    form = SessionForm(request.POST or None, instance=session)
    form.fields["body"].choices = [c for c in Body.choices if c[0] in bodies]
    if request.method == "POST" and form.is_valid():
        try:
            saved = session_save(session=form.instance, reason="edited in the browser")
        except ValidationError as exc:  # a date that cannot be true
            apply_errors(form, exc)
        else:
            messages.success(request, _("Session %(name)s saved.") % {"name": saved.name})
            return redirect("proposal-session-list")
    return render(request, "proposals/session_form.html", {"form": form, "session": session})


@require_GET
def session_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """TY-P4: everyone who owes items in the session, those under the minimum first."""
    session = get_or_404(Session.objects.all(), pk=pk)
    if not (sees_everything(request.user) or is_office_for(request.user, session.body)):
        raise Http404
    rule = quota_rule()
    minimum = int(rule.param("count", 0)) if rule else 0
    rows = counts_for_session(session, minimum)
    context = {
        "session": session,
        "rule": rule,
        "minimum": minimum,
        "rows": rows,
        "short": [row for row in rows if row.short],
    }
    return render(request, "proposals/session_counts.html", context)
