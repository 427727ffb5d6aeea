"""民情日报 (TY-O1): the bulletin of a chosen day as a page and as a PDF (its text extracted with
pdftotext: a missing pdftotext fails the test), produced by hand or by the queue, sent once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from petitions.appeals import services as s
from petitions.appeals.bulletin import bulletin_data, bulletin_produce, bulletin_run, covered_days
from petitions.models import Bulletin
from rules import compliance
from rules.deliveries import deliveries_run
from rules.models import DeliveryPreference, Notification, Rule
from rules.periods import Period
from tests.helpers import build_county
from tests.peers import Answer, RecordingHTTPServer

from .appeal_helpers import at, make_appeal, make_public_appeal, setup_appeals

D = dt.date
DAY = D(2025, 10, 9)  # the first working day after the National Day holiday


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


class BulletinTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        c = cls.c = build_county()
        clerk = c.petition_clerk
        # in the bulletin of 9 Oct (covers 30 Sep – 8 Oct): four new appeals
        cls.notable = make_appeal(c, received_at=at(2025, 9, 30, 9), code="construction")
        make_appeal(c, received_at=at(2025, 9, 30, 11), code="construction")
        make_appeal(c, received_at=at(2025, 9, 30, 15), code="environment", township=c.chengguan)
        make_public_appeal(c, received_at=at(2025, 10, 3, 20), code="education")
        s.appeal_mark_notable(
            appeal=cls.notable,
            notable=True,
            note="涉及多户群众",
            on=D(2025, 9, 30),
            acting_user=clerk,
        )
        # outside it: received before and after
        cls.due_today = make_appeal(c, received_at=at(2025, 9, 29), code="consultation")
        make_appeal(c, received_at=at(2025, 10, 9), code="transport")
        # overdue on 9 Oct: a one-day limit from 26 Sep
        cls.overdue = make_appeal(c, received_at=at(2025, 9, 26), code="utilities")
        # replied during the covered days: one on time, one late
        on_time = make_appeal(c, received_at=at(2025, 9, 26), code="labour")
        s.appeal_reply(appeal=on_time, text="已答复", on=D(2025, 9, 30), acting_user=clerk)
        late = make_appeal(c, received_at=at(2025, 9, 25), code="utilities")
        s.appeal_reply(appeal=late, text="已答复", on=D(2025, 9, 30), acting_user=clerk)


class BulletinDataTests(BulletinTestCase):
    def test_a_bulletin_covers_from_the_previous_working_day_to_the_day_before(self) -> None:
        self.assertEqual(covered_days(DAY), (D(2025, 9, 30), D(2025, 10, 8)))
        self.assertEqual(covered_days(D(2025, 10, 14)), (D(2025, 10, 13), D(2025, 10, 13)))
        # the adjusted working Sunday 28 Sep: its bulletin covers Friday and Saturday
        self.assertEqual(covered_days(D(2025, 9, 28)), (D(2025, 9, 26), D(2025, 9, 27)))

    def test_the_figures_of_the_day(self) -> None:
        data = bulletin_data(DAY)
        self.assertEqual(data.new_total, 4)
        self.assertEqual(data.by_category, [("生态环境", 1), ("城乡建设", 2), ("教育", 1)])
        self.assertEqual(data.by_township, [("城关镇", 1), ("青山乡", 3)])
        self.assertEqual((data.replied, data.replied_late), (2, 1))
        self.assertEqual(data.due_today, [self.due_today])
        self.assertEqual(data.overdue, [self.overdue])
        self.assertEqual(data.notable, [self.notable])


class BulletinPageTests(BulletinTestCase):
    def test_the_page_for_a_chosen_day_is_for_the_county_leaders_and_the_office(self) -> None:
        url = reverse("appeal-bulletin-day", args=[DAY.isoformat()])
        self.assertEqual(self.client.get(url).status_code, 302)  # anonymous: login
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.c.leader)
        # session, user, unit (reader check) + the calendar (year, days) + categories,
        # townships, replies, due today, overdue count and list, notable, new items + the
        # day's Bulletin row: fixed, whatever the number of appeals.
        with self.assertNumQueries(14):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        for text in ("城乡建设", "生态环境", "青山乡", "涉及多户群众", self.overdue.ref):
            self.assertContains(response, text)

    def test_the_pdf_has_the_chinese_category_names_and_their_counts(self) -> None:
        self.client.force_login(self.c.leader)
        response = self.client.get(reverse("appeal-bulletin-pdf", args=[DAY.isoformat()]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        self.assertIn("民情日报", text)
        self.assertIn("2025年10月9日", text)
        for name, count in (("城乡建设", 2), ("生态环境", 1), ("教育", 1), ("青山乡", 3)):
            self.assertRegex(text, re.compile(rf"{name}\s+{count}\b"), name)
        self.assertIn(self.notable.ref, text)


class SendingTests(BulletinTestCase):
    def test_producing_twice_sends_once(self) -> None:
        bulletin, first = bulletin_produce(day=DAY)
        again, second = bulletin_produce(day=DAY)
        self.assertEqual((first, second), (1, 0))
        self.assertEqual(again.pk, bulletin.pk)
        self.assertEqual(again.times_produced, 2)
        notes = Notification.objects.filter(user=self.c.leader)
        self.assertEqual(notes.count(), 1)
        note = notes.get()
        self.assertIn("民情日报", note.title)
        self.assertEqual(note.items[0]["url"], reverse("appeal-bulletin-day", args=["2025-10-09"]))
        self.assertEqual(again.figures["new"], 4)

    def test_the_office_produces_a_past_day_again_from_the_page_without_resending(self) -> None:
        url = reverse("appeal-bulletin-produce", args=[DAY.isoformat()])
        self.client.force_login(self.c.leader)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.c.petition_clerk)
        for _n in range(2):
            response = self.client.post(url)
            self.assertRedirects(response, reverse("appeal-bulletin-day", args=["2025-10-09"]))
        self.assertEqual(Notification.objects.count(), 1)
        self.assertEqual(Bulletin.objects.get(day=DAY).times_produced, 2)

    def test_the_queue_job_sends_on_a_working_morning_once(self) -> None:
        self.assertEqual(bulletin_run(at(2025, 10, 9, 6))["skipped"], "too early")
        self.assertEqual(bulletin_run(at(2025, 10, 4, 9))["skipped"], "rest day")
        self.assertEqual(bulletin_run(at(2025, 10, 9, 8))["notified"], 1)
        self.assertEqual(bulletin_run(at(2025, 10, 9, 9))["skipped"], "already sent")
        self.assertEqual(Notification.objects.count(), 1)

    def test_the_leaders_get_it_by_e_mail_and_text_message_once(self) -> None:
        leader = self.c.leader
        leader.email = "leader@example.org"
        leader.save()
        DeliveryPreference.objects.create(user=leader, sms=True, mobile="13900000001")
        gateway = RecordingHTTPServer(answers=[Answer(200, "<returnstatus>Success")]).start()
        self.addCleanup(gateway.stop)
        with self.settings(SMS_GATEWAY_URL=f"{gateway.url}/sms", SMS_GATEWAY_SUCCESS="Success"):
            result = bulletin_run(at(2025, 10, 9, 8))
            bulletin_run(at(2025, 10, 9, 9))
            bulletin_produce(day=DAY)
            deliveries_run()
        self.assertEqual((result["notified"], result["sent"]), (1, 2))
        self.assertEqual([m.to for m in mail.outbox], [["leader@example.org"]])
        (message,) = gateway.received()
        self.assertEqual(message.form()["mobile"], "13900000001")
        self.assertIn("民情日报", message.form()["content"])

    def test_ty_o1_counts_the_working_days_whose_bulletin_was_sent(self) -> None:
        for day in (D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11)):
            bulletin_produce(day=day)
        bulletin_produce(day=D(2025, 10, 13), send=False)
        rows = compliance.evaluate(
            Period.year(2025), today=D(2025, 11, 3), rules=Rule.objects.filter(rule_id="TY-O1")
        )
        october = next(r for r in rows if r.period == "2025-10" and r.subject == "QH")
        # 9–11 Oct (the 11th a worked Saturday), then four full weeks: 18 working days
        self.assertEqual((october.required, october.actual, october.status), (18, 3, "short"))
        november = next(r for r in rows if r.period == "2025-11")
        self.assertEqual((november.required, november.status), (1, "open"))  # Mon 3 Nov
        self.assertFalse([r for r in rows if r.period == "2025-12"])  # not begun yet


@override_settings(FROZEN_TODAY="2025-10-09")
class BulletinIndexTests(BulletinTestCase):
    def test_the_index_goes_to_the_chosen_day_and_lists_produced_bulletins(self) -> None:
        bulletin_produce(day=DAY)
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("appeal-bulletin"), {"day": "2025-10-09"})
        self.assertRedirects(response, reverse("appeal-bulletin-day", args=["2025-10-09"]))
        bulletin_produce(day=D(2025, 10, 10))
        # session, user, unit (reader check) + the last 30 bulletins: one query for the list
        with self.assertNumQueries(4):
            response = self.client.get(reverse("appeal-bulletin"))
        self.assertContains(response, reverse("appeal-bulletin-day", args=["2025-10-09"]))
        self.assertContains(response, reverse("appeal-bulletin-day", args=["2025-10-10"]))
