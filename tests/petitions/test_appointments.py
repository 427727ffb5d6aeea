"""Appointment receptions (DA-R2, DA-R4) and the office reception ledger (TY-C1, TY-C2, TY-C3)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from petitions.matters.services import petition_accept, petition_answer
from petitions.models import (
    MissedContact,
    OfficeVisit,
    Reception,
    RescheduledMeeting,
    RosterNotice,
)
from petitions.roster.services import (
    MatterResult,
    appointment_create,
    appointment_invite,
    appointment_notify,
    appointment_record,
    missed_contact_record,
    missed_contact_return,
    rescheduled_done,
    rescheduled_record,
)
from rules.clocks import clocks_for_item
from tests.helpers import build_county

from .helpers import load_rule_packs, make_petition

D = dt.date


class AppointmentTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("dongan", "taoyuan")
        cls.c = build_county()
        c = cls.c
        cls.duty = Reception.objects.create(
            date=D(2025, 10, 9),
            part="day",
            kind="bureau_sitting",
            unit=c.county,
            person=c.county_leader,
        )
        cls.matters = [
            make_petition(
                c,
                received_on=D(2025, 9, 1 + i),
                township=c.qingshan,
                lead_unit=c.qingshan,
                summary=f"事项{i}",
            )
            for i in range(4)
        ]
        cls.elsewhere = make_petition(
            c,
            received_on=D(2025, 9, 5),
            township=c.chengguan,
            lead_unit=c.chengguan,
            summary="城关事项",
        )

    def test_one_to_three_matters_from_the_linked_township(self) -> None:
        with self.assertRaisesMessage(ValidationError, "DA-R2"):
            appointment_create(
                reception=self.duty,
                petitions=self.matters,
                consent_on=None,
                consent_note="",
                acting_user=self.c.petition_clerk,
            )
        with self.assertRaisesMessage(ValidationError, self.elsewhere.ref):
            appointment_create(
                reception=self.duty,
                petitions=[self.elsewhere],
                consent_on=None,
                consent_note="",
                acting_user=self.c.petition_clerk,
            )

    def test_consent_invitation_notices_record_and_supervised_reply(self) -> None:
        c = self.c
        appointment = appointment_create(
            reception=self.duty,
            petitions=self.matters[:2],
            consent_on=None,
            consent_note="",
            acting_user=c.petition_clerk,
        )
        first, second = appointment.matters.order_by("petition__received_on")
        with self.assertRaisesMessage(ValidationError, "领导同意意见"):
            appointment_invite(
                matter=first, on=D(2025, 10, 7), note="电话邀约", acting_user=c.petition_clerk
            )
        self.client.force_login(c.petition_clerk)
        self.client.post(
            reverse("appointment-action", args=[appointment.pk, "consent"]),
            {"on": "2025-10-06", "note": "同意接访"},
        )
        appointment.refresh_from_db()
        self.assertEqual(appointment.consent_on, D(2025, 10, 6))
        appointment_invite(
            matter=first, on=D(2025, 10, 7), note="电话邀约", acting_user=c.petition_clerk
        )
        appointment_notify(
            appointment=appointment,
            unit=c.qingshan,
            on=D(2025, 10, 7),
            text="请乡政府派员参加",
            acting_user=c.petition_clerk,
        )
        self.assertEqual(
            sorted(RosterNotice.objects.values_list("kind", flat=True)),
            ["consent", "invitation", "unit_notice"],
        )
        appointment_record(
            appointment=appointment,
            on=D(2025, 10, 9),
            heard="群众反映补偿标准偏低。",
            results=[
                MatterResult(
                    first,
                    "assigned",
                    "责成县教育局书面答复",
                    assigned_unit=c.education,
                    reply_days=10,
                ),
                MatterResult(second, "on_the_spot", "当场答复政策依据"),
            ],
            acting_user=c.petition_clerk,
        )
        self.duty.refresh_from_db()
        self.assertEqual(self.duty.status, "held")
        clock = clocks_for_item(first).get()
        # 10 working days after Thu 9 Oct 2025: 10, Sat 11 (adjusted), 13–17, 20, 21, 22 Oct.
        self.assertEqual(
            (clock.rule.rule_id, clock.due, clock.unit), ("DA-R4", D(2025, 10, 22), c.education)
        )
        self.assertEqual(first.petition.supervisions.get().due_on, D(2025, 10, 22))
        # the written answer to the petitioner is the reply the reception asked for
        petition_accept(
            petition=first.petition, on=D(2025, 10, 10), accepted=True, acting_user=c.qingshan_staff
        )
        petition_answer(
            petition=first.petition,
            on=D(2025, 10, 21),
            answer="书面答复",
            acting_user=c.qingshan_staff,
        )
        clock.refresh_from_db()
        self.assertEqual((clock.done_on, clock.on_time), (D(2025, 10, 21), True))
        page = self.client.get(reverse("appointment-detail", args=[appointment.pk]))
        self.assertContains(page, first.petition.ref)

    def test_the_unit_complained_about_is_not_notified(self) -> None:
        about = make_petition(
            self.c,
            received_on=D(2025, 9, 20),
            township=self.c.qingshan,
            subject_unit=self.c.qingshan,
            lead_unit=self.c.education,
            summary="反映乡里",
        )
        appointment = appointment_create(
            reception=self.duty,
            petitions=[about],
            consent_on=D(2025, 10, 6),
            consent_note="",
            acting_user=self.c.petition_clerk,
        )
        with self.assertRaisesMessage(ValidationError, "青山乡"):
            appointment_notify(
                appointment=appointment,
                unit=self.c.qingshan,
                on=D(2025, 10, 7),
                text="",
                acting_user=self.c.petition_clerk,
            )


class OfficeLedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("taoyuan")
        cls.c = build_county()

    def test_a_missed_call_on_friday_is_due_on_the_adjusted_working_sunday(self) -> None:
        contact = missed_contact_record(
            contact=MissedContact(
                unit=self.c.qingshan,
                person=self.c.qingshan_secretary,
                kind="call",
                missed_on=D(2025, 9, 26),
                caller_phone="13712345678",
            ),
            acting_user=self.c.qingshan_staff,
        )
        clock = clocks_for_item(contact).get()
        self.assertEqual((clock.rule.rule_id, clock.due), ("TY-C1", D(2025, 9, 28)))
        missed_contact_return(contact=contact, on=D(2025, 9, 29), note="已回电")
        clock.refresh_from_db()
        self.assertEqual((clock.done_on, clock.on_time), (D(2025, 9, 29), False))

    def test_a_rescheduled_meeting_is_tracked_to_the_new_date(self) -> None:
        meeting = rescheduled_record(
            meeting=RescheduledMeeting(
                unit=self.c.qingshan,
                person=self.c.qingshan_secretary,
                visitor_name="吴某",
                matter="低保申请",
                requested_on=D(2025, 9, 29),
                new_date=D(2025, 10, 9),
            ),
            acting_user=self.c.qingshan_staff,
        )
        clock = clocks_for_item(meeting).get()
        self.assertEqual((clock.rule.rule_id, clock.due), ("TY-C2", D(2025, 10, 9)))
        rescheduled_done(meeting=meeting, on=D(2025, 10, 9), outcome="已接待")
        clock.refresh_from_db()
        self.assertTrue(clock.on_time)

    def test_the_ledger_page_adds_entries_and_keeps_a_constant_query_count(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post(
            reverse("office-add", args=["visit"]),
            {
                "unit": self.c.qingshan.pk,
                "date": "2025-10-15",
                "visitor_name": "郑某",
                "visitor_phone": "13612345678",
                "matter": "咨询医保政策",
                "received_by": "P-LM",
                "outcome": "已解答",
            },
        )
        self.assertRedirects(response, reverse("office-ledger"))
        self.assertEqual(OfficeVisit.objects.get().received_by, self.c.qingshan_secretary)
        self.client.post(
            reverse("office-add", args=["missed"]),
            {
                "unit": self.c.qingshan.pk,
                "person": "P-LM",
                "kind": "message",
                "missed_on": "2025-10-15",
                "caller_name": "",
                "caller_phone": "13612345678",
                "note": "",
            },
        )
        # session, user, unit (scope), the three ledgers joined with their people, the unit
        # choices of the three add forms (one each)
        with self.assertNumQueries(9):
            page = self.client.get(reverse("office-ledger"))
        self.assertContains(page, "136****5678")
        self.assertNotContains(page, "13612345678")
        missed = MissedContact.objects.get()
        self.client.post(
            reverse("office-done", args=["missed", missed.pk]),
            {"on": "2025-10-16", "note": "已回复"},
        )
        missed.refresh_from_db()
        self.assertEqual(missed.done_on, D(2025, 10, 16))

    def test_another_township_gets_404_on_an_entry(self) -> None:
        contact = missed_contact_record(
            contact=MissedContact(
                unit=self.c.qingshan,
                person=self.c.qingshan_secretary,
                kind="call",
                missed_on=D(2025, 9, 26),
                caller_phone="13712345678",
            ),
            acting_user=self.c.qingshan_staff,
        )
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.post(
            reverse("office-done", args=["missed", contact.pk]), {"on": "2025-09-29"}
        )
        self.assertEqual(response.status_code, 404)
