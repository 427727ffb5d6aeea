"""Democratic evaluation campaigns (民主测评), for supervisors: prepare, issue ballot codes,
enter paper tallies, close, and read the ranking — only once the campaign is closed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import JURISDICTION_ROLES, get_or_404, people_for_user, units_for_user
from directory.forms import apply_errors
from directory.models import Role, jurisdiction_path

from .evaluation import (
    campaign_close,
    campaign_open,
    campaign_save,
    campaign_set_targets,
    code_counts,
    codes_issue,
    group_save,
    paper_tally_set,
)
from .exports import scores_to_xlsx
from .forms import CampaignForm, CodesForm, GroupForm, PaperTallyForm, TargetsForm
from .models import Campaign, CampaignState, CampaignTarget, EvaluatorGroup, GroupKind, PaperTally
from .scores import campaign_scores

EVALUATION_ROLES = (Role.SUPERVISOR, Role.ADMIN)
navigation.register(
    gettext_lazy("Democratic evaluation"),
    "reports-campaigns",
    group="supervision",
    roles=EVALUATION_ROLES,
    order=62,
)


def _require_role(user: Any) -> None:
    if not (user.is_superuser or user.has_role(*EVALUATION_ROLES)):
        raise PermissionDenied


def get_campaign_for_user(user: Any, pk: int) -> Campaign:
    _require_role(user)
    return get_or_404(Campaign.objects.visible_to(user).select_related("unit"), pk=pk)


def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_role(request.user)
    campaigns = Campaign.objects.visible_to(request.user)
    return render(request, "reports/campaign_list.html", {"campaigns": campaigns})


def campaign_new(request: HttpRequest) -> HttpResponse:
    _require_role(request.user)
    user = request.user
    form = CampaignForm(request.POST or None, initial={"year": _this_year()})
    if request.method == "POST" and form.is_valid() and user.unit_id:
        campaign = form.save(commit=False)
        campaign.unit = (
            units_for_user(user).get(path=jurisdiction_path(user.unit))
            if user.has_role(*JURISDICTION_ROLES)
            else user.unit
        )
        try:
            campaign = campaign_save(campaign=campaign, reason="campaign created")
        except ValidationError as exc:  # a year that cannot be true
            apply_errors(form, exc)
        else:
            return redirect("reports-campaign", pk=campaign.pk)
    return render(request, "reports/campaign_form.html", {"form": form})


def _this_year() -> int:
    from .forms import current_year

    return current_year()


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    targets = list(
        CampaignTarget.objects.filter(campaign=campaign).select_related("unit", "person")
    )
    groups = list(EvaluatorGroup.objects.filter(campaign=campaign))
    turnout = code_counts(campaign)
    for group in groups:
        group.issued = turnout.get(group.pk, {}).get("issued", 0)
        group.used = turnout.get(group.pk, {}).get("used", 0)
    context: dict[str, Any] = {
        "campaign": campaign,
        "targets": targets,
        "groups": groups,
        "draft": campaign.state == CampaignState.DRAFT,
        "scores": campaign_scores(campaign) if campaign.is_closed else None,
    }
    if campaign.state == CampaignState.DRAFT:
        context["targets_form"] = TargetsForm(
            units=units_for_user(request.user), people=people_for_user(request.user)
        )
        context["group_form"] = GroupForm()
    if campaign.state != CampaignState.CLOSED:
        context["codes_form"] = CodesForm(campaign=campaign)
    return render(request, "reports/campaign_detail.html", context)


def _post_only(request: HttpRequest) -> None:
    if request.method != "POST":
        raise PermissionDenied


def campaign_targets(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    _post_only(request)
    form = TargetsForm(
        request.POST, units=units_for_user(request.user), people=people_for_user(request.user)
    )
    if form.is_valid():
        _act(
            request,
            lambda: campaign_set_targets(
                campaign=campaign,
                units=form.cleaned_data["units"],
                people=form.cleaned_data["people"],
            ),
            _("Evaluated units and people saved."),
        )
    return redirect("reports-campaign", pk=pk)


def campaign_group(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    _post_only(request)
    form = GroupForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        group = EvaluatorGroup(
            campaign=campaign,
            code=data["kind"],
            name=data["name"] or str(GroupKind(data["kind"]).label),
            weight=data["weight"],
        )
        _act(request, lambda: group_save(group=group), _("Evaluator group added."))
    else:
        messages.error(
            request, _("Check the group: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("reports-campaign", pk=pk)


def campaign_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    _post_only(request)
    if action == "open":
        _act(
            request,
            lambda: campaign_open(campaign=campaign),
            _("The campaign is open for ballots."),
        )
    elif action == "close":
        _act(
            request,
            lambda: campaign_close(campaign=campaign),
            _("The campaign is closed; the results are shown."),
        )
    return redirect("reports-campaign", pk=pk)


def _act(request: HttpRequest, action: Any, success: str) -> bool:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def campaign_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Issues codes and shows them once, as slips to print (only digests are kept)."""
    campaign = get_campaign_for_user(request.user, pk)
    _post_only(request)
    form = CodesForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("Choose a group and a number of codes."))
        return redirect("reports-campaign", pk=pk)
    group = form.cleaned_data["group"]
    try:
        codes = codes_issue(group=group, count=form.cleaned_data["count"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports-campaign", pk=pk)
    ballot_url = request.build_absolute_uri("/public/reports/ballot/")
    context = {"campaign": campaign, "group": group, "codes": codes, "ballot_url": ballot_url}
    return render(request, "reports/campaign_slips.html", context)


def campaign_tally(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    group = get_or_404(EvaluatorGroup.objects.filter(campaign=campaign), pk=group_pk)
    targets = list(
        CampaignTarget.objects.filter(campaign=campaign).select_related("unit", "person")
    )
    initial = {(t.target_id, t.rating): t.count for t in PaperTally.objects.filter(group=group)}
    form = PaperTallyForm(request.POST or None, targets=targets, initial_counts=initial)
    if request.method == "POST" and form.is_valid():
        done = _act(
            request,
            lambda: paper_tally_set(group=group, counts=form.counts(), acting_user=request.user),
            _("Paper ballots saved."),
        )
        if done:
            return redirect("reports-campaign", pk=pk)
    context = {"campaign": campaign, "group": group, "form": form}
    return render(request, "reports/campaign_tally.html", context)


def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    if not campaign.is_closed:
        raise PermissionDenied
    response = HttpResponse(
        scores_to_xlsx(campaign_scores(campaign)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{campaign.code}.xlsx"'
    return response
