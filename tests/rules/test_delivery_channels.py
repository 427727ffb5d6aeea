"""Deliveries over real peers on 127.0.0.1: an SMTP server (aiosmtpd), an SMS gateway and the
group robots of WeCom and DingTalk (http.server). Each test starts its peer, lets it be down,
refuse or answer slowly, and checks what the peer received: retried after a failure, and each
reminder delivered once per channel."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import threading
import unittest

from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from rules.calendar_seed import seed_from_package
from rules.clocks import clock_start
from rules.deliveries import INTERRUPTED, deliveries_run
from rules.models import (
    CalendarDay,
    CalendarYear,
    Delivery,
    DeliveryChannel,
    DeliveryPreference,
    DeliveryState,
    DutyGroup,
    Notification,
    Reminder,
    RobotPlatform,
)
from rules.reminders import reminders_deliver, reminders_scan
from tests.helpers import build_county, make_rule, make_unit, make_user
from tests.peers import Answer, RecordingHTTPServer, RecordingSMTPServer, start_python, wait_for

D = dt.date
DAY = D(2026, 6, 22)  # a Monday; the clocks below are overdue, less than 100 working days


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, second))


SCAN_SETTINGS = {"REMINDER_DUE_SOON_WORKDAYS": [3, 1], "ESCALATE_TO_LEADER_AFTER_WORKDAYS": 100}


def overdue_clock(county, unit=None):
    """A deadline of the unit (青山乡 by default), due on 8 June 2026: overdue on DAY."""
    return clock_start(
        rule=county.rule,
        item=county.household_taoyuan,
        step="reply",
        start=D(2026, 6, 1),
        unit=unit or county.qingshan,
    )


class ChannelTestCase(TestCase):
    """The test county with one overdue deadline of 青山乡, whose staff has an e-mail address."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.c.rule = make_rule("T-REPLY")
        cls.staff = cls.c.qingshan_staff
        cls.staff.email = "qs@example.org"
        cls.staff.save()
        overdue_clock(cls.c)

    def digest(self) -> Notification:
        """Scan and build the digests; the staff member's notification."""
        with self.settings(**SCAN_SETTINGS):
            reminders_scan(DAY)
            reminders_deliver(at(8))
        return Notification.objects.get(user=self.staff)

    def peer(self, server):
        self.addCleanup(server.stop)
        return server.start()


