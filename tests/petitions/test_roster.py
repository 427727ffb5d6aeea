"""The reception roster: slots generated from the rules and the calendar (October 2025 has the
National Day holiday 1–8 Oct and the adjusted working Saturday 11 Oct), double bookings and
absences refused, substitutions recorded, a fair rotation, and the roster pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from directory.models import Role
from petitions.models import Leave, Reception, RosterNotice, SpecialPeriod
from petitions.roster.services import (
    leave_record,
    reception_fill,
    reception_set_status,
    reception_substitute,
    roster_apply,
    roster_generate,
)
from petitions.roster.slots import propose_rotation
from rules.models import Rule
from tests.helpers import build_county, make_person, make_user

from .helpers import load_rule_packs

D = dt.date
OCTOBER = (D(2025, 10, 1), D(2025, 10, 31))
OCTOBER_WORKDAYS = [D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11)] + [
    D(2025, 10, day) for day in (13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27, 28, 29, 30, 31)
]


def rules(*ids: str) -> list[Rule]:
    return [Rule.objects.get(rule_id=rule_id) for rule_id in ids]


class RosterGenerationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("dongan", "taoyuan", "hefei", "tianjin")
        cls.c = build_county()
        cls.leader2 = make_person(
            "陈县长", cls.c.county, "county_leader", "county_level", code="P-CXZ"
        )
        cls.leader3 = make_person(
            "林主任", cls.c.county, "county_leader", "county_level", code="P-LZR"
        )

    def generate(self, *ids: str) -> list[Reception]:
        roster_generate(
            first=OCTOBER[0], last=OCTOBER[1], acting_user=self.c.petition_clerk, rules=rules(*ids)
        )
        return list(Reception.objects.order_by("date", "unit_id", "post"))

    def test_da_r1_needs_a_county_leader_every_working_day_including_the_adjusted_saturday(
        self,
    ) -> None:
        slots = self.generate("DA-R1")
        self.assertEqual([s.date for s in slots], OCTOBER_WORKDAYS)
        self.assertTrue(all(s.unit == self.c.county and s.person is None for s in slots))
        self.assertIn(D(2025, 10, 11), [s.date for s in slots])  # Saturday, adjusted working day
        self.assertNotIn(D(2025, 10, 6), [s.date for s in slots])  # Monday in the holiday

    def test_generating_twice_makes_no_second_slot(self) -> None:
        self.generate("DA-R1")
        self.assertEqual(len(self.generate("DA-R1")), 18)

    def test_a_special_protection_period_asks_for_every_calendar_day(self) -> None:
        SpecialPeriod.objects.create(
            name="国庆特别防护期", start=D(2025, 10, 1), end=D(2025, 10, 7)
        )
        days = [s.date for s in self.generate("DA-R1")]
        self.assertEqual(len(days), 18 + 7)
        self.assertIn(D(2025, 10, 4), days)
        self.assertNotIn(D(2025, 10, 8), days)  # holiday after the period: not a working day

    def test_township_morning_duty_on_each_working_day_per_township(self) -> None:
        slots = self.generate("TY-R3")
        self.assertEqual(Counter(s.unit.code for s in slots), {"QH-CG": 18, "QH-QS": 18})
        self.assertTrue(all(s.part == "am" for s in slots))

    def test_da_r5_asks_every_calendar_day_and_is_one_slot_with_ty_r3(self) -> None:
        slots = self.generate("DA-R5", "TY-R3")
        self.assertEqual(Counter(s.unit.code for s in slots), {"QH-CG": 31, "QH-QS": 31})

    def test_wednesday_office_days_skip_the_holiday_wednesdays(self) -> None:
        slots = self.generate("TY-R2")
        self.assertEqual(
            sorted({s.date for s in slots}), [D(2025, 10, 15), D(2025, 10, 22), D(2025, 10, 29)]
        )
        # each principal head has their own Wednesday, already theirs
        self.assertEqual(Counter(s.person.code for s in slots), {"P-LM": 3, "P-ZF": 3})

    def test_each_county_leader_gets_a_working_day_morning_of_the_month_spread_apart(self) -> None:
        slots = self.generate("TY-R1")
        self.assertEqual(len(slots), 3)
        self.assertEqual(len({s.date for s in slots}), 3)
        self.assertTrue(all(s.part == "am" and s.date in OCTOBER_WORKDAYS for s in slots))

    def test_ab_posts_at_the_petition_office(self) -> None:
        slots = self.generate("TJ-R1")
        self.assertEqual(len(slots), 36)
        self.assertEqual({s.post for s in slots}, {"A", "B"})
        self.assertEqual({s.unit for s in slots}, {self.c.petition_bureau})

    def test_the_month_page_generates_and_lists_the_slots(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        self.client.post(reverse("roster-generate"), {"month": "2025-10"})
        response = self.client.get(
            reverse("roster-month"), {"month": "2025-10", "kind": "bureau_sitting"}
        )
        self.assertContains(response, "10月11日")
        self.assertTrue(Reception.objects.filter(rule__rule_id="DA-R1").exists())


class RosterFillTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("dongan", "taoyuan")
        cls.c = build_county()
        cls.leader2 = make_person(
            "陈县长", cls.c.county, "county_leader", "county_level", code="P-CXZ"
        )
        cls.leader3 = make_person(
            "林主任", cls.c.county, "county_leader", "county_level", code="P-LZR"
        )
        roster_generate(
            first=OCTOBER[0],
            last=OCTOBER[1],
            acting_user=cls.c.petition_clerk,
            rules=rules("DA-R1", "TY-R3"),
        )

    def slot(self, day: dt.date, rule_id: str = "DA-R1", unit=None) -> Reception:
        slots = Reception.objects.filter(date=day, rule__rule_id=rule_id)
        return slots.get(unit=unit) if unit else slots.get()

    def test_a_double_booking_is_refused_with_its_reason(self) -> None:
        reception_fill(
            reception=self.slot(D(2025, 10, 9)),
            person=self.c.county_leader,
            acting_user=self.c.petition_clerk,
        )
        extra = Reception.objects.create(
            date=D(2025, 10, 9), part="am", kind="case_visit", unit=self.c.qingshan
        )
        with self.assertRaisesMessage(ValidationError, "已另有值班安排"):
            reception_fill(
                reception=extra, person=self.c.county_leader, acting_user=self.c.petition_clerk
            )

    def test_a_leader_away_cannot_be_booked(self) -> None:
        leave_record(
            person=self.leader2, start=D(2025, 10, 13), end=D(2025, 10, 17), reason="赴省党校学习"
        )
        with self.assertRaisesMessage(ValidationError, "赴省党校学习"):
            reception_fill(
                reception=self.slot(D(2025, 10, 14)),
                person=self.leader2,
                acting_user=self.c.petition_clerk,
            )

    def test_the_wrong_post_or_township_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "不具备该班次所需的职务"):
            reception_fill(
                reception=self.slot(D(2025, 10, 9)),
                person=self.c.qingshan_secretary,
                acting_user=self.c.petition_clerk,
            )
        township_slot = self.slot(D(2025, 10, 9), "TY-R3", self.c.chengguan)
        with self.assertRaisesMessage(ValidationError, "城关镇"):
            reception_fill(
                reception=township_slot,
                person=self.c.qingshan_secretary,
                acting_user=self.c.petition_clerk,
            )

    def test_a_substitution_is_recorded_with_its_notice(self) -> None:
        slot = reception_fill(
            reception=self.slot(D(2025, 10, 10)),
            person=self.c.county_leader,
            acting_user=self.c.petition_clerk,
        )
        reception_substitute(
            reception=slot,
            substitute=self.leader2,
            reason="参加市委会议",
            notified_on=D(2025, 10, 9),
            recipient="县信访联席会议第一召集人",
            acting_user=self.c.petition_clerk,
        )
        slot.refresh_from_db()
        self.assertEqual((slot.person, slot.substitute_for), (self.leader2, self.c.county_leader))
        notice = RosterNotice.objects.get(reception=slot)
        self.assertEqual(
            (notice.kind, notice.recipient), ("substitution", "县信访联席会议第一召集人")
        )
        self.assertIn("参加市委会议", slot.history.first().history_change_reason)

    def test_a_busy_substitute_is_refused(self) -> None:
        first = reception_fill(
            reception=self.slot(D(2025, 10, 13)),
            person=self.c.county_leader,
            acting_user=self.c.petition_clerk,
        )
        Reception.objects.create(
            date=D(2025, 10, 13),
            part="pm",
            kind="case_visit",
            unit=self.c.qingshan,
            person=self.leader2,
        )
        with self.assertRaisesMessage(ValidationError, "陈县长"):
            reception_substitute(
                reception=first,
                substitute=self.leader2,
                reason="出差",
                notified_on=D(2025, 10, 10),
                recipient="第一召集人",
                acting_user=self.c.petition_clerk,
            )

    def test_a_rule_without_substitutes_refuses_one(self) -> None:
        township_slot = reception_fill(
            reception=self.slot(D(2025, 10, 9), "TY-R3", self.c.qingshan),
            person=self.c.qingshan_secretary,
            acting_user=self.c.petition_clerk,
        )
        other = make_person("周乡长", self.c.qingshan, "township_head", code="P-ZXZ")
        with self.assertRaisesMessage(ValidationError, "TY-R3"):
            reception_substitute(
                reception=township_slot,
                substitute=other,
                reason="x",
                notified_on=D(2025, 10, 8),
                recipient="y",
                acting_user=self.c.petition_clerk,
            )

    def test_excusing_needs_a_rule_that_allows_it(self) -> None:
        with self.assertRaisesMessage(ValidationError, "DA-R1"):
            reception_set_status(
                reception=self.slot(D(2025, 10, 9)),
                status="excused",
                reason="上级会议",
                acting_user=self.c.petition_clerk,
            )

    def test_the_rotation_is_fair_and_skips_people_away(self) -> None:
        Leave.objects.create(
            person=self.leader3, start=D(2025, 10, 20), end=D(2025, 10, 24), reason="休假"
        )
        slots = list(Reception.objects.filter(rule__rule_id="DA-R1"))
        proposals = propose_rotation(slots, history_from=D(2025, 4, 1))
        self.assertEqual(roster_apply(proposals=proposals, acting_user=self.c.petition_clerk), 18)
        counts = Counter(
            Reception.objects.filter(rule__rule_id="DA-R1").values_list("person__code", flat=True)
        )
        self.assertEqual(sorted(counts.values()), [6, 6, 6])
        self.assertFalse(
            Reception.objects.filter(
                person=self.leader3, date__range=(D(2025, 10, 20), D(2025, 10, 24))
            ).exists()
        )

    def test_the_rotation_fills_township_duties_from_each_township(self) -> None:
        slots = list(Reception.objects.filter(rule__rule_id="TY-R3", unit=self.c.qingshan))
        proposals = propose_rotation(slots, history_from=D(2025, 4, 1))
        self.assertEqual({p.person for p in proposals}, {self.c.qingshan_secretary})


class RosterPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("dongan")
        cls.c = build_county()
        cls.c.county_leader.phone = "13900001111"
        cls.c.county_leader.save()
        roster_generate(
            first=D(2025, 10, 1),
            last=D(2025, 10, 31),
            acting_user=cls.c.petition_clerk,
            rules=rules("DA-R1"),
        )
        cls.slot = Reception.objects.get(date=D(2025, 10, 9))
        reception_fill(
            reception=cls.slot, person=cls.c.county_leader, acting_user=cls.c.petition_clerk
        )

    def test_month_page_query_count_is_constant(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        # session, user, unit (scope), the month's duties joined with unit, person, rule,
        # subject and substitute, and the unit choices of the filter form
        with self.assertNumQueries(5):
            response = self.client.get(reverse("roster-month"), {"month": "2025-10"})
        self.assertContains(response, "王建国")
        roster_generate(
            first=D(2025, 11, 1),
            last=D(2025, 11, 30),
            acting_user=self.c.petition_clerk,
            rules=rules("DA-R1"),
        )
        with self.assertNumQueries(5):
            self.client.get(reverse("roster-month"), {"month": "2025-11"})

    def test_permission_triple_on_a_duty(self) -> None:
        url = reverse("reception-detail", args=[self.slot.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        township = Reception.objects.create(
            date=D(2025, 10, 9), part="am", kind="township_duty", unit=self.c.chengguan
        )
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(
            self.client.get(reverse("reception-detail", args=[township.pk])).status_code, 404
        )
        self.client.force_login(self.c.petition_clerk)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_double_booking_through_the_page_shows_the_reason(self) -> None:
        other = Reception.objects.get(date=D(2025, 10, 10))
        Leave.objects.create(
            person=self.c.county_leader,
            start=D(2025, 10, 10),
            end=D(2025, 10, 10),
            reason="外出考察",
        )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("reception-fill", args=[other.pk]),
            {"person": self.c.county_leader.pk},
            follow=True,
        )
        self.assertContains(response, "外出考察")
        other.refresh_from_db()
        self.assertIsNone(other.person)

    def test_public_roster_and_lobby_show_only_publishable_fields(self) -> None:
        # The public pages show the coming days from today: a duty booked for today (no
        # working-day computation involved, so any day the suite runs on will do).
        today = timezone.localdate()
        Reception.objects.create(
            date=today,
            part="day",
            kind="bureau_sitting",
            unit=self.c.county,
            person=self.c.county_leader,
            note="内部备注",
        )
        for url in (reverse("public-roster"), reverse("public-lobby")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "王建国")
            self.assertNotContains(response, "13900001111")
            self.assertNotContains(response, "内部备注")

    def test_leader_sees_their_duty_and_downloads_an_ics(self) -> None:
        today = timezone.localdate()
        Reception.objects.create(
            date=today + dt.timedelta(days=2),
            part="am",
            kind="bureau_sitting",
            unit=self.c.county,
            person=self.c.county_leader,
        )
        self.client.force_login(self.c.leader)
        page = self.client.get(reverse("my-roster"))
        self.assertContains(page, date_format(today + dt.timedelta(days=2), "DATE_FORMAT"))
        ics = self.client.get(reverse("my-roster-ics"))
        self.assertEqual(ics["Content-Type"], "text/calendar; charset=utf-8")
        body = ics.content.decode()
        self.assertIn("BEGIN:VEVENT", body)
        start = today + dt.timedelta(days=2)
        self.assertIn(f"DTSTART:{start:%Y%m%d}T003000Z", body)  # 08:30 in Shanghai is 00:30 UTC

    def test_unit_staff_may_fill_their_township_duty_but_not_the_centre(self) -> None:
        staff = make_user("qs2", self.c.qingshan, Role.UNIT_STAFF)
        self.client.force_login(staff)
        township = Reception.objects.create(
            date=D(2025, 10, 9), part="am", kind="township_duty", unit=self.c.qingshan
        )
        response = self.client.post(
            reverse("reception-fill", args=[township.pk]), {"person": self.c.qingshan_secretary.pk}
        )
        self.assertEqual(response.status_code, 302)
        township.refresh_from_db()
        self.assertEqual(township.person, self.c.qingshan_secretary)


class RosterExportAndPanelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("dongan")
        cls.c = build_county()
        roster_generate(
            first=D(2025, 10, 1),
            last=D(2025, 10, 31),
            acting_user=cls.c.petition_clerk,
            rules=rules("DA-R1"),
        )

    def test_the_roster_exports_the_ledger_columns(self) -> None:
        import io

        import openpyxl

        reception_fill(
            reception=Reception.objects.get(date=D(2025, 10, 9)),
            person=self.c.county_leader,
            acting_user=self.c.petition_clerk,
        )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("roster-export"), {"month": "2025-10"})
        rows = list(
            openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        )
        self.assertEqual(rows[0][:6], ("date", "slot", "person", "unit", "kind", "substitute_for"))
        self.assertEqual(len(rows), 1 + 18)
        self.assertIn(
            ("2025-10-09", "day", "P-WJG", "QH", "bureau_sitting", None), [r[:6] for r in rows]
        )

    def test_the_today_page_shows_a_leaders_coming_duties(self) -> None:
        Reception.objects.create(
            date=timezone.localdate(),
            part="am",
            kind="bureau_sitting",
            unit=self.c.county,
            person=self.c.county_leader,
        )
        self.client.force_login(self.c.leader)
        response = self.client.get(reverse("today"))
        self.assertContains(response, reverse("my-roster"))


class AnonymousTests(TestCase):
    def test_every_staff_page_sends_anonymous_users_to_login(self) -> None:
        for name, args in (
            ("roster-month", []),
            ("roster-export", []),
            ("roster-propose", []),
            ("reception-new", []),
            ("roster-absences", []),
            ("reception-detail", [1]),
            ("appointment-detail", [1]),
            ("my-roster", []),
            ("my-roster-ics", []),
            ("office-ledger", []),
            ("petition-register", []),
        ):
            response = self.client.get(reverse(name, args=args))
            self.assertEqual(response.status_code, 302, name)
            self.assertIn(reverse("login"), response["Location"])
