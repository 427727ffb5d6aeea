from __future__ import annotations

import io
import random
import re

import openpyxl
from django.conf import settings
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.models import Household, Link, Person, Role
from tests.helpers import build_county, make_household, make_person, make_unit, make_user
from tests.visits.helpers import D, load_visit_rules, make_visit
from visits.models import Meeting, Visit, VisitHousehold, VisitPerson

TODAY = D(2025, 11, 20)


@override_settings(FROZEN_TODAY=TODAY)
class VisitPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_visit_rules()
        cls.party = cls.c.household_taoyuan
        cls.monitored = make_household("赵监测", cls.c.taoyuan, "monitored", code="H-TY-M")
        cls.plain = make_household("钱普通", cls.c.taoyuan, "", code="H-TY-P")
        cls.visit = make_visit(
            cls.c.county_leader, cls.c.taoyuan, households=[cls.party], date=D(2025, 3, 3)
        )

    def setUp(self) -> None:
        # The assertions read the English messages (the Chinese ones come from the catalogue).
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for name, args in (
            ("visit-list", []),
            ("visit-new", []),
            ("visit-detail", [self.visit.pk]),
            ("visit-my-quotas", []),
            ("visit-quota-board", []),
            ("visit-export", []),
        ):
            url = reverse(name, args=args)
            response = self.client.get(url)
            self.assertRedirects(
                response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
            )

    def test_a_visit_outside_the_scope_gets_404(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        self.assertEqual(
            self.client.get(reverse("visit-detail", args=[self.visit.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("visit-edit", args=[self.visit.pk])).status_code, 404
        )

    def test_the_township_sees_a_visit_in_its_village(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("visit-detail", args=[self.visit.pk]))
        self.assertContains(response, "张三")

    def test_the_ledger_lists_only_visits_in_scope(self) -> None:
        make_visit(self.c.chengguan_head, self.c.dongjie, households=[self.c.household_dongjie])
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.get(reverse("visit-list"))
        self.assertContains(response, "陈四")
        self.assertNotContains(response, "张三")

    def test_the_ledger_keeps_a_constant_query_count(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        # session, user, the user's unit (scope), one page of visits joined with their place,
        # the names of the page's people and households (one query) — the same for 1 visit
        # as for 60.
        with self.assertNumQueries(5):
            self.client.get(reverse("visit-list"))
        for n in range(60):
            make_visit(
                self.c.county_leader, self.c.liuxi, "grassroots", date=D(2025, 1, 1 + n % 28)
            )
        with self.assertNumQueries(5):
            response = self.client.get(reverse("visit-list"))
        self.assertContains(response, "柳溪村")

    def test_a_person_out_of_scope_gets_404_on_their_quotas(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        url = reverse("visit-person-quotas", args=[self.c.qingshan_secretary.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.c.supervisor)
        self.assertContains(self.client.get(url), "HF-V2b")

    def test_staff_without_a_board_role_get_403_on_the_board(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(reverse("visit-quota-board")).status_code, 403)

    def test_a_supervisor_cannot_log_visits(self) -> None:
        self.client.force_login(self.c.supervisor)
        self.assertEqual(self.client.get(reverse("visit-new")).status_code, 403)

    def test_a_leader_logs_a_household_visit_and_sees_my_quotas(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-06-02",
            "kind": "household",
            "unit": self.c.taoyuan.pk,
            "people": [self.c.county_leader.pk],
            "days": "0.5",
            "households": [self.monitored.pk, self.plain.pk],
            "heard": "盼修路",
            "save": "1",
        }
        response = self.client.post(reverse("visit-new"), data, follow=True)
        self.assertRedirects(response, reverse("visit-my-quotas"))
        # 张三 (March) + two new households: 3 of 30; 桃园村 now has the whole mix.
        self.assertContains(
            response, '<span class="actual">3</span> / <span class="required">30</span>', html=False
        )
        visit = Visit.objects.get(date=D(2025, 6, 2))
        self.assertEqual(visit.recorded_by, self.c.leader)
        self.assertEqual(set(visit.households.all()), {self.monitored, self.plain})

    def test_my_quotas_draw_one_bar_per_quota_and_name_rules_by_their_short_name(self) -> None:
        self.client.force_login(self.c.leader)
        html = self.client.get(reverse("visit-my-quotas")).content.decode()
        article = re.search(r'<article class="quota" id="quota-HF-V1b".*?</article>', html, re.S)
        self.assertIsNotNone(article)
        quota = article.group(0)
        # 张三 (March): 1 of 30 households
        self.assertIn('<span class="progress-bar" data-progress="3.3" data-status="open">', quota)
        self.assertIn('<rect x="0" y="0" width="3.3" height="10.0"', quota)
        self.assertRegex(quota, r'title="HF-V1b [^"]*">县领导走访户数</a>')
        self.assertEqual(html.count('class="progress-bar"'), html.count('class="quota"'))

    def test_the_form_shows_errors_inline_and_keeps_the_picked_households(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-06-02",
            "kind": "household",
            "unit": self.c.liuxi.pk,
            "people": [self.c.county_leader.pk],
            "days": "0.5",
            "households": [self.monitored.pk],
        }
        response = self.client.post(reverse("visit-new"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Not in 柳溪村")
        self.assertContains(response, f'value="{self.monitored.pk}" checked')

    def test_a_future_date_is_refused(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-12-01",
            "kind": "grassroots",
            "unit": self.c.taoyuan.pk,
            "people": [self.c.county_leader.pk],
            "days": "0.5",
        }
        response = self.client.post(reverse("visit-new"), data)
        self.assertContains(response, "cannot be dated in the future")

    def test_the_household_search_matches_pinyin_initials(self) -> None:
        self.client.force_login(self.c.leader)
        url = reverse("visit-household-search")
        response = self.client.get(url, {"unit": self.c.taoyuan.pk, "q": "zj"})
        self.assertContains(response, "赵监测")
        self.assertNotContains(response, "钱普通")
        response = self.client.get(
            url, {"unit": self.c.qingshan.pk, "q": "", "households": [self.party.pk]}
        )
        self.assertContains(response, "钱普通")
        self.assertNotContains(response, "张三")  # already picked

    def test_save_and_log_another_carries_the_day_over(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-06-02",
            "kind": "grassroots",
            "unit": self.c.taoyuan.pk,
            "people": [self.c.county_leader.pk],
            "days": "0.5",
            "another": "1",
        }
        response = self.client.post(reverse("visit-new"), data)
        self.assertRedirects(
            response,
            f"{reverse('visit-new')}?date=2025-06-02&kind=grassroots&unit={self.c.taoyuan.pk}&days=0.5&people={self.c.county_leader.pk}",
            fetch_redirect_response=False,
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, 'value="2025-06-02"')

    def test_a_day_round_saves_one_visit_per_stop(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-06-03",
            "days": "1",
            "people": [self.c.county_leader.pk],
            "stop-TOTAL_FORMS": "2",
            "stop-INITIAL_FORMS": "0",
            "stop-MIN_NUM_FORMS": "0",
            "stop-MAX_NUM_FORMS": "20",
            "stop-0-kind": "household",
            "stop-0-unit": self.c.taoyuan.pk,
            "stop-0-households": "zjc H-TY-P",
            "stop-1-kind": "grassroots",
            "stop-1-unit": self.c.liuxi.pk,
            "stop-1-heard": "看灌溉渠",
        }
        response = self.client.post(reverse("visit-round"), data)
        self.assertRedirects(response, reverse("visit-list"))
        visits = Visit.objects.filter(date=D(2025, 6, 3))
        self.assertEqual(visits.count(), 2)
        self.assertEqual(
            set(visits.get(unit=self.c.taoyuan).households.all()), {self.monitored, self.plain}
        )

    def test_a_round_line_with_an_unknown_household_is_an_inline_error(self) -> None:
        self.client.force_login(self.c.leader)
        data = {
            "date": "2025-06-03",
            "days": "1",
            "people": [self.c.county_leader.pk],
            "stop-TOTAL_FORMS": "1",
            "stop-INITIAL_FORMS": "0",
            "stop-MIN_NUM_FORMS": "0",
            "stop-MAX_NUM_FORMS": "20",
            "stop-0-kind": "household",
            "stop-0-unit": self.c.taoyuan.pk,
            "stop-0-households": "无此人",
        }
        response = self.client.post(reverse("visit-round"), data)
        self.assertContains(response, "No household matches")
        self.assertFalse(Visit.objects.filter(date=D(2025, 6, 3)).exists())

    def test_deleting_a_visit_keeps_it_out_of_the_ledger(self) -> None:
        self.client.force_login(self.c.leader)
        self.client.post(reverse("visit-delete", args=[self.visit.pk]), {"reason": "重复录入"})
        self.assertTrue(Visit.all_objects.get(pk=self.visit.pk).is_deleted)
        self.assertNotContains(self.client.get(reverse("visit-list")), "张三")

    def test_the_export_is_a_readable_sheet_and_an_importable_one(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("visit-export"))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["走访台账", "visits"])
        importable = list(workbook["visits"].values)
        self.assertEqual(importable[0][:5], ("date", "person", "unit", "households", "kind"))
        self.assertEqual(
            importable[1][:5], ("2025-03-03", "P-WJG", "QH-QS-TY", "H-ZS", "household")
        )
        readable = list(workbook["走访台账"].values)
        self.assertIn("张三", readable[1])

    def test_a_meeting_in_a_no_meeting_week_is_flagged(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.post(
            reverse("meeting-list"),
            {"date": "2025-03-04", "title": "全县工作会", "unit": self.c.county.pk},
            follow=True,
        )
        self.assertContains(response, "booked in a no-meeting week")
        self.assertEqual(Meeting.objects.count(), 1)

    def test_my_quotas_names_the_gaps_the_time_left_and_households_to_visit(self) -> None:
        self.client.force_login(self.c.leader)
        response = self.client.get(reverse("visit-my-quotas"))
        # 20 November 2025: 42 days left in the year, 30 of them working days.
        self.assertContains(response, "42 days left")
        self.assertContains(response, "30 working days")
        # 桃园村 has only 张三 (a party member): the missing types are named, and 赵监测
        # (monitored) and 钱普通 (no category) are suggested for them.
        self.assertContains(response, "桃园村: 1 of 3 households visited; missing:")
        self.assertContains(response, "柳溪村: not visited yet")
        suggestions = response.context["quotas"].suggestions
        self.assertEqual(
            {s.household["head"] for s in suggestions if "TY-V2" in s.reasons[0]},
            {"赵监测", "钱普通"},
        )

    def test_the_board_puts_whoever_is_furthest_behind_first(self) -> None:
        busy = make_person("钱勤快", self.c.county, "county_leader", code="P-QQK")
        Link.objects.create(person=busy, unit=self.c.qingshan, kind="linked_township")
        make_visit(busy, self.c.taoyuan, households=[self.party, self.monitored, self.plain])
        make_visit(busy, self.c.taoyuan, "policy_talk", date=D(2025, 4, 1))
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("visit-quota-board"), {"year": 2025})
        names = [line.name for line in response.context["page"].rows]
        self.assertLess(names.index("王建国"), names.index("钱勤快"))
        response = self.client.get(reverse("visit-quota-board"), {"year": 2025, "sort": "name"})
        codes = [line.code for line in response.context["page"].rows]
        self.assertEqual(codes, sorted(codes))

    def test_the_today_page_shows_the_leaders_visit_quotas(self) -> None:
        self.client.force_login(self.c.leader)
        response = self.client.get(reverse("today"))
        self.assertContains(response, "visit rules not yet met")

    def test_my_quotas_without_a_person_says_so(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertContains(self.client.get(reverse("visit-my-quotas")), "not tied to a person")


def _bulk_county(c, people: int, seed: int = 3) -> None:
    """`people` leaders and cadres with links, 1,000 households and a year of visits each
    (one a month, two households per visit), written in bulk."""
    rng = random.Random(seed)
    townships = [make_unit(f"镇{t}", "township", c.county, code=f"BT{t}") for t in range(4)]
    villages = [
        make_unit(f"村{t}-{v}", "village", townships[t], code=f"BT{t}-V{v}")
        for t in range(4)
        for v in range(5)
    ]
    categories = ["party_member", "monitored", "alleviated", "", "other"]
    households = Household.objects.bulk_create(
        Household(
            code=f"BH{n}", head=f"户主{n}", village=villages[n % 20], categories=categories[n % 5]
        )
        for n in range(1000)
    )
    posts = ["county_leader", "township_secretary", "township_head", "township_leader", "cadre"]
    persons = Person.objects.bulk_create(
        Person(
            code=f"BP{n}",
            name=f"干部{n}",
            unit=c.county if n % 5 == 0 else townships[n % 4],
            posts=posts[n % 5],
            rank="staff",
        )
        for n in range(people)
    )
    Link.objects.bulk_create(
        Link(
            person=p,
            unit=townships[n % 4] if n % 5 == 0 else villages[n % 20],
            kind="linked_township" if n % 5 == 0 else "linked_village",
        )
        for n, p in enumerate(persons)
    )
    visits = Visit.objects.bulk_create(
        Visit(
            date=D(2025, month, 1 + rng.randrange(27)),
            kind=rng.choice(["household", "household", "research", "village_stay", "enterprise"]),
            unit=villages[n % 20],
            days=1,
            entourage=rng.randrange(6),
        )
        for n in range(people)
        for month in range(1, 13)
    )
    VisitPerson.objects.bulk_create(
        VisitPerson(visit=v, person=persons[i // 12], date=v.date) for i, v in enumerate(visits)
    )
    by_village = {v.pk: [h for h in households if h.village_id == v.pk] for v in villages}
    VisitHousehold.objects.bulk_create(
        VisitHousehold(visit=v, household=h, date=v.date)
        for v in visits
        for h in rng.sample(by_village[v.unit_id], 2)
    )
    # A database analyses its tables after a load (PostgreSQL's autovacuum does it itself);
    # without statistics both planners take the tables for empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@override_settings(FROZEN_TODAY=TODAY)
class QuotaPagesAtScaleTests(TestCase):
    """ "My quotas" and the supervisor's board keep their query counts with a year of visits
    for 3,000 people (36,000 visits)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_visit_rules()
        cls.member = make_person("孙委员", cls.c.qingshan, "township_leader", code="P-SWY")
        Link.objects.create(person=cls.member, unit=cls.c.taoyuan, kind="linked_village")
        cls.member_user = make_user("member", cls.c.qingshan, Role.LEADER, person=cls.member)

    def counts(self) -> tuple[int, int, int]:
        from django.test.utils import CaptureQueriesContext

        results = []
        for user, url in (
            (self.c.leader, reverse("visit-my-quotas") + "?year=2025"),
            (self.member_user, reverse("visit-my-quotas") + "?year=2025"),
            (self.c.supervisor, reverse("visit-quota-board") + "?year=2025"),
        ):
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            results.append(len(queries))
        return tuple(results)

    def test_query_counts_do_not_grow_with_people_and_visits(self) -> None:
        make_visit(self.c.county_leader, self.c.taoyuan, households=[self.c.household_taoyuan])
        small = self.counts()
        # My quotas of a county leader: session, user, the user's person, the visit rules,
        # then the facts, each once: the person, links, visits per kind, households per
        # village, the org tree, field days per date, visits per place and month, the
        # calendar year and its days; suggested households; the header's unit = 15 (the village
        # stays' discipline facts are read for the city leaders' limits, HF-V3, only).
        # A township member (TY-V4, HF-V9a/b) needs no stays, field days or org tree, but the
        # household count of the village = 13. The board: session, user, unit
        # (scope), the rules, then every fact once for everyone in scope, including villager
        # groups reached (two queries) and household counts = 16.
        self.assertEqual(small, (15, 13, 16))
        _bulk_county(self.c, 3000)
        self.assertEqual(Visit.objects.count(), 36_001)
        self.assertEqual(self.counts(), small)
        self.client.force_login(self.c.leader)
        with self.assertNumQueries(small[0]):
            response = self.client.get(reverse("visit-my-quotas") + "?year=2025")
        self.assertContains(response, "HF-V1b")
        self.client.force_login(self.c.supervisor)
        with self.assertNumQueries(small[2]):
            response = self.client.get(reverse("visit-quota-board") + "?year=2025")
        self.assertContains(response, "干部")
