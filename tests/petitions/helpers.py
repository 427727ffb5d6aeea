"""make_* helpers for petition and roster tests, on top of tests.helpers.build_county()."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from directory.models import OrgUnit
from petitions.identity import id_check_character
from petitions.matters.services import PetitionerData, petition_register
from petitions.models import Petition, Reception
from rules.packs import load_packs

_seq = itertools.count(1)


def load_rule_packs(*packs: str) -> None:
    load_packs(["national", *packs])


def make_id_number(
    birth: str = "19800101", region: str = "430102", serial: int | None = None
) -> str:
    """A valid resident ID number (GB 11643 check character computed)."""
    number = serial if serial is not None else next(_seq)
    first17 = f"{region}{birth}{number % 1000:03d}"
    return first17 + id_check_character(first17)


def make_petition(
    county: Any,
    *,
    received_on: dt.date = dt.date(2025, 9, 26),
    user: Any = None,
    id_number: str | None = None,
    name: str = "刘群众",
    phone: str = "13812345678",
    township: OrgUnit | None = None,
    subject_unit: OrgUnit | None = None,
    lead_unit: OrgUnit | None = None,
    summary: str = "宅基地纠纷",
    **kwargs: Any,
) -> Petition:
    return petition_register(
        acting_user=user or county.petition_clerk,
        receiving_unit=county.petition_bureau,
        received_on=received_on,
        today=kwargs.pop("today", received_on),
        channel=kwargs.pop("channel", "visit"),
        summary=summary,
        content=kwargs.pop("content", "反映邻居占用宅基地问题。"),
        category=kwargs.pop("category", "land"),
        petitioners=[PetitionerData(name, id_number or make_id_number(), phone, "青山乡桃园村")],
        township=township or county.qingshan,
        subject_unit=subject_unit,
        lead_unit=lead_unit,
        **kwargs,
    )


def make_slot(
    county: Any,
    day: dt.date,
    *,
    person: Any = None,
    kind: str = "bureau_sitting",
    part: str = "day",
    unit: OrgUnit | None = None,
) -> Reception:
    return Reception.objects.create(
        date=day, part=part, kind=kind, unit=unit or county.county, person=person
    )
