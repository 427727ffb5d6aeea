"""Each visit rule kind against hand-computed expectations (test county of tests.helpers).

青山乡 has 桃园村 (group 桃园村一组) and 柳溪村; 王建国 (county leader) is linked to 青山乡;
李明 is 青山乡's party secretary. Rule thresholds come from the loaded packs."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django.utils import translation

from rules.compliance import MET, OPEN, SHORT
from rules.periods import Period
from tests.helpers import build_county, make_household, make_link, make_person, make_unit
from tests.visits.helpers import D, load_visit_rules, make_visit, set_params
from visits.evaluators import VisitRulesEvaluator
from visits.measures import no_meeting_week
from visits.models import Meeting
from visits.services import meeting_save

YEAR = Period.year(2025)
AFTER = D(2026, 1, 10)  # the year has ended: unmet rows are short


class EvaluatorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rules = load_visit_rules()
        c = cls.c
        cls.leader = c.county_leader
        cls.secretary = c.qingshan_secretary
        cls.zhangsan = c.household_taoyuan  # party member, 桃园村一组
        cls.ty_monitored = make_household("赵监测", c.taoyuan, "monitored", code="H-TY-M")
        cls.ty_plain = make_household("钱普通", c.taoyuan, "", code="H-TY-P")
        cls.ty_alleviated = make_household("孙脱贫", c.taoyuan, "alleviated", code="H-TY-A")
        cls.ty_other = make_household("周其他", c.taoyuan, "other", code="H-TY-O")
        cls.lx_party = make_household("吴党员", c.liuxi, "party_member", code="H-LX-D")
        cls.lx_alleviated = make_household("郑脱贫", c.liuxi, "alleviated", code="H-LX-A")
        cls.lx_plain = make_household("冯普通", c.liuxi, "", code="H-LX-P")

    def setUp(self) -> None:
        # Notes are read in English (the Chinese ones come from the catalogue).
        self.enterContext(translation.override("en"))

    def rows(self, rule_id: str, today=AFTER, window=YEAR):
        rule = self.rules[rule_id]
        rule.refresh_from_db()
        return list(VisitRulesEvaluator().evaluate([rule], window, today=today))

    def row(self, rule_id: str, subject: str, period: str = "2025", today=AFTER):
        matches = [
            r for r in self.rows(rule_id, today) if r.subject == subject and r.period == period
        ]
        self.assertEqual(len(matches), 1, f"{rule_id} {subject} {period}: {matches}")
        return matches[0]


class QuotaTests(EvaluatorTestCase):
    def test_a_repeat_visit_to_the_same_household_counts_once(self) -> None:
        make_visit(self.leader, self.c.taoyuan, households=[self.zhangsan], date=D(2025, 3, 3))
        make_visit(self.leader, self.c.taoyuan, households=[self.zhangsan], date=D(2025, 5, 6))
        make_visit(self.leader, self.c.taoyuan, households=[self.ty_monitored], date=D(2025, 5, 6))
        row = self.row("HF-V1b", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (30, 2, SHORT))

    def test_household_quota_is_open_while_the_year_runs(self) -> None:
        make_visit(self.leader, self.c.taoyuan, households=[self.zhangsan])
        row = self.row("HF-V1b", "P-WJG", today=D(2025, 6, 1))
        self.assertEqual((row.actual, row.status), (1, OPEN))

    def test_a_call_is_not_a_household_visit(self) -> None:
        make_visit(self.leader, self.c.taoyuan, "call", households=[self.zhangsan])
        self.assertEqual(self.row("HF-V1b", "P-WJG").actual, 0)

    def test_township_secretary_needs_forty_households(self) -> None:
        make_visit(
            self.secretary,
            self.c.qingshan,
            households=[self.zhangsan, self.lx_party, self.lx_plain],
        )
        row = self.row("HF-V2b", "P-LM")
        self.assertEqual((row.required, row.actual), (40, 3))

    def test_each_person_of_a_joint_visit_is_credited(self) -> None:
        make_visit([self.leader, self.secretary], self.c.taoyuan, households=[self.zhangsan])
        self.assertEqual(self.row("HF-V1b", "P-WJG").actual, 1)
        self.assertEqual(self.row("HF-V2b", "P-LM").actual, 1)

    def test_a_deleted_visit_no_longer_counts(self) -> None:
        visit = make_visit(self.leader, self.c.taoyuan, households=[self.zhangsan])
        visit.soft_delete(reason="entered twice")
        self.assertEqual(self.row("HF-V1b", "P-WJG").actual, 0)

    def test_enterprise_visits_are_required_by_post(self) -> None:
        for day in (D(2025, 4, 1), D(2025, 4, 2)):
            make_visit(self.leader, self.c.education, "enterprise", date=day, enterprise="红星厂")
        self.assertEqual(self.row("HF-V8", "P-WJG").required, 20)
        set_params(self.rules["HF-V8"], by_post={"county_leader": 2, "county_secretary": 5})
        row = self.row("HF-V8", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (2, 2, MET))

    def test_policy_interaction_and_expert_talk_need_one_each(self) -> None:
        make_visit(self.leader, self.c.qingshan, "policy_talk", date=D(2025, 7, 1))
        self.assertEqual(self.row("HF-V9a", "P-WJG").status, MET)
        row = self.row("HF-V9b", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (1, 0, SHORT))

    def test_collective_research_counts_for_the_county_secretary(self) -> None:
        boss = make_person("周书记", self.c.county, "county_secretary", code="P-ZSJ")
        make_visit(boss, self.c.qingshan, "research", date=D(2025, 8, 1))
        self.assertEqual(self.row("HF-V5c", "P-ZSJ").actual, 0)
        make_visit(boss, self.c.qingshan, "research", date=D(2025, 8, 2), collective=True)
        row = self.row("HF-V5c", "P-ZSJ")
        self.assertEqual((row.required, row.actual, row.status), (1, 1, MET))

    def test_half_a_day_each_month_in_the_linked_township(self) -> None:
        make_visit(self.leader, self.c.taoyuan, "grassroots", date=D(2025, 3, 10), days="0.5")
        make_visit(self.leader, self.c.dongjie, "grassroots", date=D(2025, 4, 10), days="1")
        march = self.row("TY-V1", "P-WJG", "2025-03")
        april = self.row("TY-V1", "P-WJG", "2025-04")
        self.assertEqual((march.required, march.actual, march.status), (1, 1, MET))
        # 东街社区 lies in 城关镇, not in the linked 青山乡.
        self.assertEqual((april.actual, april.status), (0, SHORT))
        self.assertEqual(len([r for r in self.rows("TY-V1") if r.subject == "P-WJG"]), 12)

    def test_a_leader_without_a_linked_township_has_no_monthly_rows(self) -> None:
        make_person("钱无联", self.c.county, "county_leader", code="P-QWL")
        self.assertFalse([r for r in self.rows("TY-V1") if r.subject == "P-QWL"])


class CoverageTests(EvaluatorTestCase):
    def test_every_village_of_the_linked_township_with_the_household_mix(self) -> None:
        make_visit(
            self.leader,
            self.c.taoyuan,
            households=[self.zhangsan, self.ty_monitored, self.ty_plain],
        )
        make_visit(self.leader, self.c.liuxi, households=[self.lx_party, self.lx_alleviated])
        row = self.row("TY-V2", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (2, 1, SHORT))
        self.assertIn("柳溪村", row.note)
        self.assertIn("another household", row.note)

    def test_other_means_a_household_outside_the_named_categories(self) -> None:
        # A party member, an alleviated household and a second party member: no "other".
        both = make_household("王双重", self.c.taoyuan, "party_member;alleviated", code="H-TY-2")
        make_visit(
            self.leader, self.c.taoyuan, households=[self.zhangsan, both, self.ty_alleviated]
        )
        row = self.row("TY-V2", "P-WJG")
        self.assertEqual(row.actual, 0)
        make_visit(self.leader, self.c.taoyuan, households=[self.ty_other], date=D(2025, 9, 1))
        make_visit(
            self.leader,
            self.c.liuxi,
            households=[self.lx_party, self.lx_alleviated, self.lx_plain],
        )
        self.assertEqual(self.row("TY-V2", "P-WJG").actual, 2)

    def test_a_household_counts_toward_ty_v2_only_in_its_own_village(self) -> None:
        # Filed at township level, three 柳溪村 households: 柳溪村 is covered, 桃园村 is not.
        make_visit(
            self.leader,
            self.c.qingshan,
            households=[self.lx_party, self.lx_alleviated, self.lx_plain],
        )
        row = self.row("TY-V2", "P-WJG")
        self.assertEqual((row.required, row.actual), (2, 1))
        self.assertIn("桃园村", row.note)
        self.assertNotIn("柳溪村", row.note)

    def test_a_leader_with_no_linked_township_has_no_ty_v2_row(self) -> None:
        make_person("钱无联", self.c.county, "county_leader", code="P-QWL")
        subjects = {r.subject for r in self.rows("TY-V2")}
        self.assertIn("P-WJG", subjects)
        self.assertNotIn("P-QWL", subjects)

    def test_township_heads_visit_every_villager_group(self) -> None:
        lx1 = make_unit("柳溪村一组", "group", self.c.liuxi, code="QH-QS-LX-1")
        make_unit("柳溪村二组", "group", self.c.liuxi, code="QH-QS-LX-2")
        make_visit(self.secretary, self.c.taoyuan, households=[self.zhangsan])  # 桃园村一组
        make_visit(self.secretary, lx1, "grassroots")  # filed at the group itself
        row = self.row("TY-V3a", "P-LM")
        self.assertEqual((row.required, row.actual, row.status), (3, 2, SHORT))
        self.assertIn("柳溪村二组", row.note)

    def test_township_heads_visit_five_households_in_every_village(self) -> None:
        extra = make_household("李第五", self.c.taoyuan, "", code="H-TY-5")
        make_visit(
            self.secretary,
            self.c.taoyuan,
            households=[self.zhangsan, self.ty_monitored, self.ty_plain, self.ty_alleviated],
        )
        make_visit(self.secretary, self.c.taoyuan, households=[self.zhangsan], date=D(2025, 6, 2))
        self.assertEqual(self.row("TY-V3b", "P-LM").actual, 0)  # four distinct households
        make_visit(self.secretary, self.c.taoyuan, households=[extra], date=D(2025, 6, 3))
        row = self.row("TY-V3b", "P-LM")
        self.assertEqual((row.required, row.actual), (2, 1))
        # 城关镇's head has her own township (东街社区), not 青山乡.
        self.assertEqual(self.row("TY-V3b", "P-ZF").required, 1)

    def test_other_township_leaders_visit_half_of_their_linked_village(self) -> None:
        member = make_person("孙委员", self.c.qingshan, "township_leader", code="P-SWY")
        make_link(member, self.c.taoyuan, "linked_village")
        # 桃园村 has 5 households: 50 % of them is 2.5, so 3 are needed.
        make_visit(member, self.c.taoyuan, households=[self.zhangsan, self.ty_plain])
        row = self.row("TY-V4", "P-SWY")
        self.assertEqual((row.required, row.actual, row.status), (3, 2, SHORT))
        make_visit(member, self.c.taoyuan, households=[self.ty_other], date=D(2025, 10, 1))
        self.assertEqual(self.row("TY-V4", "P-SWY").status, MET)

    def test_each_contact_point_twice_a_year(self) -> None:
        make_link(self.leader, self.c.education, "contact_point")
        make_link(self.leader, self.c.liuxi, "contact_point")
        make_visit(self.leader, self.c.education, "contact_point", date=D(2025, 2, 1))
        make_visit(self.leader, self.c.education, "research", date=D(2025, 9, 1))
        make_visit(self.leader, self.c.liuxi, "contact_point", date=D(2025, 3, 1))
        make_visit(self.leader, self.c.liuxi, "call", date=D(2025, 4, 1))  # not a visit
        row = self.row("HF-V7", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (2, 1, SHORT))
        self.assertIn("柳溪村", row.note)

    def test_no_contact_point_no_hf_v7_row(self) -> None:
        self.assertFalse([r for r in self.rows("HF-V7") if r.subject == "P-WJG"])


class AmountTests(EvaluatorTestCase):
    def test_village_stay_days_add_up(self) -> None:
        make_visit(self.leader, self.c.taoyuan, "village_stay", date=D(2025, 4, 1), days="2")
        make_visit(self.leader, self.c.liuxi, "village_stay", date=D(2025, 10, 8), days="1.5")
        row = self.row("HF-V1a", "P-WJG")
        self.assertEqual((row.required, row.actual, row.status), (5, Decimal("3.5"), SHORT))
        self.assertIn("1.5", row.note)

    def test_township_secretary_stay_days(self) -> None:
        make_visit(self.secretary, self.c.taoyuan, "village_stay", date=D(2025, 4, 1), days="5")
        self.assertEqual(self.row("HF-V2a", "P-LM").status, MET)

    def test_research_days_count_each_date_once_and_depend_on_the_post(self) -> None:
        for village in (self.c.taoyuan, self.c.liuxi, self.c.qingshan):
            make_visit(self.leader, village, "research", date=D(2025, 5, 5), days="0.5")
        make_visit(self.leader, self.c.taoyuan, "research", date=D(2025, 6, 2), days="3")
        make_visit(self.secretary, self.c.taoyuan, "research", date=D(2025, 6, 2), days="1")
        leader = self.row("HF-V4", "P-WJG")
        # 5 May: three half days are one day (capped); 2 June: a three-day trip.
        self.assertEqual((leader.required, leader.actual), (60, Decimal(4)))
        secretary = self.row("HF-V4", "P-LM")
        self.assertEqual((secretary.required, secretary.actual), (70, Decimal(1)))

    def test_a_third_of_the_years_working_days_at_the_grassroots(self) -> None:
        make_visit(self.leader, self.c.taoyuan, "household", date=D(2025, 3, 3), days="1")
        make_visit(self.leader, self.c.liuxi, "household", date=D(2025, 3, 3), days="1")
        make_visit(self.leader, self.c.taoyuan, "village_stay", date=D(2025, 4, 1), days="3")
        make_visit(self.leader, self.c.qingshan, "expert_talk", date=D(2025, 4, 9), days="1")
        row = self.row("TJ-V1", "P-WJG")
        # 2025 has 248 working days; 0.3333 × 248 = 82.66, rounded up to the half day: 83.
        # 3 March counts once (1 day), the stay 3 days; a talk with experts is not field work.
        self.assertEqual((row.required, row.actual, row.status), (Decimal(83), Decimal(4), SHORT))


class LimitTests(EvaluatorTestCase):
    """HF-V3 (001 §2): on a village stay the city party secretary travels with at most 5
    people and 2 cars, other city leaders with 4 and 1."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        city = make_unit("合肥市", "city", code="HF")
        cls.mayor = make_person("韩市长", city, "city_leader", code="P-HSZ")
        cls.boss = make_person("周书记", city, "city_secretary;city_leader", code="P-ZSJ")

    def test_entourage_and_cars_are_limited_by_post(self) -> None:
        make_visit(self.mayor, self.c.taoyuan, "village_stay", entourage=4, cars=1)
        make_visit(
            self.mayor, self.c.liuxi, "village_stay", date=D(2025, 5, 5), entourage=5, cars=1
        )
        make_visit(self.boss, self.c.liuxi, "village_stay", entourage=5, cars=2, board_paid=True)
        mayor = self.row("HF-V3", "P-HSZ", today=D(2025, 6, 1))
        self.assertEqual((mayor.required, mayor.actual, mayor.status), (2, 1, SHORT))
        self.assertIn("(limit 4)", mayor.note)
        self.assertEqual(self.row("HF-V3", "P-ZSJ").status, MET)

    def test_a_county_leader_s_stay_is_not_under_the_city_limits(self) -> None:
        make_visit(self.leader, self.c.taoyuan, "village_stay", entourage=9, cars=3)
        self.assertEqual([r.subject for r in self.rows("HF-V3")], [])

    def test_a_recorded_breach_of_board_or_banners_breaks_the_limit(self) -> None:
        make_visit(self.mayor, self.c.taoyuan, "village_stay", entourage=1, board_paid=False)
        row = self.row("HF-V3", "P-HSZ")
        self.assertEqual((row.actual, row.status), (0, SHORT))
        self.assertIn("board and lodging not paid", row.note)

    def test_no_stay_no_limit_row(self) -> None:
        self.assertFalse(self.rows("HF-V3"))


