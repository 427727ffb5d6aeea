"""December does not stop the office: a due date reaching into a year whose holiday schedule is
not entered is computed provisionally from the statutory holidays, shown as provisional
everywhere, and recomputed when the administrator enters the year.

The test database knows the years of the chinesecalendar package, up to 2026; 2027 is unknown."""

from __future__ import annotations

import datetime as dt
import io

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from petitions.matters.services import petition_route
from petitions.models import Petition, Reception
from rules.clocks import clock_start, clocks_for_item
from rules.models import CalendarYear, Clock
from rules.services_calendar import calendar_year_replace
from rules.workdays import (
    UnknownCalendarYear,
    WorkCalendar,
    describe_computation,
    explain_due,
    explain_workdays,
    statutory_holidays,
)
from tests.helpers import build_county, make_rule
from tests.petitions.helpers import load_rule_packs, make_petition

D = dt.date
DEC_2 = D(2026, 12, 2)

#: A 2027 schedule as an administrator would enter it (the State Council's own, once out).
SCHEDULE_2027 = {
    "year": "2027",
    "holidays": "2027-01-01..2027-01-03 元旦\n2027-02-05..2027-02-13 春节\n2027-04-05 清明节",
    "workdays": "2027-01-31 春节\n2027-02-20 春节",
    "note": "国务院办公厅通知",
}


class StatutoryHolidaysTests(TestCase):
    def test_the_2027_holidays_the_law_fixes_with_their_make_up_days(self) -> None:
        self.assertEqual(
            statutory_holidays(2027),
            {
                D(2027, 1, 1): "元旦",  # a Friday
                D(2027, 2, 5): "春节",  # lunar New Year's Eve
                D(2027, 2, 6): "春节",  # Sat: made up on Tue 9 Feb
                D(2027, 2, 7): "春节",  # Sun: made up on Wed 10 Feb
                D(2027, 2, 8): "春节",  # the third day of the first month
                D(2027, 2, 9): "春节补假",
                D(2027, 2, 10): "春节补假",
                D(2027, 4, 5): "清明节",  # the solar term, a Monday
                D(2027, 5, 1): "劳动节",  # Sat: made up on Mon 3 May
                D(2027, 5, 2): "劳动节",  # Sun: made up on Tue 4 May
                D(2027, 5, 3): "劳动节补假",
                D(2027, 5, 4): "劳动节补假",
                D(2027, 6, 9): "端午节",  # lunar 5/5
                D(2027, 9, 15): "中秋节",  # lunar 8/15
                D(2027, 10, 1): "国庆节",
                D(2027, 10, 2): "国庆节",  # Sat: made up on Mon 4 Oct
                D(2027, 10, 3): "国庆节",  # Sun: made up on Tue 5 Oct
                D(2027, 10, 4): "国庆节补假",
                D(2027, 10, 5): "国庆节补假",
            },
        )

    def test_a_new_year_on_a_saturday_is_made_up_on_monday(self) -> None:
        days = statutory_holidays(2028)
        self.assertEqual(days[D(2028, 1, 1)], "元旦")
        self.assertEqual(days[D(2028, 1, 3)], "元旦补假")
        self.assertNotIn(D(2028, 1, 2), days)  # an ordinary Sunday

    def test_the_law_s_holidays_agree_with_an_official_year(self) -> None:
        """In 2026 (known from the State Council's schedule) every statutory day is a rest day."""
        calendar = WorkCalendar()
        for day, name in statutory_holidays(2026).items():
            if "补假" not in name:
                with self.subTest(day=day):
                    self.assertFalse(calendar.is_workday(day))


