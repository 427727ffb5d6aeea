"""Template tags for deadlines: `{% computation clock.computation %}` explains a due date and
`{% provisional_badge clock %}` marks a provisional one (the reason on hover); `{% rule_name rule %}`
names a rule by its short name, the code on hover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from rules.workdays import describe_computation, provisional_reason

register = template.Library()


@register.inclusion_tag("rules/_computation.html")
def computation(value: dict[str, Any] | None) -> dict[str, Any]:
    """The computation of a due date as a list of sentences (see describe_computation)."""
    return {"lines": describe_computation(value or {})}


@register.simple_tag
def provisional_badge(value: Any, provisional: bool | None = None) -> str:
    """A "provisional" badge beside a due date counted from the statutory holidays only.

    `value` is a clock (its own flag and computation), or a due date copied from a clock
    together with its flag (a matter's next due date, annotated `due_provisional`). Built
    in Python, not by a template render per row: list pages put one in every row."""
    if isinstance(value, dt.date) or value is None:
        reason = (
            provisional_reason({"provisional": {"years": [value.year]}})
            if provisional and value is not None
            else ""
        )
    else:
        reason = getattr(value, "provisional_reason", "")
    if not reason:
        return ""
    word = _("provisional")
    return format_html(
        ' <span class="badge provisional" title="{}" aria-label="{}: {}" tabindex="0">{}</span>',
        reason,
        word,
        reason,
        word,
    )


@register.simple_tag
def rule_name(rule: Any, link: bool = False) -> str:
    """A rule by its short Chinese name (受理告知时限), the code and title on hover; `link`
    makes it a link to the rule's page. Built in Python: deadline tables put one in every
    row."""
    if not rule:
        return "—"
    title = f"{rule.rule_id} {rule.title}"
    if link:
        return format_html(
            '<a href="{}" class="rule-name" title="{}">{}</a>',
            reverse("rule-detail", args=[rule.rule_id]),
            title,
            rule.short_name,
        )
    return format_html('<abbr class="rule-name" title="{}">{}</abbr>', title, rule.short_name)


@register.filter
def step_words(clock: Any) -> str:
    """A clock's step in words (受理告知), as its item's app names it."""
    from rules.deadline_rows import step_words as words

    return words(clock)
