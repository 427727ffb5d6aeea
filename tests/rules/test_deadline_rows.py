"""Deadline rows on the today page and the deadline board: each row leads to its matter, names
the step in words, the matter by its reference and the rule by its short name (the code on
hover), and says the days left or overdue as the clock counts them."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.models import Petition
from rules.clocks import clock_start
from rules.deadline_rows import due_in_words, overdue_counts
from rules.models import Clock, Rule
from rules.visibility import item_links
from tests.helpers import build_county, make_rule
from tests.petitions.helpers import load_rule_packs, make_petition

D = dt.date
TODAY = D(2026, 11, 26)  # a Thursday

ROW = re.compile(r"<tr data-deadline-row.*?</tr>", re.S)


def rows_of(html: str) -> list[str]:
    return ROW.findall(html)


@override_settings(FROZEN_TODAY=TODAY)
class DeadlineRowTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_rule_packs()
        # Routed to 城关镇 on Monday 16 November: NAT-OBJECT (5 working days) was due on Monday
        # 23 November and is overdue; NAT-ACCEPT (15 days) is due on 1 December.
        cls.petition = make_petition(cls.c, received_on=D(2026, 11, 16), lead_unit=cls.c.chengguan)

    def clock(self, rule_id: str) -> Clock:
        return Clock.objects.get(rule__rule_id=rule_id, state="open")

    def test_rules_carry_their_short_name_from_the_pack(self) -> None:
        self.assertEqual(Rule.objects.get(rule_id="NAT-ACCEPT").short_name, "受理告知时限")
        self.assertEqual(Rule.objects.get(rule_id="NAT-OBJECT").short_name, "异议提出时限")

    def test_days_left_and_overdue_follow_what_the_clock_counts(self) -> None:
        # NAT-OBJECT counts working days: 24, 25, 26 November since the due date.
        self.assertEqual(due_in_words(self.clock("NAT-OBJECT"), TODAY), "已超期3个工作日")
        # NAT-ACCEPT counts calendar days: 1 December is 5 days away.
        self.assertEqual(due_in_words(self.clock("NAT-ACCEPT"), TODAY), "还剩5天")
        self.assertEqual(due_in_words(self.clock("NAT-ACCEPT"), D(2026, 12, 1)), "今日到期")
        self.assertEqual(due_in_words(self.clock("NAT-ACCEPT"), D(2026, 12, 4)), "已超期3天")

    def test_the_petition_office_today_page_rows_lead_to_the_petition(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        html = self.client.get(reverse("today")).content.decode()
        rows = rows_of(html)
        self.assertEqual(len(rows), 2)
        url = reverse("petition-detail", args=[self.petition.pk])
        for row in rows:
            self.assertIn(f'href="{url}" data-deadline-link>{self.petition.ref}</a>', row)
            self.assertIn("进行中", row)
            self.assertNotIn("#", re.sub(r"<[^>]+>", "", row))
        overdue, accept = rows
        self.assertIn("提出异议", overdue)
        self.assertIn("已超期3个工作日", overdue)
        self.assertRegex(overdue, r'<abbr class="rule-name" title="NAT-OBJECT [^"]*">异议提出时限<')
        self.assertIn("受理告知", accept)
        self.assertIn("还剩5天", accept)
        self.assertRegex(accept, r'title="NAT-ACCEPT [^"]*">受理告知时限<')

    def test_the_supervisor_board_has_the_same_rows(self) -> None:
        self.client.force_login(self.c.supervisor)
        html = self.client.get(reverse("deadline-board")).content.decode()
        rows = rows_of(html)
        self.assertEqual(len(rows), 2)
        self.assertTrue(all("data-deadline-link" in row for row in rows))
        self.assertIn("受理告知", html)
        self.assertIn("已超期3个工作日", html)

    def test_the_handling_unit_opens_the_links_of_its_rows(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        html = self.client.get(reverse("today")).content.decode()
        links = re.findall(r'href="([^"]+)" data-deadline-link', html)
        self.assertTrue(links)
        for link in links:
            self.assertEqual(self.client.get(link).status_code, 200)

    def test_a_link_is_offered_only_to_who_may_open_the_matter(self) -> None:
        key = (ContentType.objects.get_for_model(Petition).pk, self.petition.pk)
        self.assertIn(key, item_links(self.c.chengguan_staff, [key]))
        self.assertEqual(item_links(self.c.education_staff, [key]), {})

    def test_a_matters_deadline_table_names_steps_and_labels_open_clocks_in_progress(self) -> None:
        clocks = list(Clock.objects.for_item(self.petition).select_related("rule", "unit"))
        html = render_to_string("petitions/_clocks.html", {"clocks": clocks, "today": TODAY})
        self.assertIn("受理告知", html)
        self.assertIn('<span class="badge open">进行中</span>', html)
        self.assertNotIn("生成中", html)

    def test_the_today_panel_reads_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.c.petition_clerk)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.client.get(reverse("today"))
            return len(queries)

        count()  # item types are looked up once per process (ContentType's cache)
        few = count()
        for n in range(3):
            make_petition(
                self.c,
                received_on=D(2026, 11, 17 + n),
                lead_unit=self.c.qingshan,
                id_number=None,
                name=f"群众{n}",
            )
        self.assertEqual(count(), few)
        # session, user, header unit; the panel: the units outside the user's scope (few: the
        # clocks are then kept by their unit's id), its clocks, the petitions' links and
        # references (one query per item type), the calendar years and their days (days left:
        # two queries however many years the rows reach).
        with self.assertNumQueries(8):
            self.client.get(reverse("today"))


@override_settings(FROZEN_TODAY=TODAY)
class BoardQueryAndTrendTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_rule_packs()
        cls.rule = make_rule("T-REPLY")

    def grow(self, n: int) -> None:
        first = Clock.objects.count()
        for i in range(first, first + n):
            make_petition(
                self.c,
                received_on=D(2026, 11, 2 + i % 5),
                lead_unit=self.c.chengguan,
                name=f"人{i}",
            )
            clock_start(
                rule=self.rule,
                item=self.c.household_taoyuan,
                step=f"s{i}",
                start=D(2026, 10, 1),
                unit=self.c.qingshan,
            )

    def test_the_board_reads_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.c.supervisor)
        self.grow(1)
        # session, user, header unit, item-type choices, the calendar year and its days (the
        # due-soon horizon and the days left), the open clocks per unit and band of due dates
        # (the counts, the by-unit table and the open part of the trend), the clocks paused
        # or done lately (the rest of the trend), the listed units' names, rows, the
        # petitions' links and references (one per item type), the rule choices of the
        # filter (the unit is typed); and the units outside the user's scope (few: the counts
        # then read the clocks' unit ids and subtract the items hidden from the user).
        with self.assertNumQueries(13):
            self.client.get(reverse("deadline-board"))
        self.grow(4)
        with self.assertNumQueries(13):
            response = self.client.get(reverse("deadline-board"))
        self.assertContains(response, 'data-chart="overdue-trend"')

    def test_the_trend_counts_what_was_overdue_at_the_end_of_each_week(self) -> None:
        # Due 8 October (5 working days from 1 October over the National Day holiday … the
        # clock says when); done on the Friday two weeks before today.
        clock = clock_start(
            rule=self.rule,
            item=self.c.household_taoyuan,
            step="x",
            start=D(2026, 11, 2),
            unit=self.c.qingshan,
        )
        Clock.objects.filter(pk=clock.pk).update(
            due=D(2026, 11, 9), done_on=D(2026, 11, 20), state="done", on_time=False
        )
        counts = overdue_counts(
            Clock.objects.all(), [D(2026, 11, 8), D(2026, 11, 15), D(2026, 11, 22)]
        )
        self.assertEqual(counts, [0, 1, 0])

    def test_the_trend_is_drawn_with_its_figures_as_a_table(self) -> None:
        clock_start(
            rule=self.rule,
            item=self.c.household_taoyuan,
            step="y",
            start=D(2026, 11, 2),
            unit=self.c.qingshan,
        )  # due 9 November, still open
        self.client.force_login(self.c.supervisor)
        html = self.client.get(reverse("deadline-board")).content.decode()
        self.assertIn('<svg viewBox="0 0 640.0 220.0"', html)
        self.assertIn(
            '<tr data-day="2026-11-08"><th scope="row">2026年11月8日</th><td class="num">0</td>',
            html,
        )
        self.assertIn(
            '<tr data-day="2026-11-15"><th scope="row">2026年11月15日</th><td class="num">1</td>',
            html,
        )
        self.assertIn(
            '<tr data-day="2026-11-26"><th scope="row">2026年11月26日</th><td class="num">1</td>',
            html,
        )
        self.assertEqual(html.count("<tr data-day="), 12)


@override_settings(FROZEN_TODAY=D(2026, 11, 26))
class BoardCountsTests(TestCase):
    """The board's counts read by bands of due dates equal the plain aggregates."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        rule = make_rule("T-BAND")
        cases = [
            (D(2026, 8, 3), "open", None, cls.c.qingshan),
            (D(2026, 9, 14), "open", None, cls.c.qingshan),
            (D(2026, 11, 25), "open", None, cls.c.chengguan),
            (D(2026, 11, 26), "open", None, cls.c.chengguan),
            (D(2026, 11, 30), "open", None, cls.c.education),
            (D(2026, 10, 5), "done", D(2026, 11, 2), cls.c.qingshan),
            (D(2026, 10, 5), "done", D(2026, 10, 1), cls.c.qingshan),
            (D(2026, 10, 12), "paused", None, cls.c.education),
            (D(2026, 10, 12), "cancelled", None, cls.c.education),
        ]
        for index, (due, state, done_on, unit) in enumerate(cases):
            clock = clock_start(
                rule=rule,
                item=cls.c.household_taoyuan,
                step=f"b{index}",
                start=D(2026, 7, 1),
                unit=unit,
            )
            Clock.objects.filter(pk=clock.pk).update(due=due, state=state, done_on=done_on)

    def test_the_banded_counts_equal_counting_each_day_and_unit(self) -> None:
        from django.db.models import Count, Q

        from directory.charts import week_ends
        from rules.deadline_rows import board_counts

        today, horizon = D(2026, 11, 26), D(2026, 12, 3)
        ends = week_ends(today, 12)
        clocks = Clock.objects.visible_to(self.c.supervisor)
        counted = board_counts(
            clocks,
            Clock.objects.visible_to(self.c.supervisor, per_row=True),
            today=today,
            horizon=horizon,
            days=ends,
        )
        plain = list(
            clocks.open()
            .filter(due__lte=horizon)
            .values("unit__name", "unit__code")
            .annotate(n=Count("pk"), late=Count("pk", filter=Q(due__lt=today)))
            .order_by("-late", "-n", "unit__code")
        )
        self.assertEqual(counted.per_unit, plain)
        self.assertEqual(counted.trend, overdue_counts(clocks, ends))
        # today: open and due 3 Aug, 14 Sep, 25 Nov, and the paused one (due 12 Oct)
        self.assertEqual(counted.trend[-1], 4)
