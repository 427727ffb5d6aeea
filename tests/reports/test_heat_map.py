"""The compliance heat map on the dashboard: units × months coloured by the share of rows met,
each cell linked to that unit's page for that month, with its figures as a table; a reader
sees only the units in scope."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from rules.clocks import clock_complete, clock_start
from tests.helpers import build_county, make_rule

D = dt.date


class HeatMapPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule("T-REPLY")
        # 青山乡: May on time, June late (still open); 城关镇: June on time.
        cls.start(D(2025, 5, 6), cls.c.qingshan, done=D(2025, 5, 7))
        cls.start(D(2025, 6, 9), cls.c.qingshan)
        cls.start(D(2025, 6, 10), cls.c.chengguan, done=D(2025, 6, 11))

    @classmethod
    def start(cls, day: dt.date, unit: object, done: dt.date | None = None, step: str = "") -> None:
        clock = clock_start(
            rule=cls.rule,
            item=cls.c.household_taoyuan,
            step=step or f"reply-{day}-{unit}",
            start=day,
            unit=unit,
        )
        if done is not None:
            clock_complete(clock=clock, done_on=done)

    def html(self, user: object) -> str:
        self.client.force_login(user)
        return self.client.get("/reports/?year=2025").content.decode()

    def test_the_supervisor_sees_every_unit_by_month_with_links_and_a_table(self) -> None:
        html = self.html(self.c.supervisor)
        self.assertIn('data-chart="heat-map"', html)
        self.assertIn("<svg", html)
        may = "/reports/units/QH-QS/?year=2025&amp;part=05"
        self.assertIn(f'<a href="{may}" data-heat-cell>', html)
        self.assertIn("/reports/units/QH-QS/?year=2025&amp;part=06", html)
        self.assertIn("/reports/units/QH-CG/?year=2025&amp;part=06", html)
        # no rows in July: a grey cell without a link
        self.assertNotIn("/reports/units/QH-QS/?year=2025&amp;part=07", html)
        table = re.search(r"<details class=\"chart-data\">.*?</details>", html, re.S).group(0)
        qingshan = re.search(r"<tr><th scope=\"row\">青山乡</th>.*?</tr>", table, re.S).group(0)
        shares = re.findall(r'data-share="([^"]*)"', qingshan)
        self.assertEqual(shares[4:6], ["100.0", "0.0"])
        self.assertEqual(shares[6], "")
        self.assertIn('fill="#1a7f37"', html)  # 100 %: green
        self.assertIn('fill="#b42318"', html)  # 0 %: red

    def test_a_cell_opens_the_units_page_for_that_month(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get("/reports/units/QH-QS/", {"year": 2025, "part": "06"})
        self.assertEqual(response.status_code, 200)

    def test_a_township_sees_only_its_own_units(self) -> None:
        html = self.html(self.c.qingshan_staff)
        self.assertIn("/reports/units/QH-QS/?year=2025&amp;part=05", html)
        self.assertNotIn("QH-CG", html)
        self.assertNotIn("城关镇", re.search(r"<figure.*?</figure>", html, re.S).group(0))
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get("/reports/units/QH-CG/", {"year": 2025, "part": "06"})
        self.assertEqual(response.status_code, 404)

    def test_the_query_count_does_not_grow_with_the_clocks(self) -> None:
        self.client.force_login(self.c.supervisor)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.client.get("/reports/?year=2025")
            return len(queries)

        count()  # item types are looked up once per process
        few = count()
        for month in range(7, 12):
            self.start(D(2025, month, 8), self.c.chengguan, done=D(2025, month, 9))
        self.assertEqual(count(), few)
        # session, user, unit; townships; rules; the DEADLINE evaluator for the year; visible
        # units and people; the PDF form's units; the heat map: the DEADLINE evaluator for
        # each of the twelve months (units only: no rule names posts).
        with self.assertNumQueries(21):
            self.client.get("/reports/?year=2025")

    def test_a_quarter_has_no_heat_map(self) -> None:
        self.client.force_login(self.c.supervisor)
        html = self.client.get("/reports/", {"year": 2025, "part": "Q2"}).content.decode()
        self.assertNotIn('data-chart="heat-map"', html)