class EmailTests(ChannelTestCase):
    def test_a_server_that_is_down_is_tried_again_later_and_the_email_sent_once(self) -> None:
        server = RecordingSMTPServer()  # not started: its port refuses connections
        with self.settings(**server.settings(), DELIVERY_RETRY_SECONDS=60):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.EMAIL)
            self.assertEqual(deliveries_run(now=at(8))["failed"], 1)
            delivery.refresh_from_db()
            self.assertEqual(delivery.state, DeliveryState.FAILED)  # never "sent"
            self.assertIn("Connection refused", delivery.error)
            self.assertEqual(delivery.next_attempt_at, at(8, 1))
            self.assertEqual(deliveries_run(now=at(8, 0, 30))["sent"], 0)  # not due yet
            self.peer(server)
            self.assertEqual(deliveries_run(now=at(8, 1, 1))["sent"], 1)
            self.assertEqual(deliveries_run(now=at(9))["sent"], 0)
        messages = server.messages()
        self.assertEqual([m.recipients for m in messages], [["qs@example.org"]])
        self.assertIn("T-REPLY", messages[0].content.decode())
        delivery.refresh_from_db()
        self.assertEqual((delivery.state, delivery.attempts), (DeliveryState.SENT, 2))

    def test_a_delivery_that_keeps_failing_is_given_up_shown_to_administrators_and_sent_again(
        self,
    ) -> None:
        server = RecordingSMTPServer()
        with self.settings(**server.settings(), DELIVERY_RETRY_SECONDS=60, DELIVERY_MAX_ATTEMPTS=2):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.EMAIL)
            deliveries_run(now=at(8))
            self.assertEqual(deliveries_run(now=at(8, 5))["dead"], 1)
            delivery.refresh_from_db()
            self.assertEqual(delivery.state, DeliveryState.DEAD)
            self.client.force_login(self.c.admin)
            page = self.client.get(reverse("delivery-problems"))
            self.assertContains(page, "qs@example.org")
            self.assertContains(page, "Connection refused")
            self.assertContains(self.client.get(reverse("today")), 'id="delivery-problems"')
            self.client.post(reverse("delivery-send-again", args=[delivery.pk]))
            self.peer(server)
            self.assertEqual(deliveries_run()["sent"], 1)  # due again at once
        self.assertEqual(len(server.messages()), 1)
        self.assertNotContains(self.client.get(reverse("today")), 'id="delivery-problems"')

    def test_other_accounts_cannot_see_or_resend_deliveries(self) -> None:
        delivery = self.digest().deliveries.get()
        self.client.force_login(self.c.supervisor)
        self.assertEqual(self.client.get(reverse("delivery-problems")).status_code, 403)
        response = self.client.post(reverse("delivery-send-again", args=[delivery.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(reverse("duty-group-list")).status_code, 403)

    def test_a_run_longer_than_the_lease_sends_each_email_once(self) -> None:
        # Six digests to a slow server: the run takes longer than a claim's lease, but each
        # lease covers one send, so nothing is taken over and nothing is sent twice.
        for n in range(5):
            unit = make_unit(f"测试村{n}", "village", self.c.qingshan)
            user = make_user(f"staff{n}", unit, "unit_staff")
            user.email = f"staff{n}@example.org"
            user.save()
            overdue_clock(self.c, unit)
        server = self.peer(RecordingSMTPServer(rcpt_delay=0.3))
        with self.settings(**server.settings(), DELIVERY_LEASE_SECONDS=1):
            self.digest()
            started = timezone.now()
            report = deliveries_run()
            self.assertGreater((timezone.now() - started).total_seconds(), 1)
        self.assertEqual(report["sent"], 6)
        recipients = sorted(r for m in server.messages() for r in m.recipients)
        self.assertEqual(len(recipients), 6)
        self.assertEqual(len(set(recipients)), 6)


class SmsGatewayTests(ChannelTestCase):
    def gateway(self, server: RecordingHTTPServer) -> dict:
        return {
            "SMS_GATEWAY_URL": f"{server.url}/sms/send",
            "SMS_GATEWAY_ACCOUNT": "qhx",
            "SMS_GATEWAY_PASSWORD": "s3cret",
            "SMS_GATEWAY_EXTRA": "action=send&userid=12",
            "SMS_GATEWAY_SUCCESS": "Success",
            "SMS_GATEWAY_TEMPLATE": "【{site}】{title}",
            "DELIVERY_RETRY_SECONDS": 60,
        }

    def test_by_text_message_really_sends_and_a_refused_message_is_sent_again_once(self) -> None:
        DeliveryPreference.objects.create(user=self.staff, sms=True, mobile="13812345678")
        server = self.peer(
            RecordingHTTPServer(
                answers=[
                    Answer(503, "<returnstatus>Faild</returnstatus><message>busy</message>"),
                    Answer(200, "<returnstatus>Success</returnstatus>"),
                ]
            )
        )
        with self.settings(**self.gateway(server)):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.SMS)
            self.assertEqual(deliveries_run(now=at(8))["failed"], 1)  # the e-mail went out
            delivery.refresh_from_db()
            self.assertEqual(delivery.state, DeliveryState.FAILED)
            self.assertIn("HTTP 503", delivery.error)
            self.assertEqual(deliveries_run(now=at(8, 2))["sent"], 1)
            deliveries_run(now=at(10))
        requests = server.received()
        self.assertEqual(len(requests), 2)
        form = requests[1].form()
        self.assertEqual(requests[1].path, "/sms/send")
        self.assertEqual(form["mobile"], "13812345678")
        self.assertEqual((form["account"], form["password"]), ("qhx", "s3cret"))
        self.assertEqual((form["action"], form["userid"]), ("send", "12"))
        self.assertTrue(form["content"].startswith("【民情】"))
        self.assertIn("T-REPLY", form["content"])
        # The same message id on both attempts: a gateway that drops repeats never sends twice.
        self.assertEqual(requests[0].form()["msgid"], form["msgid"])
        delivery.refresh_from_db()
        self.assertEqual(delivery.state, DeliveryState.SENT)

    def test_an_answer_without_the_success_mark_is_a_failure(self) -> None:
        DeliveryPreference.objects.create(user=self.staff, sms=True, mobile="13812345678")
        server = self.peer(
            RecordingHTTPServer(answers=[Answer(200, "<returnstatus>Faild</returnstatus>")])
        )
        with self.settings(**self.gateway(server)):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.SMS)
            deliveries_run(now=at(8))
        delivery.refresh_from_db()
        self.assertEqual(delivery.state, DeliveryState.FAILED)
        self.assertIn("Faild", delivery.error)

    def test_without_a_gateway_or_a_wish_no_text_message_is_queued(self) -> None:
        DeliveryPreference.objects.create(user=self.staff, sms=True, mobile="13812345678")
        with self.settings(SMS_GATEWAY_URL=""):
            self.assertFalse(self.digest().deliveries.filter(channel=DeliveryChannel.SMS))

    def test_a_send_interrupted_after_it_left_is_given_up_not_repeated(self) -> None:
        # At most once: the worker died after handing the message to the gateway; whether it
        # arrived is unknown, so it is not sent again but shown to administrators.
        DeliveryPreference.objects.create(user=self.staff, sms=True, mobile="13812345678")
        server = self.peer(RecordingHTTPServer())
        with self.settings(**self.gateway(server)):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.SMS)
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SENDING,
                attempts=1,
                lease_until=at(8),
                handed_over_at=at(7, 59),
            )
            report = deliveries_run(now=at(9))
        self.assertEqual(report["dead"], 1)
        delivery.refresh_from_db()
        self.assertEqual((delivery.state, delivery.error), (DeliveryState.DEAD, INTERRUPTED))
        self.assertEqual(server.received(), [])

    def test_the_choice_of_text_messages_needs_a_mobile_number(self) -> None:
        self.client.force_login(self.staff)
        url = reverse("inbox-preferences")
        response = self.client.post(url, {"email": "on", "sms": "on", "mobile": ""})
        self.assertContains(response, "请填写接收短信的手机号码")
        self.assertFalse(DeliveryPreference.objects.filter(user=self.staff, sms=True).exists())
        response = self.client.post(url, {"sms": "on", "mobile": "12345"})
        self.assertEqual(response.status_code, 200)  # not a mobile number: refused
        self.client.post(url, {"sms": "on", "mobile": "13812345678"})
        preference = DeliveryPreference.objects.get(user=self.staff)
        self.assertEqual((preference.sms, preference.mobile), (True, "13812345678"))
        self.assertEqual(preference.history.count(), 2)  # created, then changed


