"""The rules pages: every rule of the loaded packs, one rule with its history, and the
administrator's edit of its thresholds. Any signed-in user may read; only administrators
edit (the login itself is enforced by directory.middleware.LoginRequiredMiddleware)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory import navigation
from directory.models import Post, Role

from .forms_rules import RuleEditForm, RuleFilterForm
from .kinds import describe_params, display_value, specs_for
from .models import Rule
from .packs import pack_label, rule_update

navigation.register(_("Rules"), "rule-list", group="supervision", order=70)

POST_LABELS = dict(Post.choices)


def can_edit_rules(user: Any) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def rule_list(request: HttpRequest) -> HttpResponse:
    form = RuleFilterForm(request.GET or None)
    rules = Rule.objects.all()
    if form.is_valid():
        pack, kind = form.cleaned_data["pack"], form.cleaned_data["kind"]
        rules = rules.filter(pack=pack) if pack else rules
        rules = rules.of_kind(kind) if kind else rules
    groups = [
        {"pack": code, "label": pack_label(code), "rules": list(members)}
        for code, members in groupby(rules, key=lambda rule: rule.pack)
    ]
    for group in groups:
        for rule in group["rules"]:
            rule.params_in_words = describe_params(rule.kind, rule.params)
    return render(request, "rules/rule_list.html", {"form": form, "groups": groups})


def rule_detail(request: HttpRequest, rule_id: str) -> HttpResponse:
    rule = get_object_or_404(Rule, rule_id=rule_id)
    context = {
        "rule": rule,
        "pack_label": pack_label(rule.pack),
        "subject_posts": ", ".join(str(POST_LABELS.get(p, p)) for p in rule.subject_post_list),
        "params": _param_rows(rule),
        "history": _history(rule),
        "can_edit": can_edit_rules(request.user),
    }
    return render(request, "rules/rule_detail.html", context)


def rule_edit(request: HttpRequest, rule_id: str) -> HttpResponse:
    if not can_edit_rules(request.user):
        raise PermissionDenied
    rule = get_object_or_404(Rule, rule_id=rule_id)
    form = RuleEditForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        changed = rule_update(
            rule=rule,
            params=form.params,
            active=form.cleaned_data["active"],
            short_title=form.cleaned_data["short_title"],
            reason=form.cleaned_data["change_reason"],
            acting_user=request.user,
        )
        messages.success(
            request, gettext("Rule saved.") if changed else gettext("Nothing changed.")
        )
        return redirect("rule-detail", rule_id=rule.rule_id)
    return render(request, "rules/rule_edit.html", {"rule": rule, "form": form})


def _param_rows(rule: Rule) -> list[dict[str, Any]]:
    """Each parameter the rule has, with the pack's value beside it when an admin changed it."""
    rows = []
    for spec in specs_for(rule.kind):
        value, pack_value = rule.params.get(spec.name), rule.pack_params.get(spec.name)
        if value is None and pack_value is None:
            continue
        rows.append(
            {
                "name": spec.name,
                "label": spec.label,
                "value": "—" if value is None else display_value(spec, value, rule.params),
                "pack_value": "—"
                if pack_value is None
                else display_value(spec, pack_value, rule.pack_params),
                "edited": value != pack_value,
            }
        )
    return rows


@dataclass
class HistoryEntry:
    record: Any
    changes: list[dict[str, Any]]


def _history(rule: Rule) -> list[HistoryEntry]:
    """Newest first; each record with what changed against the one before it (one query)."""
    records = list(rule.history.select_related("history_user").order_by("-history_date", "-pk"))
    entries = []
    for record, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=["updated_at"])
            changes = [_change_row(change) for change in delta.changes]
        entries.append(HistoryEntry(record=record, changes=changes))
    return entries


def _change_row(change: Any) -> dict[str, Any]:
    try:
        label = Rule._meta.get_field(change.field).verbose_name
    except FieldDoesNotExist:
        label = change.field
    return {"field": label, "old": _shown(change.old), "new": _shown(change.new)}


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
