"""The public ballot (no account): enter the one-time code from the slip, rate, submit.

The code travels in POST bodies only (never in a URL that access logs would keep), nothing is
put in the session, and the vote is counted by `ballot_cast` (see reports.evaluation)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .evaluation import BallotError, ballot_cast, code_lookup
from .forms import BallotForm, CodeEntryForm
from .models import CampaignTarget


def _targets(campaign_id: int) -> list[CampaignTarget]:
    return list(
        CampaignTarget.objects.filter(campaign_id=campaign_id).select_related("unit", "person")
    )


@never_cache
def ballot_start(request: HttpRequest) -> HttpResponse:
    form = CodeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = code_lookup(form.cleaned_data["code"])
        except BallotError as exc:
            form.add_error("code", str(exc))
        else:
            ballot = BallotForm(
                initial={"code": form.cleaned_data["code"]}, targets=_targets(code.campaign_id)
            )
            return render(
                request,
                "reports/public_ballot.html",
                {"form": ballot, "campaign": code.campaign, "group": code.group},
            )
    return render(request, "reports/public_code.html", {"form": form})


@never_cache
def ballot_vote(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("reports-ballot")
    try:
        code = code_lookup(request.POST.get("code", ""))
    except BallotError as exc:
        return render(
            request, "reports/public_code.html", {"form": CodeEntryForm(), "error": str(exc)}
        )
    form = BallotForm(request.POST, targets=_targets(code.campaign_id))
    if not form.is_valid():
        context = {"form": form, "campaign": code.campaign, "group": code.group}
        return render(request, "reports/public_ballot.html", context)
    try:
        campaign = ballot_cast(code=form.cleaned_data["code"], ratings=form.ratings())
    except BallotError as exc:
        return render(
            request, "reports/public_code.html", {"form": CodeEntryForm(), "error": str(exc)}
        )
    return render(request, "reports/public_thanks.html", {"campaign": campaign})
