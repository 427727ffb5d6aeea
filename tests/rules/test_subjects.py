"""Every rule applies to exactly the people it names.

All packs are loaded on a county (in a city, so that the city posts exist too) where one person
holds each post, and where every one of them does everything a rule could count: links to a
township, a village and a contact point, pairings of every kind, visits of every kind, village
stays, receptions, deadlines of every rule. A rule that applied to everybody would then show
everybody; the compliance table must instead list, rule by rule, exactly the holders of the
posts the rule names, or, for a duty of a unit, exactly that unit.

The expected subjects are written out below from RULES.md and the source documents, not read
from the packs, so that a pack naming the wrong posts fails here too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.test import TestCase

from assistance.models import Pairing, UnitPairing
from assistance.services import pairing_save
from directory.models import Post, Role
from petitions.matters.services import PetitionerData, petition_register
from petitions.models import Reception
from proposals.models import PublicListItem
from proposals.services import proposal_assign
from rules.clocks import clock_start
from rules.compliance import evaluate
from rules.models import Rule, RuleKind
from rules.packs import available_packs, load_packs
from rules.periods import Period
from tests.helpers import make_household, make_link, make_person, make_unit, make_user
from tests.petitions.helpers import make_id_number
from tests.proposals.helpers import make_list_item, make_proposal, make_session
from visits.models import Visit, VisitKind
from visits.services import visit_save

D = dt.date
YEAR = Period.year(2025)
AFTER = D(2026, 1, 15)

CITY = ("city_secretary", "city_leader")
COUNTY = ("county_secretary", "county_leader")
TOWNSHIP_HEADS = ("township_secretary", "township_head")
TOWNSHIP = (*TOWNSHIP_HEADS, "township_leader")
LEADERS = (*CITY, "city_unit_head", *COUNTY, *TOWNSHIP, "unit_head")
GRID = ("cadre", *TOWNSHIP)

#: The people each personal rule names, by post (RULES.md and the documents).
PERSONAL: dict[str, tuple[str, ...]] = {
    # taoyuan (a county's rules)
    "TY-R1": COUNTY,
    "TY-R2": ("unit_head", *TOWNSHIP_HEADS),
    "TY-C1": (*COUNTY, *TOWNSHIP, "unit_head"),
    "TY-C2": (*COUNTY, *TOWNSHIP, "unit_head"),
    "TY-P4": ("deputy", "member"),
    "TY-V1": COUNTY,
    "TY-V2": COUNTY,
    "TY-V3a": TOWNSHIP_HEADS,
    "TY-V3b": TOWNSHIP_HEADS,
    "TY-V4": ("township_leader",),
    "TY-A1": COUNTY,
    "TY-A2a": ("cadre", *COUNTY, *TOWNSHIP, "unit_head"),
    "TY-A2b": ("cadre", *COUNTY, *TOWNSHIP, "unit_head"),
    # hefei (a city's rules: city, county and township levels)
    "HF-R1a": CITY,
    "HF-R1b": CITY,
    "HF-R2a": COUNTY,
    "HF-R2b": COUNTY,
    "HF-R4a": COUNTY,
    "HF-R4b": COUNTY,
    "HF-R4c": COUNTY,
    "HF-O1": (*COUNTY, "township_secretary"),
    "HF-V1a": COUNTY,
    "HF-V1b": COUNTY,
    "HF-V2a": ("township_secretary",),
    "HF-V2b": ("township_secretary",),
    "HF-V3": CITY,
    "HF-V4": (*COUNTY, "unit_head", "city_unit_head", "township_secretary"),
    "HF-V5a": LEADERS,
    "HF-V5b": ("county_secretary", "city_unit_head"),
    "HF-V5c": ("county_secretary",),
    "HF-V7": LEADERS,
    "HF-V8": (*CITY, *COUNTY),
    "HF-V9a": LEADERS,
    "HF-V9b": LEADERS,
    "HF-A1a": (*COUNTY, *TOWNSHIP),
    "HF-A1b": (*COUNTY, *TOWNSHIP),
    "HF-A2": LEADERS,
    # tianjin (a district's rules)
    "TJ-V1": ("county_leader",),
    # dongan (a county's rules)
    "DA-R2": COUNTY,
    # cuiping (a town's grid rules)
    "CP-A1": GRID,
    "CP-A2a": GRID,
    "CP-A2b": GRID,
    "CP-A3": GRID,
    "CP-A4": GRID,
}

#: The units each duty of a unit falls on.
UNITS: dict[str, tuple[str, ...]] = {
    # a township's roster, every township (or street)
    "TY-R3": ("QH-QS",),
    "HF-R3": ("QH-QS",),
    "DA-R5": ("QH-QS",),
    # the county's reception centre, hotline and bulletin
    "DA-R1": ("QH",),
    "DA-R3": ("QH",),
    "TJ-H1a": ("QH",),
    "TJ-H1b": ("QH",),
    "TJ-H1c": ("QH",),
    "TY-O1": ("QH",),
    # the petition office's A/B posts
    "TJ-R1": ("QH-XFJ",),
    # the city's no-meeting weeks
    "HF-V6": ("HF",),
    # a body's pairing with a grassroots unit: the units the heads lead
    "HF-A1c": ("QH-XFJ", "HF-FGW"),
    # the annual report: a county leader's own, the unit's for a township or a department
    "TY-Y1": ("P-county_secretary", "P-county_leader", "QH-QS", "QH-XFJ"),
    # the township's monthly grid analysis
    "CP-S1": ("QH-QS",),
    # group visits registered by the office its head answers for
    "NAT-GROUP-REPS": ("QH-XFJ",),
    # the handling units of items (every unit had a clock of every such rule)
    "TY-L1": ("QH-QS",),
    "TJ-P1": ("QH-QS",),
}
#: DEADLINE rules of a handling unit: rows for every unit that had a clock.
HANDLING_UNIT_RULES = (
    "TY-O2", "TY-P1", "TY-P2", "TY-P3", "DA-R4", "HF-H1", "HF-S1",
    "NAT-REGISTER", "NAT-ACCEPT", "NAT-OBJECT", "NAT-CONCLUDE", "NAT-REVIEW-ASK",
    "NAT-REVIEW-ANSWER", "NAT-RECHECK-ASK", "NAT-RECHECK-ANSWER",
)  # fmt: skip
#: Rules no evaluator measures yet (practices, and submissions not recorded anywhere).
UNMEASURED = (
    "TY-C3", "TY-C4", "TY-Y2", "TJ-R2", "TJ-H2", "TJ-P2", "HF-Y1", "CP-A5", "CP-Y1",
    "NAT-CONFIDENTIAL",
)  # fmt: skip


def code(post: str) -> str:
    return f"P-{post}"


class EveryRuleAppliesToExactlyThePeopleItNames(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_packs(available_packs())
        city = make_unit("合肥市", "city", code="HF")
        reform = make_unit("市发改委", "department", city, code="HF-FGW")
        county = make_unit("清河县", "county", city, code="QH")
        township = make_unit("青山乡", "township", county, code="QH-QS")
        village = make_unit("桃园村", "village", township, code="QH-QS-TY")
        make_unit("桃园村一组", "group", village, code="QH-QS-TY-1")
        bureau = make_unit("县信访局", "department", county, code="QH-XFJ")
        home = {
            "city_secretary": city,
            "city_leader": city,
            "city_unit_head": reform,
            "county_secretary": county,
            "county_leader": county,
            "unit_head": bureau,
        }
        people = {
            post: make_person(post, home.get(post, township), post, "county_level", code=code(post))
            for post in Post.values
        }
        cls.people = people
        clerk = make_user("clerk", bureau, Role.PETITION_OFFICE)
        categories = ("party_member", "monitored", "alleviated", "urban_hardship",
                      "vulnerable", "petitioner", "other")  # fmt: skip
        households = {c: make_household(c, village, c, code=f"H-{c}") for c in categories}
        start = D(2025, 1, 1)
        for person in people.values():
            make_link(person, township, "linked_township")
            make_link(person, village, "linked_village")
            make_link(person, village, "contact_point")
            for kind, category in (
                ("monitored", "monitored"),
                ("alleviated", "alleviated"),
                ("urban_hardship", "urban_hardship"),
                ("centre", "party_member"),
                ("radiated", "vulnerable"),
            ):
                pairing_save(
                    pairing=Pairing(
                        person=person, household=households[category], kind=kind, start=start
                    )
                )
            UnitPairing.objects.create(person=person, unit=village, start=start)
        for body in (bureau, reform, township, county):
            UnitPairing.objects.create(body=body, unit=village, start=start)
        everyone = list(people.values())
        for n, kind in enumerate(VisitKind.values):
            visit = Visit(date=D(2025, 3, 3) + dt.timedelta(days=n), kind=kind, unit=village)
            visit.days = Decimal(1)
            if kind == VisitKind.VILLAGE_STAY:
                visit.entourage, visit.cars = 3, 1
            visit_save(visit=visit, people=everyone, households=list(households.values()))
        for n, person in enumerate(everyone):
            for kind in ("bureau_sitting", "case_visit", "appointment", "township_duty"):
                Reception.objects.create(
                    date=D(2025, 4, 1) + dt.timedelta(days=n),
                    part="am",
                    kind=kind,
                    unit=bureau if kind != "township_duty" else township,
                    person=person,
                    status="held",
                )
        # every DEADLINE rule runs a clock for every person, in the person's unit
        for rule in Rule.objects.filter(kind=RuleKind.DEADLINE):
            for person in everyone:
                clock_start(
                    rule=rule,
                    item=person,
                    step="step",
                    start=D(2025, 5, 6),
                    unit=person.unit,
                    person=person,
                    amount=5,
                    duration_unit="days",
                )
        # group visits registered at the petition bureau and at the county itself
        for unit in (bureau, county):
            petition_register(
                acting_user=clerk,
                receiving_unit=unit,
                received_on=D(2025, 6, 2),
                today=D(2025, 6, 2),
                channel="visit",
                summary="集体反映",
                content="集体反映道路问题。",
                category="land",
                petitioners=[PetitionerData("代表甲", make_id_number(), "13812345678", "")],
                headcount=8,
                township=township,
            )
        # a public list item and an item made between sessions, handled by the township
        make_list_item(people["county_leader"], township, code="L-1")
        PublicListItem.objects.update(published=True)
        session = make_session()
        make_session(code="ZX-2025", body="cppcc", opens=D(2025, 1, 9), closes=D(2025, 1, 12))
        between = make_proposal(
            session, [people["deputy"]], submitted=D(2025, 3, 3), in_session=False
        )
        proposal_assign(proposal=between, lead_unit=township, assigned_on=D(2025, 3, 4))
        cls.rows = evaluate(YEAR, today=AFTER)

    def subjects(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for row in self.rows:
            found[row.rule].add(row.subject)
        return found

    def test_every_rule_is_listed_here(self) -> None:
        listed = set(PERSONAL) | set(UNITS) | set(HANDLING_UNIT_RULES) | set(UNMEASURED)
        self.assertEqual(set(Rule.objects.values_list("rule_id", flat=True)), listed)

    def test_a_personal_rule_lists_exactly_the_holders_of_its_posts(self) -> None:
        found = self.subjects()
        for rule_id, posts in PERSONAL.items():
            with self.subTest(rule=rule_id):
                self.assertEqual(found.get(rule_id, set()), {code(p) for p in posts})
                rule = Rule.objects.get(rule_id=rule_id)
                self.assertEqual(set(rule.subject_post_list), set(posts))

    def test_a_duty_of_a_unit_lists_exactly_that_unit(self) -> None:
        found = self.subjects()
        for rule_id, units in UNITS.items():
            with self.subTest(rule=rule_id):
                self.assertEqual(found.get(rule_id, set()), set(units))

    def test_a_deadline_of_a_handling_unit_lists_the_units_that_handled_items(self) -> None:
        found = self.subjects()
        units = {person.unit.code for person in self.people.values()}
        for rule_id in HANDLING_UNIT_RULES:
            with self.subTest(rule=rule_id):
                self.assertEqual(found.get(rule_id, set()), units)
                self.assertEqual(Rule.objects.get(rule_id=rule_id).subject_post_list, [])

    def test_unmeasured_rules_have_no_rows(self) -> None:
        found = self.subjects()
        for rule_id in UNMEASURED:
            with self.subTest(rule=rule_id):
                self.assertNotIn(rule_id, found)
