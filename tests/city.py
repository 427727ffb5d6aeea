"""A city with two county-level units, for the tests of the levels above and beside a county.

`build_city()` makes 合肥市 (city) with its departments 市信访局 and 市发改委, the county 肥西县
(township 上派镇 with village 三岗村, department 县信访局) and the district 庐阳区 (street
四里河街道 with community 双岗社区, department 区信访局); the city's party secretary, two city
leaders and the head of 市发改委; each county-level unit's party secretary and a leader; and
accounts: a supervisor and a petition clerk of the city, of the county and of the district."""

from __future__ import annotations

from dataclasses import dataclass

from directory.models import OrgUnit, Person, Role, User
from tests.helpers import make_person, make_unit, make_user


@dataclass
class City:
    city: OrgUnit
    city_bureau: OrgUnit
    city_reform: OrgUnit
    feixi: OrgUnit
    shangpai: OrgUnit
    sangang: OrgUnit
    feixi_bureau: OrgUnit
    luyang: OrgUnit
    silihe: OrgUnit
    shuanggang: OrgUnit
    luyang_bureau: OrgUnit
    city_secretary: Person
    city_leaders: list[Person]
    city_unit_head: Person
    feixi_secretary: Person
    feixi_leader: Person
    luyang_secretary: Person
    luyang_leader: Person
    city_supervisor: User
    city_clerk: User
    feixi_supervisor: User
    feixi_clerk: User
    luyang_supervisor: User
    luyang_clerk: User


def build_city() -> City:
    city = make_unit("合肥市", "city", code="HF")
    city_bureau = make_unit("市信访局", "department", city, code="HF-XFJ")
    city_reform = make_unit("市发改委", "department", city, code="HF-FGW")
    feixi = make_unit("肥西县", "county", city, code="HF-FX")
    shangpai = make_unit("上派镇", "township", feixi, code="HF-FX-SP")
    sangang = make_unit("三岗村", "village", shangpai, code="HF-FX-SP-SG")
    feixi_bureau = make_unit("肥西县信访局", "department", feixi, code="HF-FX-XFJ")
    luyang = make_unit("庐阳区", "district", city, code="HF-LY")
    silihe = make_unit("四里河街道", "street", luyang, code="HF-LY-SLH")
    shuanggang = make_unit("双岗社区", "community", silihe, code="HF-LY-SLH-SG")
    luyang_bureau = make_unit("庐阳区信访局", "department", luyang, code="HF-LY-XFJ")
    return City(
        city=city,
        city_bureau=city_bureau,
        city_reform=city_reform,
        feixi=feixi,
        shangpai=shangpai,
        sangang=sangang,
        feixi_bureau=feixi_bureau,
        luyang=luyang,
        silihe=silihe,
        shuanggang=shuanggang,
        luyang_bureau=luyang_bureau,
        city_secretary=make_person("宋书记", city, "city_secretary", code="P-HF-SJ"),
        city_leaders=[
            make_person("韩市长", city, "city_leader", code="P-HF-SZ"),
            make_person("吴副市长", city, "city_leader", code="P-HF-FSZ"),
        ],
        city_unit_head=make_person("郑主任", city_reform, "city_unit_head", code="P-HF-FGW"),
        feixi_secretary=make_person("冯县委书记", feixi, "county_secretary", code="P-FX-SJ"),
        feixi_leader=make_person("陈县长", feixi, "county_leader", code="P-FX-XZ"),
        luyang_secretary=make_person("褚区委书记", luyang, "county_secretary", code="P-LY-SJ"),
        luyang_leader=make_person("卫区长", luyang, "county_leader", code="P-LY-QZ"),
        city_supervisor=make_user("city-supervisor", city, Role.SUPERVISOR),
        city_clerk=make_user("city-clerk", city_bureau, Role.PETITION_OFFICE),
        feixi_supervisor=make_user("feixi-supervisor", feixi, Role.SUPERVISOR),
        feixi_clerk=make_user("feixi-clerk", feixi_bureau, Role.PETITION_OFFICE),
        luyang_supervisor=make_user("luyang-supervisor", luyang, Role.SUPERVISOR),
        luyang_clerk=make_user("luyang-clerk", luyang_bureau, Role.PETITION_OFFICE),
    )
