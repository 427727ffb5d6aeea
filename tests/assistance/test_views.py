"""The pages: permission triples, "my households" (overdue first, logging contact), the contact
card PDF, the household file, the pairing ledger with its export, four musts and aid forms."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.test import TestCase, override_settings
from django.urls import reverse

from assistance.models import AidEntry, HouseholdEvent, Pairing
from rules.models import Clock, ClockState
from tests.helpers import PASSWORD, make_person, make_user
from visits.facts import last_contacts

from .helpers import build_assistance_county, load_assistance_rules, make_pairing, make_visit

D = dt.date
TODAY = D(2025, 11, 20)


@override_settings(FROZEN_TODAY=TODAY)
class AssistancePagesTestCase(TestCase):
    def setUp(self) -> None:
        load_assistance_rules()
        self.c = build_assistance_county()
        # monitored: last visited in September → due end of October → overdue on 20 Nov
        self.monitored = make_pairing(self.c.cadre, self.c.monitored, "monitored", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.monitored, D(2025, 9, 15))
        # alleviated: visited in Q3 → due end of Q4 → not overdue
        self.alleviated = make_pairing(self.c.cadre, self.c.alleviated, "alleviated", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.alleviated, D(2025, 8, 1))
        # centre: called this month → due end of December
        self.centre = make_pairing(self.c.cadre, self.c.others[0], "centre", D(2025, 1, 1))
        make_visit(self.c.cadre, self.c.others[0], D(2025, 11, 3), kind="call")

    def login(self, user) -> None:
        self.client.login(username=user.username, password=PASSWORD)


class MyHouseholdsTests(AssistancePagesTestCase):
    url = reverse("assistance-mine")

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"/accounts/login/?next={self.url}")

    def test_the_overdue_household_comes_first_with_its_due_date(self) -> None:
        self.login(self.c.cadre_account)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        attention = [row.household.code for row in response.context["attention"]]
        others = [row.household.code for row in response.context["others"]]
        self.assertEqual(attention, ["H-M1"])
        self.assertEqual(others, ["H-A1", "H-O5"])  # due 31 Dec and 31 Dec, by code
        row = response.context["attention"][0]
        self.assertEqual((row.last_contact, row.next_due), (D(2025, 9, 15), D(2025, 10, 31)))
        self.assertContains(response, 'data-household="H-M1"')

    def test_logging_a_visit_takes_the_household_off_the_overdue_list(self) -> None:
        self.login(self.c.cadre_account)
        url = reverse("assistance-contact", args=[self.monitored.pk])
        response = self.client.post(
            url, {"date": "2025-11-20", "kind": "household", "heard": "腿伤好转"}
        )
        self.assertRedirects(response, self.url)
        self.assertEqual(
            last_contacts([self.c.cadre.pk], [self.c.monitored.pk]),
            {(self.c.cadre.pk, self.c.monitored.pk): TODAY},
        )
        response = self.client.get(self.url)
        self.assertEqual(response.context["attention"], [])
        self.assertEqual(response.context["others"][0].next_due, D(2025, 12, 31))

    def test_a_future_date_is_an_inline_error_on_the_households_card(self) -> None:
        self.login(self.c.cadre_account)
        url = reverse("assistance-contact", args=[self.monitored.pk])
        response = self.client.post(url, {"date": "2025-11-21", "kind": "household"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errorlist", status_code=400)
        self.assertEqual(response.context["bound_pk"], self.monitored.pk)

    def test_another_cadre_cannot_log_contact_for_this_pairing(self) -> None:
        self.login(self.c.deputy_account)  # a leader who sees the village, not the cadre
        url = reverse("assistance-contact", args=[self.monitored.pk])
        self.assertEqual(
            self.client.post(url, {"date": "2025-11-20", "kind": "call"}).status_code, 403
        )

    def test_a_cadre_of_another_township_gets_404_for_the_pairing(self) -> None:
        self.login(self.c.base.chengguan_staff)
        url = reverse("assistance-contact", args=[self.monitored.pk])
        self.assertEqual(
            self.client.post(url, {"date": "2025-11-20", "kind": "call"}).status_code, 404
        )

    def test_the_page_costs_a_fixed_number_of_queries(self) -> None:
        self.login(self.c.cadre_account)
        for household in self.c.others[1:]:
            make_pairing(self.c.cadre, household, "radiated", D(2025, 1, 1))
        self.client.get(self.url)  # warm the content type cache
        # session + user + the user's person (3), pairings (1), rules for the rhythm (1),
        # last contacts with and without calls (2), open four-musts clocks (1), CP-A4 rule
        # + aid total (2), the user's unit in the header (1) = 11, whatever the households
        with self.assertNumQueries(11):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["rows"]), 5)

    def test_an_account_without_a_person_sees_an_explanation(self) -> None:
        self.login(self.c.base.supervisor)
        self.assertContains(self.client.get(self.url), "您的账号未关联干部信息。")


class ContactCardTests(AssistancePagesTestCase):
    def test_the_card_is_a_pdf(self) -> None:
        self.login(self.c.cadre_account)
        response = self.client.get(reverse("assistance-card", args=[self.monitored.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_the_card_outside_the_scope_is_404(self) -> None:
        self.login(self.c.base.chengguan_staff)
        self.assertEqual(
            self.client.get(reverse("assistance-card", args=[self.monitored.pk])).status_code, 404
        )


class HouseholdFileTests(AssistancePagesTestCase):
    def url(self, household=None) -> str:
        return reverse("assistance-household", args=[(household or self.c.monitored).pk])

    def test_permission_triple(self) -> None:
        self.assertRedirects(self.client.get(self.url()), f"/accounts/login/?next={self.url()}")
        self.login(self.c.base.chengguan_staff)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.login(self.c.base.qingshan_staff)
        self.assertEqual(self.client.get(self.url()).status_code, 200)

    def test_a_department_cadre_sees_the_household_they_are_paired_with(self) -> None:
        person = make_person("杜老师", self.c.base.education, "cadre", code="P-DLS")
        account = make_user("dulaoshi", self.c.base.education, "unit_staff", person=person)
        self.login(account)
        self.assertEqual(self.client.get(self.url(self.c.vulnerable)).status_code, 404)
        make_pairing(person, self.c.vulnerable, "radiated", D(2025, 1, 1))
        self.assertEqual(self.client.get(self.url(self.c.vulnerable)).status_code, 200)

    def test_the_file_shows_the_diary_from_the_visits(self) -> None:
        self.login(self.c.cadre_account)
        self.client.post(
            reverse("assistance-contact", args=[self.monitored.pk]),
            {"date": "2025-11-18", "kind": "household", "heard": "希望修缮屋顶"},
        )
        response = self.client.get(self.url())
        self.assertContains(response, "希望修缮屋顶")

    def test_anyone_who_sees_the_household_records_an_event_and_the_cadre_owes_a_visit(
        self,
    ) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-event-new", args=[self.c.monitored.pk])
        response = self.client.post(url, {"kind": "illness", "date": "2025-11-20", "note": "住院"})
        self.assertRedirects(response, self.url())
        clock = Clock.objects.get()
        self.assertEqual(
            (clock.person_id, clock.due, clock.state),
            (self.c.cadre.pk, D(2025, 11, 25), ClockState.OPEN),
        )
        self.login(self.c.cadre_account)
        mine = self.client.get(reverse("assistance-mine"))
        self.assertEqual(mine.context["attention"][0].musts_due, D(2025, 11, 25))

    def test_a_festival_event_without_its_name_is_an_inline_error(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-event-new", args=[self.c.monitored.pk])
        response = self.client.post(url, {"kind": "festival", "date": "2025-11-20"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(HouseholdEvent.objects.exists())

    def test_the_cadre_records_aid_and_corrects_it_with_a_new_entry(self) -> None:
        self.login(self.c.cadre_account)
        url = reverse("assistance-aid-new", args=[self.c.monitored.pk])
        data = {
            "date": "2025-11-01",
            "kind": "money",
            "amount": "180.50",
            "person": self.c.cadre.pk,
        }
        self.assertRedirects(self.client.post(url, data), self.url())
        entry = AidEntry.objects.get()
        self.assertEqual(entry.amount, Decimal("180.50"))
        correct = reverse("assistance-aid-correct", args=[entry.pk])
        self.assertEqual(self.client.get(correct).status_code, 200)
        response = self.client.post(correct, {"amount": "200.00", "description": "少录20元"})
        self.assertRedirects(response, self.url())
        self.assertEqual(
            sorted(AidEntry.objects.values_list("amount", flat=True)),
            [Decimal("19.50"), Decimal("180.50")],
        )

    def test_another_cadre_may_not_record_aid_in_someone_elses_name(self) -> None:
        self.login(self.c.deputy_account)
        url = reverse("assistance-aid-new", args=[self.c.monitored.pk])
        data = {"date": "2025-11-01", "kind": "money", "amount": "10", "person": self.c.cadre.pk}
        self.assertEqual(self.client.post(url, data).status_code, 403)


class PairingLedgerTests(AssistancePagesTestCase):
    def test_permission_triple_of_a_pairing(self) -> None:
        url = reverse("assistance-pairing", args=[self.monitored.pk])
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")
        self.login(self.c.base.chengguan_staff)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.c.base.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_list_costs_a_fixed_number_of_queries(self) -> None:
        self.login(self.c.base.supervisor)
        url = reverse("assistance-pairings")
        self.client.get(url)
        # session + user (2), the user's unit for the scope (1), one page of pairings with
        # person, unit, household, village and the pairing handed over from, joined (1)
        with self.assertNumQueries(4):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].rows), 3)

    def test_staff_hand_a_household_over_and_the_history_stays(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-pairing-handover", args=[self.monitored.pk])
        response = self.client.post(url, {"person": "P-SL", "on": "2025-11-01"})
        successor = Pairing.objects.get(handed_over_from=self.monitored)
        self.assertRedirects(response, reverse("assistance-pairing", args=[successor.pk]))
        self.monitored.refresh_from_db()
        self.assertEqual(self.monitored.end, D(2025, 10, 31))
        self.assertEqual((successor.person, successor.start), (self.c.deputy, D(2025, 11, 1)))

    def test_a_cadre_without_a_staff_role_cannot_create_pairings(self) -> None:
        self.login(self.c.deputy_account)
        self.assertEqual(self.client.get(reverse("assistance-pairing-new")).status_code, 403)

    def test_staff_create_a_pairing_and_a_category_mismatch_is_an_inline_error(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-pairing-new")
        data = {
            "person": "P-SL",
            "household": "H-V1",
            "kind": "monitored",
            "start": "2025-11-01",
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")
        data["kind"] = "radiated"
        response = self.client.post(url, data)
        pairing = Pairing.objects.get(person=self.c.deputy)
        self.assertRedirects(response, reverse("assistance-pairing", args=[pairing.pk]))

    def test_the_export_is_a_workbook_that_imports_again(self) -> None:
        self.login(self.c.base.supervisor)
        response = self.client.get(reverse("assistance-pairings-export"))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        ledger = workbook["pairings"]
        rows = list(ledger.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("person", "household", "kind", "start", "end"))
        self.assertEqual(len(rows), 4)
        from directory.ledger import run_import

        result = run_import(io.BytesIO(response.content), dry_run=False, filename="p.xlsx")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["pairings"].unchanged, 3)


class FourMustsPagesTests(AssistancePagesTestCase):
    def test_a_village_disaster_from_the_page_lists_the_visits_due(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-village-event")
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {"village": self.c.base.taoyuan.pk, "kind": "disaster", "date": "2025-11-20"}
        self.assertRedirects(self.client.post(url, data), reverse("assistance-events"))
        self.client.get(reverse("assistance-events"))
        # session + user (2), the user's unit for the scope (1), the page of open clocks (1),
        # their events with household and village (1); the content type is cached
        with self.assertNumQueries(5):
            response = self.client.get(reverse("assistance-events"))
        self.assertEqual(len(response.context["rows"]), 3)

    def test_another_townships_staff_cannot_pick_this_village(self) -> None:
        self.login(self.c.base.chengguan_staff)
        data = {"village": self.c.base.taoyuan.pk, "kind": "disaster", "date": "2025-11-20"}
        response = self.client.post(reverse("assistance-village-event"), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(HouseholdEvent.objects.exists())


class TodayPanelAndVillagePairingTests(AssistancePagesTestCase):
    def test_the_today_page_lists_the_cadres_overdue_households(self) -> None:
        self.login(self.c.cadre_account)
        response = self.client.get("/")
        self.assertContains(response, "钱一")
        self.login(self.c.base.supervisor)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_staff_pair_a_leader_with_a_village_and_a_body_with_a_grassroots_unit(self) -> None:
        self.login(self.c.base.admin)
        url = reverse("assistance-unit-pairings")
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {
            "person": "P-WJG",
            "unit": self.c.base.taoyuan.pk,
            "start": "2025-01-01",
        }
        self.assertRedirects(self.client.post(url, data), url)
        data = {
            "body": self.c.base.education.pk,
            "unit": self.c.base.liuxi.pk,
            "start": "2025-01-01",
        }
        self.assertRedirects(self.client.post(url, data), url)
        both = {
            "person": "P-WJG",
            "body": self.c.base.education.pk,
            "unit": self.c.base.liuxi.pk,
            "start": "2025-01-01",
        }
        self.assertEqual(self.client.post(url, both).status_code, 400)
        # session + user (2), the user's unit for the scope (1), one page of pairings (1),
        # and the form's two unit selects (bodies, grassroots units) (2); the leader is a code
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].rows), 2)

    def test_a_leader_without_a_staff_role_cannot_add_village_pairings(self) -> None:
        self.login(self.c.deputy_account)
        url = reverse("assistance-unit-pairings")
        data = {"person": "P-SL", "unit": self.c.base.taoyuan.pk, "start": "2025-01-01"}
        self.assertEqual(self.client.post(url, data).status_code, 403)

    def test_staff_end_a_pairing(self) -> None:
        self.login(self.c.base.qingshan_staff)
        url = reverse("assistance-pairing-end", args=[self.centre.pk])
        self.assertRedirects(
            self.client.post(url, {"end": "2025-11-10"}),
            reverse("assistance-pairing", args=[self.centre.pk]),
        )
        self.centre.refresh_from_db()
        self.assertEqual(self.centre.end, D(2025, 11, 10))
        self.login(self.c.cadre_account)
        codes = [
            row.household.code
            for row in self.client.get(reverse("assistance-mine")).context["rows"]
        ]
        self.assertNotIn("H-O5", codes)
