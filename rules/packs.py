"""Rule packs: JSON files under rules/packs/ loaded into Rule rows, and the administrator's edit.

A pack file holds every rule of one jurisdiction's document (RULES.md). Loading is idempotent:
a rule whose pack definition is unchanged is not written at all, so a second load writes no
history. Thresholds an administrator edited in the browser survive a reload (the row's
`params` differ from its `pack_params`) unless the load is told to reset them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from directory.base import join_codes, split_codes
from directory.models import Post

from .kinds import validate_params
from .models import Pack, PeriodKind, Rule, RuleKind

PACKS_DIR = Path(__file__).resolve().parent / "packs"

#: fields a pack defines besides the parameters; they always follow the pack on load
DESCRIPTIVE_FIELDS = (
    "pack",
    "kind",
    "title",
    "title_en",
    "text",
    "subject_posts",
    "period",
    "source",
    "sort_order",
)


#: Kinds whose duty falls on people: a rule of these kinds applies to the holders of the posts
#: it names (or their units), so one naming none would apply to nobody, or to everybody.
#: ROSTER and DEADLINE rules may name none: their duty falls on a unit (the township of a
#: roster, the handling unit of an item).
KINDS_NAMING_POSTS = (
    RuleKind.QUOTA,
    RuleKind.COVERAGE,
    RuleKind.AMOUNT,
    RuleKind.LIMIT,
    RuleKind.SUBMISSION,
)


class PackError(Exception):
    """A pack that cannot be loaded: unknown name, unreadable file or an invalid rule."""


@dataclass
class PackReport:
    pack: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: rules whose administrator-edited parameters were kept (a subset of updated/unchanged)
    kept_edited: list[str] = field(default_factory=list)
    #: rules of this pack in the database that the pack file no longer lists (left alone)
    not_in_pack: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class LoadReport:
    packs: list[PackReport] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        return not any(pack.changed for pack in self.packs)


def available_packs() -> list[str]:
    """The pack names: one per JSON file in rules/packs/."""
    return sorted(path.stem for path in PACKS_DIR.glob("*.json"))


def pack_label(code: str) -> str:
    """The display name of a pack (the model's choice label, else the file's name)."""
    label = dict(Pack.choices).get(code)
    if label:
        return str(label)
    try:
        return read_pack_file(code).get("name") or code
    except PackError:
        return code


def read_pack_file(name: str) -> dict[str, Any]:
    if name not in available_packs():
        raise PackError(
            gettext("Unknown rule pack: %(name)s. Valid packs: %(valid)s.")
            % {"name": name, "valid": ", ".join(available_packs())}
        )
    path = PACKS_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(
            gettext("Cannot read rule pack %(name)s: %(error)s") % {"name": name, "error": exc}
        ) from exc
    if not isinstance(data, dict) or data.get("pack") != name:
        raise PackError(
            gettext("Rule pack file %(name)s.json must name its pack as %(name)s.") % {"name": name}
        )
    return data


def pack_definitions(name: str) -> list[dict[str, Any]]:
    """The validated rule definitions of a pack (field → value, params cleaned)."""
    data = read_pack_file(name)
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PackError(gettext("Rule pack %(name)s lists no rules.") % {"name": name})
    definitions: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(rules, start=1):
        definition, errors = _definition(name, index, raw)
        rule_id = definition.get("rule_id") or f"#{index}"
        if rule_id in seen:
            errors.append(gettext("the rule id is listed twice."))
        seen.add(rule_id)
        problems += [f"{name} {rule_id}: {error}" for error in errors]
        definitions.append(definition)
    if problems:
        raise PackError("\n".join(problems))
    return definitions


def _definition(pack: str, index: int, raw: Any) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(raw, dict):
        return {}, [gettext("a rule must be an object.")]
    errors: list[str] = []
    rule_id = str(raw.get("rule_id") or "").strip()
    if not rule_id or len(rule_id) > Rule._meta.get_field("rule_id").max_length:
        errors.append(gettext("the rule id is missing or too long."))
    kind = raw.get("kind")
    if kind not in RuleKind.values:
        errors.append(gettext("unknown kind %(kind)s.") % {"kind": kind})
    period = raw.get("period", PeriodKind.NONE)
    if period not in PeriodKind.values:
        errors.append(gettext("unknown period %(period)s.") % {"period": period})
    posts = split_codes(raw.get("subject_posts") or [])
    unknown_posts = [post for post in posts if post not in Post.values]
    if unknown_posts:
        errors.append(gettext("unknown post %(posts)s.") % {"posts": ", ".join(unknown_posts)})
    if kind in KINDS_NAMING_POSTS and not posts:
        errors.append(
            gettext("a %(kind)s rule must name the posts it applies to (subject_posts).")
            % {"kind": kind}
        )
    if not str(raw.get("title") or "").strip():
        errors.append(gettext("the title is missing."))
    if (
        len(str(raw.get("short_title") or "").strip())
        > Rule._meta.get_field("short_title").max_length
    ):
        errors.append(gettext("the short name is too long."))
    params, param_errors = validate_params(kind, raw.get("params") or {})
    for messages in param_errors.values():
        errors += messages
    definition = {
        "rule_id": rule_id,
        "pack": pack,
        "kind": kind,
        "title": str(raw.get("title") or "").strip(),
        "title_en": str(raw.get("title_en") or "").strip(),
        "short_title": str(raw.get("short_title") or "").strip(),
        "text": str(raw.get("text") or "").strip(),
        "subject_posts": join_codes(posts),
        "period": period,
        "source": str(raw.get("source") or "").strip(),
        "sort_order": int(raw.get("sort_order") or index * 10),
        "params": params,
    }
    return definition, errors


def load_packs(pack_names: Sequence[str], *, reset: bool = False) -> LoadReport:
    """Create or update the rules of the named packs, all or nothing.

    Every pack is read and validated before anything is written."""
    names = list(dict.fromkeys(pack_names))
    definitions = {name: pack_definitions(name) for name in names}
    _check_ids_unique_across(definitions)
    report = LoadReport()
    with transaction.atomic():
        for name in names:
            report.packs.append(_load_pack(name, definitions[name], reset=reset))
    return report


def _check_ids_unique_across(definitions: dict[str, list[dict[str, Any]]]) -> None:
    owner: dict[str, str] = {}
    for pack, rules in definitions.items():
        for definition in rules:
            other = owner.setdefault(definition["rule_id"], pack)
            if other != pack:
                raise PackError(
                    gettext("Rule %(id)s is listed by both %(a)s and %(b)s.")
                    % {"id": definition["rule_id"], "a": other, "b": pack}
                )


def _load_pack(name: str, definitions: list[dict[str, Any]], *, reset: bool) -> PackReport:
    report = PackReport(pack=name)
    reason = f"load_rules {name}" + (" --reset" if reset else "")
    existing = Rule.objects.select_for_update().in_bulk(
        [d["rule_id"] for d in definitions], field_name="rule_id"
    )
    for definition in definitions:
        rule = existing.get(definition["rule_id"])
        if rule is None:
            _create(definition, reason)
            report.created.append(definition["rule_id"])
            continue
        if rule.pack != name:
            raise PackError(
                gettext("Rule %(id)s already belongs to pack %(other)s.")
                % {"id": rule.rule_id, "other": rule.pack}
            )
        changed, kept = _apply(rule, definition, reset=reset)
        if changed:
            _save(rule, reason)
        (report.updated if changed else report.unchanged).append(rule.rule_id)
        if kept:
            report.kept_edited.append(rule.rule_id)
    listed = {d["rule_id"] for d in definitions}
    report.not_in_pack = list(
        Rule.objects.filter(pack=name).exclude(rule_id__in=listed).values_list("rule_id", flat=True)
    )
    return report


def _create(definition: dict[str, Any], reason: str) -> Rule:
    params = definition["params"]
    fields = {k: v for k, v in definition.items() if k != "params"}
    rule = Rule(
        **fields,
        pack_short_title=definition["short_title"],
        params=params,
        pack_params=dict(params),
        active=True,
    )
    _save(rule, reason)
    return rule


def _apply(rule: Rule, definition: dict[str, Any], *, reset: bool) -> tuple[bool, bool]:
    """Bring `rule` in line with its pack definition, in memory.

    Returns (changed, kept_edited). `active` is never touched: deactivating a rule is an
    administrator's decision that a reload must not undo; nor is a short name the
    administrator reworded (it differs from the one last loaded), unless `reset`."""
    changed = False
    for name in DESCRIPTIVE_FIELDS:
        if getattr(rule, name) != definition[name]:
            setattr(rule, name, definition[name])
            changed = True
    short = definition["short_title"]
    if (reset or rule.short_title == rule.pack_short_title) and rule.short_title != short:
        rule.short_title = short
        changed = True
    if rule.pack_short_title != short:
        rule.pack_short_title = short
        changed = True
    new_params = definition["params"]
    edited = rule.params != rule.pack_params
    kept = edited and not reset and rule.params != new_params
    if not kept and rule.params != new_params:
        rule.params = dict(new_params)
        changed = True
    if rule.pack_params != new_params:
        rule.pack_params = dict(new_params)
        changed = True
    return changed, kept


def _save(rule: Rule, reason: str, user: Any = None) -> None:
    try:
        rule.full_clean()
    except ValidationError as exc:
        # e.g. a pack file whose name the model's Pack choices do not list
        raise PackError(f"{rule.rule_id}: {'; '.join(exc.messages)}") from exc
    rule._change_reason = reason
    if user is not None:
        rule._history_user = user
    rule.save()


def rule_update(
    *,
    rule: Rule,
    params: dict[str, Any],
    active: bool,
    reason: str,
    acting_user: Any,
    short_title: str | None = None,
) -> bool:
    """An administrator's edit of a rule's parameters, active flag and short name (None:
    unchanged).

    `params` must already be cleaned by `validate_params`. Open deadlines of a DEADLINE rule
    are recomputed in the same transaction, so no clock keeps a due date from the old limit.
    Returns True when something changed."""
    with transaction.atomic():
        params_changed = rule.params != params
        short_title = rule.short_title if short_title is None else short_title.strip()
        if not params_changed and rule.active == active and rule.short_title == short_title:
            return False
        rule.params = params
        rule.active = active
        rule.short_title = short_title
        _save(rule, reason, acting_user)
        if params_changed and rule.kind == RuleKind.DEADLINE:
            from .clocks import clocks_recompute_open  # the clocks module imports this app

            clocks_recompute_open(rule=rule)
    return True


def rule_ids(packs: Iterable[str]) -> list[str]:
    """Every rule id the named packs define (read from the files, not the database)."""
    return [d["rule_id"] for name in packs for d in pack_definitions(name)]