class ProvisionalCalendarTests(TestCase):
    def test_the_calendar_refuses_an_unknown_year_unless_asked_for_a_provisional_one(self):
        with self.assertRaises(UnknownCalendarYear):
            WorkCalendar().is_workday(D(2027, 1, 4))
        calendar = WorkCalendar().with_provisional()
        self.assertTrue(calendar.is_workday(D(2027, 1, 4)))
        self.assertFalse(calendar.is_workday(D(2027, 1, 1)))
        self.assertTrue(calendar.is_provisional(2027))
        self.assertFalse(calendar.is_provisional(2026))

    def test_sixty_days_from_2_december_end_on_sunday_31_january_and_move_to_1_february(self):
        # 29 days to 31 Dec, 31 more to 31 Jan: 60 days; a Sunday, so the next working day.
        with self.assertRaises(UnknownCalendarYear):
            explain_due(DEC_2, 60, "days")
        result = explain_due(DEC_2, 60, "days", calendar=WorkCalendar().with_provisional())
        self.assertEqual((result.due, result.provisional), (D(2027, 2, 1), True))
        self.assertEqual(result.computation["raw_due"], "2027-01-31")
        self.assertEqual(result.computation["provisional"]["years"], [2027])

    def test_the_explanation_says_it_is_provisional_and_what_it_simplifies(self) -> None:
        result = explain_workdays(D(2026, 12, 30), 3, WorkCalendar().with_provisional())
        with translation.override("en"):
            text = " ".join(describe_computation(result.computation))
        self.assertIn("Skipped Jan. 1, 2027: 元旦 holiday.", text)
        self.assertIn("Provisional date: the working-day calendar does not know 2027 yet.", text)
        self.assertIn("made up on the next working day", text)
        self.assertIn("no weekend is an adjusted working day", text)
        with translation.override("zh-hans"):
            text = " ".join(describe_computation(result.computation))
        self.assertIn("暂定", text)
        self.assertIn("国务院", text)

    def test_a_known_year_is_never_provisional(self) -> None:
        result = explain_due(
            D(2026, 9, 30), 1, "workdays", calendar=WorkCalendar().with_provisional()
        )
        self.assertFalse(result.provisional)
        self.assertNotIn("provisional", result.computation)


class RecomputeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule(
            "T-60", params={"start_event": "a", "end_event": "b", "amount": 60, "unit": "days"}
        )

    def test_entering_the_year_recomputes_every_provisional_clock_with_its_history(self) -> None:
        clock = clock_start(
            rule=self.rule, item=self.c.household_taoyuan, step="conclude", start=DEC_2
        )
        self.assertEqual((clock.due, clock.provisional), (D(2027, 2, 1), True))
        self.assertIn("provisional", clock.history.first().history_change_reason)
        holidays = {D(2027, 1, 1): "元旦", D(2027, 2, 5): "春节"}
        result = calendar_year_replace(
            year=2027,
            holidays=holidays,
            workdays={D(2027, 1, 31): "春节"},
            acting_user=self.c.admin,
        )
        self.assertEqual(result.clocks_changed, 1)
        clock.refresh_from_db()
        # 31 January is an adjusted working day of the entered schedule: no move any more
        self.assertEqual((clock.due, clock.provisional), (D(2027, 1, 31), False))
        self.assertNotIn("provisional", clock.computation)
        latest = clock.history.first()
        self.assertEqual(latest.history_user, self.c.admin)
        self.assertEqual(
            latest.history_change_reason,
            "due date recomputed (calendar 2027 changed): 2027-02-01 provisional → 2027-01-31",
        )

    def test_a_clock_over_two_unknown_years_stays_provisional_for_the_other(self) -> None:
        long = make_rule(
            "T-400", params={"start_event": "a", "end_event": "b", "amount": 400, "unit": "days"}
        )
        clock = clock_start(rule=long, item=self.c.household_taoyuan, step="x", start=DEC_2)
        self.assertEqual(clock.computation["provisional"]["years"], [2028])
        calendar_year_replace(
            year=2027, holidays={D(2027, 1, 1): "元旦"}, workdays={}, acting_user=self.c.admin
        )
        clock.refresh_from_db()
        self.assertTrue(clock.provisional)  # 2028 is still unknown


