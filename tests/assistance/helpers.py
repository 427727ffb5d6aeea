"""Helpers for the assistance tests, built on tests.helpers.build_county().

`build_assistance_county()` adds to the named test county: 青山乡 cadres 周平 (staff) and
孙丽 (deputy section chief) with accounts, and in 桃园村 a monitored, an alleviated, a
vulnerable, a petitioner and three other households; in 柳溪村 two more."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command

from assistance.models import Pairing
from assistance.services import pairing_save
from directory.models import Household, Person, Role, User
from directory.services import person_save
from tests.helpers import County, build_county, make_household, make_person, make_user
from visits.models import Visit
from visits.services import visit_save


def load_assistance_rules() -> None:
    """The rule rows the evaluators and clocks read (TY-A*, HF-A*, HF-S1, CP-*)."""
    call_command("load_rules", "taoyuan", "hefei", "cuiping", stdout=StringIO())


@dataclass
class AssistanceCounty:
    base: County
    cadre: Person
    deputy: Person
    cadre_account: User
    deputy_account: User
    monitored: Household
    alleviated: Household
    vulnerable: Household
    petitioner: Household
    others: list[Household]
    liuxi: list[Household]


def build_assistance_county() -> AssistanceCounty:
    base = build_county()
    cadre = make_person("周平", base.qingshan, "cadre", "staff", code="P-ZP")
    cadre.phone = "13900001111"
    person_save(person=cadre)
    deputy = make_person("孙丽", base.qingshan, "township_leader", "deputy_section", code="P-SL")
    village = base.taoyuan
    return AssistanceCounty(
        base=base,
        cadre=cadre,
        deputy=deputy,
        cadre_account=make_user("zhouping", base.qingshan, Role.UNIT_STAFF, person=cadre),
        deputy_account=make_user("sunli", base.qingshan, Role.LEADER, person=deputy),
        monitored=make_household("钱一", village, "monitored", code="H-M1"),
        alleviated=make_household("钱二", village, "alleviated", code="H-A1"),
        vulnerable=make_household("钱三", village, "vulnerable", code="H-V1"),
        petitioner=make_household("钱四", village, "petitioner", code="H-P1"),
        others=[make_household(f"钱{n}", village, "", code=f"H-O{n}") for n in (5, 6, 7)],
        liuxi=[make_household(f"柳{n}", base.liuxi, "", code=f"H-L{n}") for n in (1, 2)],
    )


def make_pairing(
    person: Person,
    household: Household,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
) -> Pairing:
    return pairing_save(
        pairing=Pairing(person=person, household=household, kind=kind, start=start, end=end)
    )


def make_visit(
    person: Person, household: Household, day: dt.date, kind: str = "household"
) -> Visit:
    """A visit (or call) recorded through the visits app's service."""
    return visit_save(
        visit=Visit(date=day, kind=kind, unit=household.village),
        people=[person],
        households=[household],
    )
