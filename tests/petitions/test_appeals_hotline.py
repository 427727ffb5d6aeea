"""Hotline duty (TJ-H1a/b/c) as roster slots, their compliance rows, and the weekly hotline
analysis for the district heads (TJ-H2)."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase, override_settings
from django.urls import reverse

from petitions.appeals import services as s
from petitions.models import Reception
from petitions.roster.evaluators import RosterEvaluator
from petitions.roster.services import roster_generate
from petitions.roster.slots import slots_for
from rules.models import Rule
from rules.periods import Period
from tests.helpers import build_county

from .appeal_helpers import at, make_appeal, setup_appeals

D = dt.date


class HotlineRosterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals("tianjin")
        cls.c = build_county()
        cls.rules = list(Rule.objects.filter(rule_id__in=("TJ-H1a", "TJ-H1b", "TJ-H1c")))

    def slots(self, first: dt.date, last: dt.date) -> list[tuple[str, str, dt.date, str]]:
        return [
            (spec.rule.rule_id, spec.kind, spec.date, spec.part)
            for spec in slots_for(self.rules, first, last)
        ]

    def test_november_has_the_first_tuesday_first_friday_and_every_saturday_morning(self) -> None:
        slots = self.slots(D(2025, 11, 1), D(2025, 11, 30))
        self.assertIn(("TJ-H1a", "hotline", D(2025, 11, 4), "day"), slots)
        self.assertIn(("TJ-H1b", "enterprise_day", D(2025, 11, 7), "day"), slots)
        saturdays = [day for rule, _k, day, part in slots if rule == "TJ-H1c" and part == "am"]
        self.assertEqual(saturdays, [D(2025, 11, d) for d in (1, 8, 15, 22, 29)])
        self.assertEqual(len(slots), 7)

    def test_holidays_take_their_duties_off_and_a_worked_saturday_keeps_its_hotline(self) -> None:
        slots = self.slots(D(2025, 10, 1), D(2025, 10, 31))
        # 3 Oct (first Friday) and 4 Oct (Saturday) fall in the National Day holiday; 7 Oct
        # (first Tuesday) too
        self.assertEqual(
            [(rule, day) for rule, _k, day, _p in slots],
            [("TJ-H1c", D(2025, 10, d)) for d in (11, 18, 25)],
        )

    def test_generated_hotline_slots_are_filled_and_evaluated_per_month(self) -> None:
        created = roster_generate(
            first=D(2025, 11, 1), last=D(2025, 11, 30), acting_user=None, rules=self.rules
        )
        self.assertEqual(created, 7)
        saturday = Reception.objects.get(date=D(2025, 11, 8), kind="hotline")
        saturday.person = self.c.county_leader
        saturday.save()
        rows = RosterEvaluator().evaluate(
            [r for r in self.rules if r.rule_id == "TJ-H1c"],
            Period.year(2025),
            today=D(2025, 12, 1),
        )
        november = next(r for r in rows if r.period == "2025-11")
        self.assertEqual((november.subject, november.required, november.actual), ("QH", 5, 1))
        self.assertEqual(november.status, "short")


@override_settings(FROZEN_TODAY="2025-10-15")
class HotlineAnalysisTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        c = cls.c = build_county()
        clerk = c.petition_clerk
        # the week of Mon 29 Sep – Sun 5 Oct
        cls.a = make_appeal(c, received_at=at(2025, 9, 29), code="construction")
        s.appeal_assign(
            appeal=cls.a, unit=c.qingshan, on=D(2025, 9, 29), acting_user=clerk, instruction="办理"
        )
        s.appeal_reply(appeal=cls.a, text="已答复", on=D(2025, 9, 30), acting_user=c.qingshan_staff)
        s.appeal_feedback(appeal=cls.a, rating="满意", on=D(2025, 9, 30))
        cls.b = make_appeal(c, received_at=at(2025, 9, 30), code="utilities")
        s.appeal_assign(
            appeal=cls.b, unit=c.education, on=D(2025, 9, 30), acting_user=clerk, instruction="办理"
        )
        s.appeal_reply(
            appeal=cls.b, text="已答复", on=D(2025, 10, 10), acting_user=c.education_staff
        )
        s.appeal_feedback(appeal=cls.b, rating="不满意", on=D(2025, 10, 10))  # reopened
        cls.overdue = make_appeal(c, received_at=at(2025, 10, 3), code="construction")
        make_appeal(c, received_at=at(2025, 9, 30), source="mailbox")  # not the hotline
        make_appeal(c, received_at=at(2025, 10, 6))  # the next week

    def test_the_week_in_numbers_for_the_district_heads(self) -> None:
        url = reverse("appeal-hotline")
        self.client.force_login(self.c.leader)
        # session, user, unit (reader check), the leader's linked units (scope) + the week by
        # category, by unit, the ratings and the overdue list: fixed, whatever the week holds
        with self.assertNumQueries(8):
            response = self.client.get(url, {"day": "2025-10-01"})
        week = response.context["week"]
        self.assertEqual((week.first, week.last, week.total), (D(2025, 9, 29), D(2025, 10, 5), 3))
        by_category = {r.name: (r.received, r.replied, r.late, r.overdue) for r in week.by_category}
        self.assertEqual(by_category, {"城乡建设": (2, 1, 0, 1), "水电气暖": (1, 1, 1, 1)})
        by_unit = {r.name: (r.received, r.replied, r.late, r.overdue) for r in week.by_unit}
        self.assertEqual(by_unit["青山乡"], (1, 1, 0, 0))
        self.assertEqual(by_unit["县教育局"], (1, 1, 1, 1))  # reopened: its second reply is late
        # 满意, 基本满意, 不满意
        self.assertEqual([n for _label, n in week.satisfaction], [1, 0, 1])
        self.assertEqual(week.satisfaction_rate, "50.0")
        self.assertEqual(week.overdue, [self.b, self.overdue])
        self.assertContains(response, "城乡建设")

    def test_unit_staff_do_not_read_it(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(reverse("appeal-hotline")).status_code, 403)
