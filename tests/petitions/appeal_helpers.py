"""make_* helpers for appeal tests, on top of tests.helpers.build_county()."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from directory.models import OrgUnit
from petitions.appeals.services import (
    appeal_intake,
    appeal_submit_public,
    ensure_default_categories,
)
from petitions.models import Appeal, AppealCategory

from .helpers import load_rule_packs

TZ = ZoneInfo("Asia/Shanghai")
TEXT = "小区门口路灯损坏已有两周，夜间出行很不方便，请尽快维修。"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware local time (the county's time zone)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def setup_appeals(*packs: str) -> None:
    """The rule packs (TY-O2 and TY-O1 are in taoyuan) and the starting categories."""
    load_rule_packs("taoyuan", *packs)
    ensure_default_categories()


def category(code: str) -> AppealCategory:
    return AppealCategory.objects.get(code=code)


def make_appeal(
    county: Any,
    *,
    received_at: dt.datetime | None = None,
    code: str = "construction",
    township: OrgUnit | None = None,
    source: str = "hotline",
    user: Any = None,
    text: str = TEXT,
    **kwargs: Any,
) -> Appeal:
    """An appeal taken in by the petition office (staff intake)."""
    return appeal_intake(
        acting_user=user or county.petition_clerk,
        source=source,
        category=category(code),
        text=text,
        received_at=received_at or at(2025, 9, 26),
        township=township or county.qingshan,
        **kwargs,
    )


def make_public_appeal(
    county: Any,
    *,
    received_at: dt.datetime | None = None,
    code: str = "construction",
    township: OrgUnit | None = None,
    text: str = TEXT,
) -> tuple[Appeal, str]:
    return appeal_submit_public(
        category=category(code),
        township=township or county.qingshan,
        text=text,
        contact_name="刘群众",
        contact_phone="13812345678",
        received_at=received_at or at(2025, 9, 26),
    )
