"""The levels above and beside a county: a city (市) with its departments, a district (区) as a
county-level unit with streets (街道); whose office sees what, and who an overdue item
escalates to."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from directory.access import scope_for
from directory.models import OrgUnit, Person, jurisdiction_of, jurisdiction_path
from rules.clocks import clock_start
from rules.models import ReminderKind
from rules.reminders import Recipients, Stage
from tests.city import build_city
from tests.helpers import make_person, make_rule, make_unit

D = dt.date


class CityTreeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_city()

    def test_a_county_and_a_district_sit_in_the_city_and_a_street_in_the_district(self) -> None:
        self.assertEqual(self.c.feixi.parent, self.c.city)
        self.assertEqual(self.c.luyang.parent, self.c.city)
        self.assertEqual(self.c.silihe.township(), self.c.silihe)
        self.assertEqual(self.c.shuanggang.township(), self.c.silihe)
        self.assertEqual(
            set(OrgUnit.objects.townships()), {self.c.shangpai, self.c.silihe}
        )  # a street is township-level
        self.assertEqual(set(OrgUnit.objects.counties()), {self.c.feixi, self.c.luyang})
        self.assertEqual(list(OrgUnit.objects.cities()), [self.c.city])

    def test_a_county_or_a_district_may_also_be_the_root(self) -> None:
        make_unit("清河县", "county", code="QH")
        make_unit("河西区", "district", code="HX")

    def test_a_city_sits_under_nothing(self) -> None:
        with self.assertRaisesMessage(ValidationError, "市"):
            make_unit("某市", "city", self.c.feixi)

    def test_a_county_does_not_sit_in_a_county_and_a_street_not_in_a_city(self) -> None:
        with self.assertRaises(ValidationError):
            make_unit("某县", "county", self.c.feixi)
        with self.assertRaises(ValidationError):
            make_unit("某街道", "street", self.c.city)
        with self.assertRaises(ValidationError):
            make_unit("某村", "village", self.c.luyang)

    def test_a_leader_of_the_district_links_to_a_street(self) -> None:
        from tests.helpers import make_link

        link = make_link(self.c.luyang_leader, self.c.silihe, "linked_township")
        self.assertEqual(link.unit, self.c.silihe)

    def test_the_city_posts_are_posts(self) -> None:
        person = make_person("某局长", self.c.city_reform, "city_unit_head;deputy")
        self.assertEqual(person.post_list, ["city_unit_head", "deputy"])
        self.assertEqual(Person.objects.with_post("city_leader").count(), 2)


class JurisdictionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_city()

    def test_each_unit_belongs_to_the_nearest_city_county_or_district(self) -> None:
        c = self.c
        expected = {
            c.city: c.city,
            c.city_bureau: c.city,
            c.city_reform: c.city,
            c.feixi: c.feixi,
            c.feixi_bureau: c.feixi,
            c.shangpai: c.feixi,
            c.sangang: c.feixi,
            c.luyang: c.luyang,
            c.silihe: c.luyang,
            c.shuanggang: c.luyang,
        }
        for unit, jurisdiction in expected.items():
            with self.subTest(unit=unit.name):
                self.assertEqual(jurisdiction_of(unit), jurisdiction)
                self.assertEqual(jurisdiction_path(unit), jurisdiction.path)

    def test_a_unit_near_the_root_needs_no_query(self) -> None:
        for unit in (self.c.city, self.c.city_bureau, self.c.feixi):
            with self.assertNumQueries(0):
                jurisdiction_path(unit)
        with self.assertNumQueries(1):  # the county's kind
            jurisdiction_path(self.c.sangang)
        with self.assertNumQueries(0):
            jurisdiction_path(self.c.sangang, {self.c.feixi.pk: self.c.feixi})


class CityScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_city()

    def visible(self, user) -> set[OrgUnit]:
        return set(OrgUnit.objects.visible_to(user))

    def test_a_county_office_in_a_city_sees_only_its_county(self) -> None:
        c = self.c
        county = {c.feixi, c.shangpai, c.sangang, c.feixi_bureau}
        self.assertEqual(self.visible(c.feixi_clerk), county)
        self.assertEqual(self.visible(c.feixi_supervisor), county)

    def test_a_district_office_sees_only_its_district(self) -> None:
        c = self.c
        district = {c.luyang, c.silihe, c.shuanggang, c.luyang_bureau}
        self.assertEqual(self.visible(c.luyang_clerk), district)
        self.assertEqual(self.visible(c.luyang_supervisor), district)

    def test_a_city_office_sees_the_whole_city(self) -> None:
        everything = set(OrgUnit.objects.all())
        self.assertEqual(self.visible(self.c.city_clerk), everything)
        self.assertEqual(self.visible(self.c.city_supervisor), everything)

    def test_another_county_s_person_answers_404_to_a_county_office(self) -> None:
        self.client.force_login(self.c.feixi_clerk)
        url = reverse("person-detail", args=[self.c.luyang_leader.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        url = reverse("person-detail", args=[self.c.city_secretary.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        url = reverse("person-detail", args=[self.c.feixi_leader.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_city_office_opens_a_county_s_person(self) -> None:
        self.client.force_login(self.c.city_clerk)
        url = reverse("person-detail", args=[self.c.luyang_leader.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_scope_is_one_subtree(self) -> None:
        self.assertEqual(scope_for(self.c.luyang_clerk).paths, (self.c.luyang.path,))


class CityEscalationTests(TestCase):
    """An overdue item escalates to the supervising office of its own county or district."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_city()
        cls.rule = make_rule("T-ESC")

    def recipients(self, unit: OrgUnit) -> set[str]:
        clock = clock_start(rule=self.rule, item=unit, step="reply", start=D(2025, 9, 1), unit=unit)
        stage = Stage(ReminderKind.ESCALATED_OFFICE, 0)
        ids = Recipients([clock]).for_stage(clock, stage)
        from directory.models import User

        return set(User.objects.filter(pk__in=ids).values_list("username", flat=True))

    def test_a_village_matter_escalates_to_its_county_supervisor(self) -> None:
        self.assertEqual(self.recipients(self.c.sangang), {"feixi-supervisor"})

    def test_a_street_matter_escalates_to_its_district_supervisor(self) -> None:
        self.assertEqual(self.recipients(self.c.shuanggang), {"luyang-supervisor"})

    def test_a_city_department_matter_escalates_to_the_city_supervisor(self) -> None:
        self.assertEqual(self.recipients(self.c.city_reform), {"city-supervisor"})