@override_settings(FROZEN_TODAY=DEC_2)
class AcceptingInDecemberTests(TestCase):
    """On 2 December 2026, with no 2027 schedule, a unit accepts a petition."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()
        cls.petition = make_petition(cls.c, received_on=D(2026, 11, 30))
        petition_route(
            petition=cls.petition, lead_unit=cls.c.qingshan, on=D(2026, 11, 30),
            acting_user=cls.c.petition_clerk,
        )  # fmt: skip

    def accept(self) -> Clock:
        self.client.force_login(self.c.qingshan_staff)
        url = reverse("petition-step", args=[self.petition.pk, "accept"])
        response = self.client.post(url, {"on": "2026-12-02", "accepted": "1", "reason": ""})
        self.assertRedirects(response, reverse("petition-detail", args=[self.petition.pk]))
        return next(c for c in clocks_for_item(self.petition) if c.step == "conclude")

    def test_the_unit_accepts_and_the_60_day_clock_is_provisional(self) -> None:
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        clock = self.accept()
        self.assertEqual(clock.rule.rule_id, "NAT-CONCLUDE")
        self.assertEqual((clock.due, clock.provisional), (D(2027, 2, 1), True))
        self.assertEqual(Petition.objects.get(pk=self.petition.pk).due, D(2027, 2, 1))

    def test_the_petition_pages_show_the_badge_with_its_reason(self) -> None:
        self.accept()
        detail = self.client.get(reverse("petition-detail", args=[self.petition.pk]))
        self.assertContains(detail, 'class="badge provisional"')
        self.assertContains(detail, "2027年放假安排尚未录入")
        listing = self.client.get(reverse("petition-list"))
        self.assertContains(listing, 'class="badge provisional"')

    def test_the_export_says_the_due_date_is_provisional(self) -> None:
        from openpyxl import load_workbook

        self.accept()
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("petition-export"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        header = [cell.value for cell in sheet[1]]
        row = [cell.value for cell in sheet[2]]
        self.assertEqual(row[header.index("due")], "2027-02-01")
        self.assertIn("2027", row[header.index("due_provisional")])

    def test_entering_2027_in_the_calendar_form_recomputes_the_clock(self) -> None:
        clock = self.accept()
        self.client.force_login(self.c.admin)
        response = self.client.post(reverse("calendar-year-new"), SCHEDULE_2027)
        self.assertRedirects(response, reverse("calendar-year", args=[2027]))
        clock.refresh_from_db()
        self.assertEqual((clock.due, clock.provisional), (D(2027, 1, 31), False))
        change = clock.history.first()
        self.assertEqual(change.history_user, self.c.admin)
        self.assertIn("2027-02-01 provisional → 2027-01-31", change.history_change_reason)
        # the matter's own next due date follows, with its history
        petition = Petition.objects.get(pk=self.petition.pk)
        self.assertEqual(petition.due, D(2027, 1, 31))
        self.assertEqual(
            petition.history.first().history_change_reason,
            "next due date follows its recomputed deadlines",
        )
        self.client.force_login(self.c.qingshan_staff)
        detail = self.client.get(reverse("petition-detail", args=[self.petition.pk]))
        self.assertNotContains(detail, 'class="badge provisional"')

    def test_the_administrator_s_today_page_counts_the_provisional_deadlines(self) -> None:
        self.accept()
        self.client.force_login(self.c.admin)
        response = self.client.get(reverse("today"))
        self.assertContains(response, "2027")
        self.assertContains(response, 'id="provisional-count"')


@override_settings(FROZEN_TODAY=D(2026, 12, 30))
class DueSoonAcrossNewYearTests(TestCase):
    """On 30 December a reply due in three working days is due on Mon 4 January 2027: the
    board and the today page list it as due soon, marked provisional."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        rule = make_rule("T-REPLY")  # 5 working days
        cls.clock = clock_start(
            rule=rule,
            item=cls.c.household_taoyuan,
            step="reply",
            start=D(2026, 12, 25),
            unit=cls.c.qingshan,
        )

    def test_the_clock_is_due_on_4_january_provisionally(self) -> None:
        # Mon 28 – Thu 31 Dec are four working days; 1 Jan is New Year's Day, 2–3 the weekend
        self.assertEqual((self.clock.due, self.clock.provisional), (D(2027, 1, 4), True))

    def test_the_deadline_board_lists_it_as_due_soon_with_the_badge(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("deadline-board"))
        self.assertEqual(response.context["counts"]["soon"], 1)
        self.assertContains(response, 'class="badge provisional"')

    def test_the_today_page_shows_the_badge_to_the_unit(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("today"))
        self.assertContains(response, 'class="badge provisional"')


