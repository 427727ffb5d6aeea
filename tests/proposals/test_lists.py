"""The three public lists: the public page (no login, public fields only, overdue flagged),
staff progress updates, and TY-L1 compliance per responsible unit."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from directory.models import Role
from proposals.evaluators import PublicListEvaluator
from proposals.models import ListProgress
from proposals.services import list_item_progress
from rules.models import Rule
from rules.periods import Period
from tests.helpers import PASSWORD, make_person, make_user

from .helpers import build_proposals_county, load_proposal_rules, make_list_item

YEAR = 2025


class PublicListsTestCase(TestCase):
    def setUp(self) -> None:
        self.c = build_proposals_county()
        self.c.base.county_leader.phone = "13812345678"
        self.c.base.county_leader.save()
        leader = self.c.base.county_leader
        self.overdue = make_list_item(
            leader, self.c.base.education, code="L1", target=dt.date(2025, 3, 31),
            title="改造城区学校厕所", internal_note="资金缺口200万，暂不公开",
        )  # fmt: skip
        self.done = make_list_item(
            leader, self.c.base.qingshan, code="L2", kind="legacy", target=dt.date(2025, 9, 30),
            completed=dt.date(2025, 9, 1), title="解决桃园村饮水遗留问题",
        )  # fmt: skip
        self.reform = make_list_item(
            leader, self.c.base.qingshan, code="L3", kind="reform", target=dt.date(2025, 12, 31),
            title="推进乡镇综合行政执法改革",
        )  # fmt: skip
        list_item_progress(item=self.overdue, on=dt.date(2025, 3, 1), text="已完成设计招标")
        hidden = make_list_item(leader, self.c.base.qingshan, code="L4", title="尚未公布的事项")
        hidden.published = False
        hidden.save()


class PublicPageTests(PublicListsTestCase):
    def test_anyone_reads_the_three_lists_without_logging_in(self) -> None:
        # the items with leader and unit, their progress updates.
        with self.assertNumQueries(2):
            response = self.client.get(reverse("public-lists"), {"year": YEAR})
        self.assertEqual(response.status_code, 200)
        for text in ("为群众办实事清单", "重点遗留问题清单", "改革事项清单"):
            self.assertContains(response, text)
        for text in ("改造城区学校厕所", "王建国", "县教育局", "已完成设计招标"):
            self.assertContains(response, text)

    def test_the_public_page_shows_no_field_that_is_not_public(self) -> None:
        response = self.client.get(reverse("public-lists"), {"year": YEAR})
        self.assertNotContains(response, "资金缺口")
        self.assertNotContains(response, "13812345678")
        self.assertNotContains(response, "尚未公布的事项")
        # Internal codes stay internal (read in the page's content: a random CSRF token in the
        # header may contain any two characters).
        main = response.content.decode().split("<main", 1)[1]
        self.assertNotIn("L1", main)
        self.assertNotContains(response, 'href="/proposals/')  # no link into the staff pages

    def test_overdue_items_are_flagged(self) -> None:
        response = self.client.get(reverse("public-lists"), {"year": YEAR})
        html = response.content.decode()
        overdue_article = html.split('class="list-item overdue"')[1].split("</article>")[0]
        self.assertIn("改造城区学校厕所", overdue_article)
        self.assertIn('class="badge overdue"', overdue_article)
        self.assertIn('class="list-item done"', html)


class StaffListTests(PublicListsTestCase):
    def progress_url(self, item) -> str:
        return reverse("proposal-list-item-progress", args=[item.pk])

    def test_anonymous_is_sent_to_login_for_the_staff_pages(self) -> None:
        response = self.client.get(reverse("proposal-lists"))
        self.assertRedirects(response, f"/accounts/login/?next={reverse('proposal-lists')}")

    def test_staff_list_shows_every_item_with_constant_queries(self) -> None:
        self.client.login(username="education", password=PASSWORD)
        # session + account, the items with leader and unit, the account's unit (header).
        with self.assertNumQueries(4):
            response = self.client.get(reverse("proposal-lists"), {"year": YEAR})
        self.assertContains(response, "尚未公布的事项")

    def test_the_responsible_unit_records_progress_and_completion(self) -> None:
        self.client.login(username="education", password=PASSWORD)
        response = self.client.post(
            self.progress_url(self.overdue),
            {"on": "2025-04-10", "text": "全部完工并投入使用", "completed": "on"},
        )
        self.assertRedirects(response, reverse("proposal-list-item", args=[self.overdue.pk]))
        self.overdue.refresh_from_db()
        self.assertEqual(self.overdue.completed_on, dt.date(2025, 4, 10))
        self.assertEqual(ListProgress.objects.filter(item=self.overdue).count(), 2)

    def test_another_unit_may_read_but_not_update_an_item(self) -> None:
        self.client.login(username="chengguan", password=PASSWORD)
        self.assertEqual(
            self.client.get(reverse("proposal-list-item", args=[self.overdue.pk])).status_code, 200
        )
        response = self.client.post(
            self.progress_url(self.overdue), {"on": "2025-04-10", "text": "x"}
        )
        self.assertEqual(response.status_code, 403)

    def test_only_supervisors_and_admins_add_list_items(self) -> None:
        self.client.login(username="education", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("proposal-list-item-new")).status_code, 403)
        self.client.login(username="supervisor", password=PASSWORD)
        data = {
            "list_kind": "practical", "year": "2026", "code": "L9", "title": "新建便民服务中心",
            "lead_leader": self.c.base.county_leader.pk, "responsible_unit": self.c.base.qingshan.pk,
            "target_date": "2026-10-31", "published": "on",
        }  # fmt: skip
        response = self.client.post(reverse("proposal-list-item-new"), data)
        self.assertEqual(response.status_code, 302)

    def test_the_lead_of_an_item_must_be_a_county_leader(self) -> None:
        clerk = make_person("小李", self.c.base.qingshan, "cadre")
        self.client.login(username="admin", password=PASSWORD)
        data = {
            "list_kind": "practical", "year": "2026", "code": "L9", "title": "x",
            "lead_leader": clerk.pk, "responsible_unit": self.c.base.qingshan.pk,
            "target_date": "2026-10-31",
        }  # fmt: skip
        response = self.client.post(reverse("proposal-list-item-new"), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)

    def test_a_leader_of_another_unit_cannot_update(self) -> None:
        make_user("leader2", self.c.base.chengguan, Role.LEADER)
        self.client.login(username="leader2", password=PASSWORD)
        response = self.client.post(
            self.progress_url(self.reform), {"on": "2025-04-10", "text": "x"}
        )
        self.assertEqual(response.status_code, 403)


class PublicListComplianceTests(PublicListsTestCase):
    def test_ty_l1_counts_items_completed_by_their_target_per_unit(self) -> None:
        load_proposal_rules()
        rule = Rule.objects.get(rule_id="TY-L1")
        rows = PublicListEvaluator().evaluate([rule], Period.year(YEAR), today=dt.date(2026, 1, 5))
        got = {(r.subject, r.required, r.actual, r.status) for r in rows}
        # 青山乡: L2 done on time, L3 not done by 31 Dec (L4 is not published); 教育局: L1 late.
        self.assertEqual(got, {("QH-QS", 2, 1, "short"), ("QH-JYJ", 1, 0, "short")})