class CityLedgerTests(TestCase):
    """The ledger's `units` and `people` sheets take a city with a county and a district, in
    codes or in the words of a real ledger (市, 区, 街道, 市委书记 …)."""

    UNITS = [
        ["编码", "名称", "类型", "上级编码"],
        ["HF", "合肥市", "市", ""],
        ["HF-FGW", "市发改委", "市直部门", "HF"],
        ["HF-FX", "肥西县", "县", "HF"],
        ["HF-FX-SP", "上派镇", "镇", "HF-FX"],
        ["HF-FX-SP-SG", "三岗村", "村", "HF-FX-SP"],
        ["HF-LY", "庐阳区", "区", "HF"],
        ["HF-LY-SLH", "四里河街道", "街道", "HF-LY"],
        ["HF-LY-SLH-SG", "双岗社区", "community", "HF-LY-SLH"],
        ["HF-LY-XFJ", "庐阳区信访局", "department", "HF-LY"],
    ]
    PEOPLE = [
        ["编码", "姓名", "单位编码", "职级", "职务"],
        ["P-HF-SJ", "宋书记", "HF", "county_level", "市委书记"],
        ["P-HF-SZ", "韩市长", "HF", "county_level", "city_leader"],
        ["P-HF-FGW", "郑主任", "HF-FGW", "county_level", "市直部门主要负责人"],
        ["P-FX-SJ", "冯书记", "HF-FX", "county_level", "县委书记"],
        ["P-LY-QZ", "卫区长", "HF-LY", "county_level", "区级领导"],
        ["P-LY-SLH", "蒋主任", "HF-LY-SLH", "section_chief", "街道办事处主任"],
    ]

    def import_ledger(self, units: list[list[str]]) -> tuple[int, str, str]:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for name, rows in (("units", units), ("people", self.PEOPLE)):
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
                csv.writer(stream).writerows(rows)
        out, err = io.StringIO(), io.StringIO()
        with translation.override("en"):
            try:
                call_command("import_ledger", str(folder), stdout=out, stderr=err)
            except SystemExit as exc:
                return int(exc.code or 0), out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def test_the_ledger_imports_a_city_with_two_counties(self) -> None:
        status, _out, err = self.import_ledger(self.UNITS)
        self.assertEqual((status, err), (0, ""))
        kinds = dict(OrgUnit.objects.values_list("code", "kind"))
        self.assertEqual(
            kinds,
            {
                "HF": "city",
                "HF-FGW": "department",
                "HF-FX": "county",
                "HF-FX-SP": "township",
                "HF-FX-SP-SG": "village",
                "HF-LY": "district",
                "HF-LY-SLH": "street",
                "HF-LY-SLH-SG": "community",
                "HF-LY-XFJ": "department",
            },
        )
        posts = dict(Person.objects.values_list("code", "posts"))
        self.assertEqual(posts["P-HF-SJ"], "city_secretary")
        self.assertEqual(posts["P-HF-FGW"], "city_unit_head")
        self.assertEqual(posts["P-LY-QZ"], "county_leader")
        self.assertEqual(posts["P-LY-SLH"], "township_head")
        self.assertEqual(jurisdiction_of(OrgUnit.objects.get(code="HF-LY-SLH-SG")).code, "HF-LY")

    def test_a_street_under_the_city_is_refused_and_nothing_is_saved(self) -> None:
        units = [*self.UNITS, ["HF-X", "某街道", "街道", "HF"]]
        status, _out, err = self.import_ledger(units)
        self.assertEqual(status, 1)
        self.assertEqual(err.splitlines(), ["units:11:parent: A street cannot sit under a city."])
        self.assertFalse(OrgUnit.objects.exists())