class RobotWebhookTests(ChannelTestCase):
    def test_a_units_duty_group_gets_the_reminders_once_and_again_after_a_refusal(self) -> None:
        server = self.peer(
            RecordingHTTPServer(
                answers=[
                    Answer(200, '{"errcode":45009,"errmsg":"api freq out of limit"}'),
                    Answer(200, '{"errcode":0,"errmsg":"ok"}'),
                ]
            )
        )
        group = DutyGroup.objects.create(
            unit=self.c.qingshan,
            platform=RobotPlatform.WECOM,
            webhook_url=f"{server.url}/cgi-bin/webhook/send?key=abc-123",
        )
        with self.settings(DELIVERY_RETRY_SECONDS=60):
            self.digest()
            message = Notification.objects.get(group=group)
            self.assertIsNone(message.user)  # in nobody's inbox
            self.assertEqual(deliveries_run(now=at(8))["failed"], 1)  # the e-mail went out
            self.assertIn("45009", message.deliveries.get().error)
            self.assertEqual(deliveries_run(now=at(8, 2))["sent"], 1)
            # The next scans find the same stage of the same deadline: nothing new is posted.
            with self.settings(**SCAN_SETTINGS):
                self.assertEqual(reminders_scan(DAY + dt.timedelta(days=1)).created, 0)
                self.assertEqual(reminders_deliver(at(12)), 0)
            deliveries_run(now=at(12))
        requests = server.received()
        self.assertEqual(len(requests), 2)
        self.assertEqual(requests[1].query, {"key": "abc-123"})
        payload = requests[1].json()
        self.assertEqual(payload["msgtype"], "text")
        self.assertIn("T-REPLY", payload["text"]["content"])
        self.assertEqual(Reminder.objects.filter(group=group).count(), 1)  # overdue, once

    def test_a_dingtalk_robot_with_a_secret_gets_signed_requests(self) -> None:
        server = self.peer(RecordingHTTPServer())
        DutyGroup.objects.create(
            unit=self.c.qingshan,
            platform=RobotPlatform.DINGTALK,
            webhook_url=f"{server.url}/robot/send?access_token=tok",
            secret="SEC-test",
        )
        self.digest()
        deliveries_run(now=at(8))
        (request,) = server.received()
        timestamp, sign = request.query["timestamp"], request.query["sign"]
        expected = base64.b64encode(
            hmac.new(b"SEC-test", f"{timestamp}\nSEC-test".encode(), hashlib.sha256).digest()
        ).decode()
        self.assertEqual(sign, expected)
        self.assertEqual(request.query["access_token"], "tok")

    def test_an_inactive_duty_group_gets_nothing(self) -> None:
        DutyGroup.objects.create(
            unit=self.c.qingshan, webhook_url="http://127.0.0.1:9/robot", active=False
        )
        self.digest()
        self.assertFalse(Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).exists())

    def test_administrators_keep_the_duty_groups(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.post(
            reverse("duty-group-new"),
            {
                "unit": self.c.qingshan.pk,
                "platform": RobotPlatform.WECOM,
                "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1",
                "active": "on",
            },
        )
        self.assertRedirects(response, reverse("duty-group-list"))
        page = self.client.get(reverse("duty-group-list"))
        self.assertContains(page, "青山乡")
        self.assertNotContains(page, "k-1")  # the key is not shown again
        self.assertEqual(DutyGroup.objects.get().history.count(), 1)


@unittest.skipUnless(connection.vendor == "postgresql", "a worker process needs PostgreSQL")
class KilledWorkerTests(TransactionTestCase):
    """A queue worker of its own, killed with SIGKILL while it waits on a slow peer."""

    def setUp(self) -> None:
        seed_from_package(CalendarYear, CalendarDay)  # TransactionTestCase flushed them
        self.c = build_county()
        self.c.rule = make_rule("T-REPLY")
        self.staff = self.c.qingshan_staff
        self.staff.email = "qs@example.org"
        self.staff.save()
        overdue_clock(self.c)

    def digest(self) -> Notification:
        with self.settings(**SCAN_SETTINGS):
            reminders_scan(DAY)
            reminders_deliver(at(8))
        return Notification.objects.get(user=self.staff)

    def worker(self, **env):
        process = start_python(
            "from rules.deliveries import deliveries_run\nprint(deliveries_run())",
            DELIVERY_LEASE_SECONDS=10,
            **env,
        )
        self.addCleanup(process.kill)
        return process

    def test_an_email_killed_mid_send_is_sent_once_in_the_end(self) -> None:
        server = RecordingSMTPServer(rcpt_delay=30).start()
        self.addCleanup(server.stop)
        delivery = self.digest().deliveries.get(channel=DeliveryChannel.EMAIL)
        process = self.worker(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
        )
        wait_for(server.rcpt_seen.is_set, what="the worker to reach RCPT TO")
        process.kill()
        process.wait(10)
        delivery.refresh_from_db()
        self.assertEqual(delivery.state, DeliveryState.SENDING)  # left behind by the dead worker
        self.assertIsNotNone(delivery.handed_over_at)
        self.assertEqual(server.messages(), [])
        # Before its lease ends nobody takes it over; after it, the e-mail (at least once) is
        # sent again — and only once.
        server.rcpt_delay = 0
        with self.settings(**server.settings()):
            self.assertEqual(deliveries_run()["sent"], 0)
            later = delivery.lease_until + dt.timedelta(seconds=1)
            self.assertEqual(deliveries_run(now=later)["sent"], 1)
            self.assertEqual(deliveries_run(now=later + dt.timedelta(hours=1))["sent"], 0)
        self.assertEqual(len(server.messages()), 1)
        delivery.refresh_from_db()
        self.assertEqual((delivery.state, delivery.attempts), (DeliveryState.SENT, 2))

    def test_a_text_message_killed_mid_send_is_not_sent_twice(self) -> None:
        DeliveryPreference.objects.create(user=self.staff, sms=True, mobile="13812345678")
        server = RecordingHTTPServer(answers=[Answer(200, "Success", delay=30)]).start()
        self.addCleanup(server.stop)
        gateway = {"SMS_GATEWAY_URL": f"{server.url}/sms", "SMS_GATEWAY_SUCCESS": "Success"}
        with self.settings(**gateway):
            delivery = self.digest().deliveries.get(channel=DeliveryChannel.SMS)
        Delivery.objects.filter(channel=DeliveryChannel.EMAIL).delete()
        process = self.worker(**gateway)
        wait_for(server.request_seen.is_set, what="the worker to call the gateway")
        process.kill()
        process.wait(10)
        delivery.refresh_from_db()
        with self.settings(**gateway):
            report = deliveries_run(now=delivery.lease_until + dt.timedelta(seconds=1))
        self.assertEqual(report["dead"], 1)
        self.assertEqual(len(server.received()), 1)  # at most once: not repeated
        delivery.refresh_from_db()
        self.assertEqual(delivery.state, DeliveryState.DEAD)


@unittest.skipUnless(connection.vendor == "postgresql", "two workers at once need PostgreSQL")
class ConcurrentDeliveryTests(TransactionTestCase):
    def test_two_workers_on_a_slow_server_with_a_short_lease_send_each_email_once(self) -> None:
        seed_from_package(CalendarYear, CalendarDay)
        county = build_county()
        county.rule = make_rule("T-REPLY")
        for n in range(8):
            unit = make_unit(f"测试村{n}", "village", county.qingshan)
            user = make_user(f"staff{n}", unit, "unit_staff")
            user.email = f"staff{n}@example.org"
            user.save()
            overdue_clock(county, unit)
        with self.settings(**SCAN_SETTINGS):
            reminders_scan(DAY)
            reminders_deliver(at(8))
        server = RecordingSMTPServer(rcpt_delay=0.2).start()
        self.addCleanup(server.stop)
        barrier = threading.Barrier(2)
        reports: list[dict] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                reports.append(deliveries_run())
            except BaseException as exc:  # noqa: BLE001  (reported to the test thread)
                errors.append(exc)
            finally:
                connection.close()

        with self.settings(**server.settings(), DELIVERY_LEASE_SECONDS=1):
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(sum(r["sent"] for r in reports), 8)
        recipients = [r for m in server.messages() for r in m.recipients]
        self.assertEqual(sorted(recipients), sorted(set(recipients)))
        self.assertEqual(len(recipients), 8)
        self.assertFalse(Delivery.objects.exclude(state=DeliveryState.SENT).exists())
