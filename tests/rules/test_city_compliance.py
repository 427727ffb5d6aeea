"""The hefei pack is a city's rules: its city rules reach the city's leaders and departments,
its county rules the leaders of the city's counties and districts, and nobody else."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.test import TestCase

from petitions.models import Reception
from petitions.roster.slots import slots_for
from rules.compliance import evaluate
from rules.models import Rule
from rules.packs import load_packs
from rules.periods import Period
from tests.city import build_city
from tests.visits.helpers import make_visit
from visits.models import Meeting
from visits.services import meeting_save

D = dt.date
AFTER_THE_YEAR = D(2026, 1, 5)


def receptions(person, unit, kind: str, n: int) -> None:
    for i in range(n):
        Reception.objects.create(
            date=D(2025, 3, 3) + dt.timedelta(days=7 * i),
            part="am",
            kind=kind,
            unit=unit,
            person=person,
            status="held",
        )


def enterprise_visits(person, unit, n: int) -> None:
    for i in range(n):
        make_visit(person, unit, "enterprise", D(2025, 4, 1) + dt.timedelta(days=i))


def table(*rule_ids: str) -> dict[str, dict[str, tuple]]:
    rows = evaluate(
        Period.year(2025), today=AFTER_THE_YEAR, rules=Rule.objects.filter(rule_id__in=rule_ids)
    )
    result: dict[str, dict[str, tuple]] = defaultdict(dict)
    for row in rows:
        result[row.rule][row.subject] = (row.required, row.actual, row.status)
    return result


class CityAndCountyLevelsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_packs(["hefei", "taoyuan", "tianjin", "dongan"])
        cls.c = c = build_city()
        secretary, mayor, deputy_mayor = c.city_secretary, *c.city_leaders
        # city leaders at the city's bureau, county leaders at their own
        receptions(secretary, c.city_bureau, "bureau_sitting", 6)
        receptions(mayor, c.city_bureau, "bureau_sitting", 2)
        receptions(deputy_mayor, c.city_bureau, "case_visit", 4)
        receptions(c.feixi_secretary, c.feixi_bureau, "bureau_sitting", 12)
        receptions(c.luyang_leader, c.luyang_bureau, "case_visit", 6)
        enterprise_visits(secretary, c.city, 10)
        enterprise_visits(mayor, c.city, 3)
        enterprise_visits(c.feixi_secretary, c.shangpai, 20)
        enterprise_visits(c.feixi_leader, c.shangpai, 10)  # enough for a city leader only
        enterprise_visits(c.luyang_leader, c.silihe, 25)

    def test_hf_r1a_and_r1b_apply_to_the_city_leaders_only(self) -> None:
        c = self.c
        found = table("HF-R1a", "HF-R1b")
        self.assertEqual(
            found["HF-R1a"],
            {
                "P-HF-SJ": (6, 6, "met"),
                "P-HF-SZ": (6, 2, "short"),
                "P-HF-FSZ": (6, 0, "short"),
            },
        )
        self.assertEqual(
            found["HF-R1b"],
            {
                "P-HF-SJ": (4, 0, "short"),
                "P-HF-SZ": (4, 0, "short"),
                "P-HF-FSZ": (4, 4, "met"),
            },
        )
        # the county secretary's 12 receptions and the district head's 6 down-visits count
        # for the county rules, not for the city's
        county = table("HF-R2a", "HF-R2b")
        self.assertEqual(county["HF-R2a"][c.feixi_secretary.code], (12, 12, "met"))
        self.assertEqual(county["HF-R2b"][c.luyang_leader.code], (6, 6, "met"))
        self.assertEqual(set(county["HF-R2a"]), {"P-FX-SJ", "P-FX-XZ", "P-LY-SJ", "P-LY-QZ"})

    def test_hf_v8_asks_10_enterprise_visits_of_city_leaders_and_20_of_county_leaders(self):
        self.assertEqual(
            table("HF-V8")["HF-V8"],
            {
                "P-HF-SJ": (10, 10, "met"),
                "P-HF-SZ": (10, 3, "short"),
                "P-HF-FSZ": (10, 0, "short"),
                "P-FX-SJ": (20, 20, "met"),
                "P-FX-XZ": (20, 10, "short"),
                "P-LY-SJ": (20, 0, "short"),
                "P-LY-QZ": (20, 25, "met"),
            },
        )

    def test_the_city_holds_the_no_meeting_weeks_and_a_county_meeting_is_not_the_city_s(self):
        c = self.c
        meeting_save(meeting=Meeting(date=D(2025, 3, 4), title="县工作会议", unit=c.feixi))
        meeting_save(meeting=Meeting(date=D(2025, 5, 6), title="市工作会议", unit=c.city_reform))
        rows = evaluate(
            Period.year(2025), today=AFTER_THE_YEAR, rules=Rule.objects.filter(rule_id="HF-V6")
        )
        weeks = {row.period: row.status for row in rows}
        self.assertEqual({row.subject for row in rows}, {"HF"})
        self.assertEqual(len(weeks), 6)
        self.assertEqual(weeks["2025-W10"], "met")  # only the county met that week
        self.assertEqual(weeks["2025-W19"], "short")

    def test_city_research_reports_are_asked_of_city_department_heads_and_county_secretaries(
        self,
    ) -> None:
        self.assertEqual(set(table("HF-V5b")["HF-V5b"]), {"P-HF-FGW", "P-FX-SJ", "P-LY-SJ"})

    def test_the_stay_limits_are_the_city_leaders(self) -> None:
        make_visit(
            self.c.city_secretary, self.c.sangang, "village_stay", D(2025, 6, 2), entourage=5,
            cars=2,
        )  # fmt: skip
        make_visit(self.c.city_leaders[0], self.c.sangang, "village_stay", D(2025, 6, 3),
                   entourage=5, cars=1)  # fmt: skip
        make_visit(self.c.feixi_leader, self.c.sangang, "village_stay", D(2025, 6, 4),
                   entourage=9, cars=3)  # fmt: skip
        self.assertEqual(
            table("HF-V3")["HF-V3"],
            {"P-HF-SJ": (1, 1, "met"), "P-HF-SZ": (1, 0, "short")},
        )


class DistrictRosterTests(TestCase):
    """The tianjin pack's district head duties reach the district (a county-level unit)."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_packs(["tianjin", "dongan", "taoyuan"])
        cls.c = build_city()

    def test_the_hotline_duties_are_owed_per_county_and_district(self) -> None:
        rule = Rule.objects.get(rule_id="TJ-H1a")
        slots = slots_for([rule], D(2025, 4, 1), D(2025, 4, 30))
        self.assertEqual(
            {(s.unit.code, s.date) for s in slots},
            {("HF-FX", D(2025, 4, 1)), ("HF-LY", D(2025, 4, 1))},
        )

    def test_a_street_holds_the_township_duty(self) -> None:
        rule = Rule.objects.get(rule_id="TY-R3")
        slots = slots_for([rule], D(2025, 4, 1), D(2025, 4, 1))
        self.assertEqual({s.unit.code for s in slots}, {"HF-FX-SP", "HF-LY-SLH"})

    def test_the_district_heads_duty_is_filled_by_the_district_leader(self) -> None:
        rule = Rule.objects.get(rule_id="TJ-H1a")
        Reception.objects.create(
            date=D(2025, 4, 1), part="day", kind="hotline", unit=self.c.luyang_bureau,
            person=self.c.luyang_leader, status="held",
        )  # fmt: skip
        rows = evaluate(
            Period.year(2025), today=AFTER_THE_YEAR, rules=Rule.objects.filter(pk=rule.pk)
        )
        april = {row.subject: (row.required, row.actual) for row in rows if row.period == "2025-04"}
        self.assertEqual(april, {"HF-FX": (1, 0), "HF-LY": (1, 1)})