class RosterTests(EvaluatorTestCase):
    def test_the_no_meeting_week_is_the_first_week_starting_in_the_month(self) -> None:
        self.assertEqual(no_meeting_week(2025, 3).code, "2025-W10")  # 1 March is a Saturday
        self.assertEqual(no_meeting_week(2025, 3).start, D(2025, 3, 3))
        self.assertEqual(no_meeting_week(2025, 9).start, D(2025, 9, 1))

    def test_a_meeting_booked_in_a_no_meeting_week_is_flagged(self) -> None:
        """HF-V6 is the city's no-meeting week (001 §4): a county sets its own."""
        city = make_unit("合肥市", "city", code="HF")
        bureau = make_unit("市委办", "department", city, code="HF-SWB")
        meeting_save(meeting=Meeting(date=D(2025, 3, 4), title="全市工作会", unit=bureau))
        meeting_save(meeting=Meeting(date=D(2025, 5, 6), title="全县工作会", unit=self.c.county))
        rows = {r.period: r for r in self.rows("HF-V6", today=D(2025, 3, 20))}
        self.assertEqual({r.subject for r in self.rows("HF-V6", today=D(2025, 3, 20))}, {"HF"})
        # The first Mondays of January, March, May, July, September and November 2025.
        self.assertEqual(
            set(rows), {"2025-W02", "2025-W10", "2025-W19", "2025-W28", "2025-W36", "2025-W45"}
        )
        self.assertEqual(rows["2025-W10"].status, SHORT)
        self.assertIn("全市工作会", rows["2025-W10"].note)
        self.assertEqual(rows["2025-W02"].status, MET)
        self.assertEqual(rows["2025-W19"].status, OPEN)
