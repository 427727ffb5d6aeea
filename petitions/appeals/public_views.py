"""The public appeal pages (no login, under /public/): write an appeal, keep the receipt, look
it up with code and key, read the reply and answer whether it satisfied.

Abuse is held off here: the attempts and the appeals from one address are counted in the
database that every web process shares (throttle.py) — the appeals in the transaction that
stores them, so a limit is exact —, the form carries a honeypot and a signed, single-use time
stamp, and the form's checks refuse markup, oversize text and files. The receipt key is shown
once (kept in the session between the post and the receipt page, never put in a URL); the
status page is opened by a look-up stored in the session for a short while."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from directory.timeutil import today
from rules.models import Clock
from rules.workdays import UnknownCalendarYear

from .. import throttle
from ..matters.forms import apply_errors
from .forms import LookupForm, PublicAppealForm, PublicFeedbackForm, form_token
from .models import Appeal, AppealStatus
from .services import appeal_feedback, appeal_submit_public, latest_reply, lookup

RECEIPT_SESSION = "appeal_receipt"
LOOKUP_SESSION = "appeal_lookup"
TOO_MANY = 429


def _lookup_seconds() -> int:
    return int(getattr(settings, "APPEAL_LOOKUP_SESSION_SECONDS", 1800))


def _form_page(request: HttpRequest, form: PublicAppealForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "token": form_token()}
    return render(request, "petitions/appeals/public_new.html", context, status=status)


def _refuse(form: PublicAppealForm, message: str) -> None:
    form.add_error(None, ValidationError(message, code="rate_limited"))


def _too_many(form: PublicAppealForm, limit: throttle.Limit) -> None:
    _refuse(
        form,
        _(
            "Too many appeals have been sent from your network. Please try again in %(minutes)s minutes, or call the 12345 hotline."
        )
        % {"minutes": throttle.minutes(limit)},
    )


class _Refused(Exception):  # noqa: N818  (rolls the submission back; not an error)
    def __init__(self, limit: throttle.Limit) -> None:
        self.limit = limit


def public_appeal_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, PublicAppealForm())
    address = throttle.client_address(request)
    attempts, submissions = throttle.attempts_limit(), throttle.submissions_limit()
    form = PublicAppealForm(request.POST, request.FILES)
    if not throttle.take(attempts, address) or throttle.exceeded(submissions, address):
        _too_many(form, submissions if throttle.exceeded(submissions, address) else attempts)
        return _form_page(request, form, status=TOO_MANY)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        with transaction.atomic():
            # Counted with the appeal: a refused or failed save uses up nothing, and requests
            # racing for the last allowed appeal cannot both store one.
            if not throttle.take(submissions, address):
                raise _Refused(submissions)
            if not throttle.take(throttle.token_limit(), throttle.digest(form.token())):
                raise ValidationError(
                    _(
                        "This form has already been sent. Please open the form again to write another appeal."
                    ),
                    code="replayed",
                )
            appeal, key = appeal_submit_public(**form.public_data())
    except _Refused as refused:
        _too_many(form, refused.limit)
        return _form_page(request, form, status=TOO_MANY)
    except (ValidationError, UnknownCalendarYear) as exc:
        apply_errors(form, exc)
        return _form_page(request, form, status=400)
    request.session[RECEIPT_SESSION] = {"ref": appeal.ref, "key": key}
    return redirect("public-appeal-receipt")


def public_appeal_receipt(request: HttpRequest) -> HttpResponse:
    receipt = request.session.pop(RECEIPT_SESSION, None)
    if not receipt:
        return redirect("public-appeal-lookup")
    return render(request, "petitions/appeals/public_receipt.html", {"receipt": receipt})


def public_appeal_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        address, limit = throttle.client_address(request), throttle.lookups_limit()
        if throttle.exceeded(limit, address):
            form.add_error(
                None,
                _(
                    "Too many failed look-ups from your network. Please try again in %(minutes)s minutes."
                )
                % {"minutes": throttle.minutes(limit)},
            )
            status = TOO_MANY
        elif form.is_valid():
            appeal = lookup(form.cleaned_data["ref"], form.cleaned_data["key"])
            if appeal is not None:
                request.session[LOOKUP_SESSION] = {"pk": appeal.pk, "at": time.time()}
                return redirect("public-appeal-status")
            throttle.hit(limit, address)
            form.add_error(
                None, _("No appeal matches this receipt code and key. Check both and try again.")
            )
            status = 404
    return render(request, "petitions/appeals/public_lookup.html", {"form": form}, status=status)


def _looked_up(request: HttpRequest) -> Appeal | None:
    entry = request.session.get(LOOKUP_SESSION) or {}
    if not entry or time.time() - float(entry.get("at", 0)) > _lookup_seconds():
        request.session.pop(LOOKUP_SESSION, None)
        return None
    return (
        Appeal.objects.select_related("category", "township", "unit").filter(pk=entry["pk"]).first()
    )


def _status_context(appeal: Appeal, form: Any = None) -> dict[str, Any]:
    reply = latest_reply(appeal)
    awaiting = appeal.status == AppealStatus.REPLIED and reply is not None and not reply.feedback
    return {
        "appeal": appeal,
        "due_provisional": appeal.is_open
        and Clock.objects.for_item(appeal)
        .running()
        .filter(due=appeal.due, provisional=True)
        .exists(),
        "replies": appeal.replies.select_related("unit").order_by("round"),
        "feedback_form": (form or PublicFeedbackForm()) if awaiting else None,
    }


def public_appeal_status(request: HttpRequest) -> HttpResponse:
    appeal = _looked_up(request)
    if appeal is None:
        return redirect("public-appeal-lookup")
    return render(request, "petitions/appeals/public_status.html", _status_context(appeal))


def public_appeal_feedback(request: HttpRequest) -> HttpResponse:
    appeal = _looked_up(request)
    if appeal is None or request.method != "POST":
        return redirect("public-appeal-lookup")
    form = PublicFeedbackForm(request.POST)
    if form.is_valid():
        try:
            appeal_feedback(appeal=appeal, on=today(), **form.cleaned_data)
        except (ValidationError, UnknownCalendarYear) as exc:
            apply_errors(form, exc)
        else:
            return redirect("public-appeal-status")
    context = _status_context(appeal, form)
    return render(request, "petitions/appeals/public_status.html", context, status=400)