@override_settings(FROZEN_TODAY=D(2026, 12, 30))
class EveryAppWorksInLateDecemberTests(TestCase):
    """Appeals, suggestions and four-musts visits taken in on 30 December 2026 get provisional
    due dates in January 2027 instead of a refusal."""

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.petitions.appeal_helpers import setup_appeals

        setup_appeals("tianjin", "cuiping")
        cls.c = build_county()

    def test_an_appeal_taken_in_gets_a_provisional_reply_date_shown_as_such(self) -> None:
        from rules.models import CalendarDay
        from tests.petitions.appeal_helpers import at, make_appeal

        # An appeal is never received in the future: take one in on 29 December 2025 with the
        # 2026 schedule not entered, the same situation a year earlier.
        CalendarDay.objects.filter(year=2026).delete()
        CalendarYear.objects.filter(year=2026).delete()
        appeal = make_appeal(self.c, received_at=at(2025, 12, 29))
        self.assertEqual(appeal.due.year, 2026)
        self.assertTrue(all(c.provisional for c in clocks_for_item(appeal)))
        self.client.force_login(self.c.petition_clerk)
        for url in (reverse("appeal-list"), reverse("appeal-detail", args=[appeal.pk])):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), 'class="badge provisional"')

    def test_a_suggestion_assigned_gets_provisional_contact_and_answer_dates(self) -> None:
        from proposals.services import proposal_assign
        from tests.helpers import make_person
        from tests.proposals.helpers import make_proposal, make_session

        deputy = make_person("周代表", self.c.taoyuan, "deputy", code="P-DEP")
        session = make_session(code="RD-2026", opens=D(2026, 12, 20), closes=D(2026, 12, 23))
        proposal = make_proposal(session, [deputy], submitted=D(2026, 12, 21))
        proposal_assign(proposal=proposal, lead_unit=self.c.qingshan, assigned_on=D(2026, 12, 30))
        dues = {c.rule.rule_id: (c.due, c.provisional) for c in clocks_for_item(proposal)}
        # 7 days: Wed 6 Jan; 3 months: Tue 30 Mar
        self.assertEqual(dues, {"TY-P1": (D(2027, 1, 6), True), "TY-P2": (D(2027, 3, 30), True)})
        self.client.force_login(self.c.admin)
        self.assertContains(self.client.get(reverse("proposal-list")), "badge provisional")

    def test_a_four_musts_visit_recorded_gets_a_provisional_date(self) -> None:
        from assistance.models import Pairing
        from assistance.services import event_record, pairing_save
        from tests.helpers import make_household, make_person

        cadre = make_person("周平", self.c.qingshan, "cadre", code="P-ZP")
        household = make_household("钱一", self.c.taoyuan, "monitored", code="H-M1")
        pairing_save(
            pairing=Pairing(
                person=cadre, household=household, kind="monitored", start=D(2026, 1, 1)
            )
        )
        _event, clocks = event_record(household=household, kind="illness", date=D(2026, 12, 30))
        # Thu 31 Dec, then New Year's Day and the weekend: Mon 4, Tue 5 Jan
        self.assertEqual([(c.due, c.provisional) for c in clocks], [(D(2027, 1, 5), True)])
        self.client.force_login(self.c.admin)
        self.assertContains(
            self.client.get(reverse("assistance-events")), 'class="badge provisional"'
        )


@override_settings(FROZEN_TODAY=D(2026, 12, 28))
class ReceptionReplyInDecemberTests(TestCase):
    """A matter assigned at a leader's reception on 28 December gets a provisional written
    reply date (DA-R4), shown on the appointment page and kept in step when 2027 is entered."""

    @classmethod
    def setUpTestData(cls) -> None:
        from petitions.roster.services import MatterResult, appointment_create, appointment_record

        load_rule_packs("dongan")
        cls.c = c = build_county()
        duty = Reception.objects.create(
            date=D(2026, 12, 28), part="day", kind="bureau_sitting", unit=c.county,
            person=c.county_leader,
        )  # fmt: skip
        petition = make_petition(c, received_on=D(2026, 12, 1), lead_unit=c.qingshan)
        cls.appointment = appointment_create(
            reception=duty,
            petitions=[petition],
            consent_on=D(2026, 12, 21),
            consent_note="同意",
            acting_user=c.petition_clerk,
        )
        cls.matter = cls.appointment.matters.get()
        appointment_record(
            appointment=cls.appointment,
            on=D(2026, 12, 28),
            heard="反映补偿标准。",
            results=[
                MatterResult(
                    cls.matter, "assigned", "责成答复", assigned_unit=c.education, reply_days=5
                ),
            ],  # fmt: skip
            acting_user=c.petition_clerk,
        )

    def test_the_reply_date_is_provisional_and_follows_the_entered_year(self) -> None:
        self.matter.refresh_from_db()
        # Tue 29 – Thu 31 Dec, then (statutory) New Year's Day and the weekend: Mon 4, Tue 5 Jan
        self.assertEqual(self.matter.reply_by, D(2027, 1, 5))
        self.client.force_login(self.c.petition_clerk)
        page = self.client.get(reverse("appointment-detail", args=[self.appointment.pk]))
        self.assertContains(page, 'class="badge provisional"')
        calendar_year_replace(
            year=2027,
            holidays={D(2027, 1, day): "元旦" for day in (1, 2, 3, 4)},
            workdays={},
            acting_user=self.c.admin,
        )
        self.matter.refresh_from_db()
        self.assertEqual(self.matter.reply_by, D(2027, 1, 6))
        page = self.client.get(reverse("appointment-detail", args=[self.appointment.pk]))
        self.assertNotContains(page, 'class="badge provisional"')
