from __future__ import annotations

import datetime as dt

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from rules.clocks import clock_complete, clock_extend, clock_start
from rules.deliveries import deliveries_run
from rules.models import (
    Delivery,
    DeliveryState,
    Notification,
    Reminder,
    ReminderKind,
    ReminderState,
)
from rules.reminders import reminders_deliver, reminders_scan, scan_queryset
from tests.helpers import build_county, make_rule, make_unit, make_user

D = dt.date


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3)
class ReminderScanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.c.qingshan_staff.email = "qs@example.org"
        cls.c.qingshan_staff.save()
        cls.rule = make_rule(
            "T-REPLY",
            params={
                "start_event": "in",
                "end_event": "out",
                "amount": 5,
                "unit": "workdays",
                "extension_amount": 5,
                "max_extensions": 1,
            },
        )
        # The county leader is linked to 青山乡: the leader in charge of its overdue items.
        cls.c.leader.person.refresh_from_db()

    def start(self, day: dt.date):
        return clock_start(
            rule=self.rule,
            item=self.c.household_taoyuan,
            step="reply",
            start=day,
            unit=self.c.qingshan,
        )

    def kinds(self) -> list[tuple[str, int, str]]:
        return sorted(Reminder.objects.values_list("kind", "lead", "recipient__username"))

    def test_three_working_days_before_the_due_date_the_unit_is_reminded(self) -> None:
        clock = self.start(D(2026, 9, 24))  # 5 working days across National Day: due 2026-10-09
        self.assertEqual(clock.due, D(2026, 10, 9))
        # On 30 September three working days remain (8, 9 October and the adjusted Saturday 10th? no:
        # 9 October is the due date: 8 and 9 October are the two working days left).
        self.assertEqual(reminders_scan(D(2026, 9, 29)).created, 1)
        self.assertEqual(self.kinds(), [(ReminderKind.DUE_SOON, 3, "qingshan")])

    def test_the_holiday_counts_no_working_days(self) -> None:
        self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 9, 30))  # 2 working days left (8th, 9th): the 3-day stage
        reminders_scan(D(2026, 10, 8))  # 1 working day left
        self.assertEqual(
            self.kinds(),
            [(ReminderKind.DUE_SOON, 1, "qingshan"), (ReminderKind.DUE_SOON, 3, "qingshan")],
        )

    def test_due_today_then_overdue_escalates_to_the_supervising_office_then_the_leader(
        self,
    ) -> None:
        self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 10, 9))
        reminders_scan(D(2026, 10, 10))  # adjusted working Saturday: 1 working day late
        self.assertIn((ReminderKind.DUE_TODAY, 0, "qingshan"), self.kinds())
        self.assertIn((ReminderKind.OVERDUE, 0, "qingshan"), self.kinds())
        self.assertIn((ReminderKind.ESCALATED_OFFICE, 0, "supervisor"), self.kinds())
        self.assertNotIn(ReminderKind.ESCALATED_LEADER, [k for k, _l, _u in self.kinds()])
        reminders_scan(D(2026, 10, 14))  # 3 working days late (12, 13, 14 October)
        self.assertIn((ReminderKind.ESCALATED_LEADER, 0, "leader"), self.kinds())

    def test_scanning_twice_creates_nothing_new(self) -> None:
        self.start(D(2026, 9, 24))
        self.assertGreater(reminders_scan(D(2026, 10, 12)).created, 0)
        self.assertEqual(reminders_scan(D(2026, 10, 12)).created, 0)

    def test_a_clock_first_seen_past_due_does_not_flood(self) -> None:
        self.start(D(2026, 6, 1))
        reminders_scan(D(2026, 6, 20))
        self.assertNotIn(ReminderKind.DUE_SOON, [k for k, _l, _u in self.kinds()])
        self.assertEqual(Reminder.objects.filter(recipient=self.c.qingshan_staff).count(), 1)

    def test_a_completed_clock_stops_its_reminders(self) -> None:
        clock = self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 10, 8))
        clock_complete(clock=clock, done_on=D(2026, 10, 8))
        self.assertEqual(reminders_deliver(at(D(2026, 10, 8))), 0)
        self.assertFalse(Reminder.objects.exclude(state=ReminderState.CANCELLED).exists())
        self.assertEqual(reminders_scan(D(2026, 10, 9)).created, 0)

    def test_an_extended_clock_is_reminded_for_its_new_date_only(self) -> None:
        clock = self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 10, 8))
        clock_extend(clock=clock, amount=5, reason="waiting for the survey")
        self.assertEqual(
            reminders_deliver(at(D(2026, 10, 8))), 0
        )  # the old date's reminder is void
        reminders_scan(D(2026, 10, 13))
        self.assertEqual(Reminder.objects.filter(state=ReminderState.PENDING).get().due, clock.due)

    def test_a_clock_escalated_to_the_leader_is_no_longer_read_by_the_scan(self) -> None:
        clock = self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 10, 12))  # overdue, not yet three working days
        self.assertIn(clock, scan_queryset(D(2026, 10, 13)))
        reminders_scan(D(2026, 10, 14))  # the last stage: the leader
        clock.refresh_from_db()
        self.assertEqual(clock.reminded_due, clock.due)
        # The steady state: nothing left to write, nothing read.
        self.assertNotIn(clock, scan_queryset(D(2026, 10, 20)))
        self.assertEqual(reminders_scan(D(2026, 10, 20)).created, 0)

    def test_an_extension_after_the_last_stage_brings_the_clock_back_to_the_scan(self) -> None:
        clock = self.start(D(2026, 9, 24))
        reminders_scan(D(2026, 10, 14))
        clock.refresh_from_db()
        clock_extend(clock=clock, amount=5, reason="waiting for the survey")
        clock.refresh_from_db()
        self.assertIn(clock, scan_queryset(D(2026, 10, 14)))


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3)
class ReminderDeliveryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.c.qingshan_staff.email = "qs@example.org"
        cls.c.qingshan_staff.save()
        cls.rule = make_rule("T-REPLY")
        for start in (D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 3)):
            clock_start(
                rule=cls.rule,
                item=cls.c.household_taoyuan,
                step=f"reply-{start.day}",
                start=start,
                unit=cls.c.qingshan,
            )

    def test_several_reminders_become_one_digest_in_the_inbox_and_one_email(self) -> None:
        reminders_scan(D(2026, 6, 20))  # all three overdue
        # The unit's staff, the supervising office and the linked leader (all ≥ 3 working days late).
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20))), 3)
        digest = Notification.objects.get(user=self.c.qingshan_staff)
        self.assertEqual(len(digest.items), 3)
        # The e-mail is a delivery of its own, sent by the delivery run.
        self.assertEqual(digest.deliveries.get().state, DeliveryState.PENDING)
        self.assertEqual(deliveries_run(now=at(D(2026, 6, 20)))["sent"], 1)
        self.assertEqual([m.to for m in mail.outbox], [["qs@example.org"]])
        self.assertEqual(digest.deliveries.get().state, DeliveryState.SENT)

    def test_delivering_again_sends_nothing_twice(self) -> None:
        reminders_scan(D(2026, 6, 20))
        reminders_deliver(at(D(2026, 6, 20)))
        deliveries_run(now=at(D(2026, 6, 20)))
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20))), 0)
        self.assertEqual(deliveries_run(now=at(D(2026, 6, 20)))["sent"], 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_e_mail_can_be_switched_off(self) -> None:
        from rules.models import DeliveryPreference

        DeliveryPreference.objects.create(user=self.c.qingshan_staff, email=False)
        reminders_scan(D(2026, 6, 20))
        reminders_deliver(at(D(2026, 6, 20)))
        deliveries_run(now=at(D(2026, 6, 20)))
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Delivery.objects.exists())
        self.assertTrue(Notification.objects.filter(user=self.c.qingshan_staff).exists())

    def test_a_worker_that_died_after_claiming_is_relieved_after_the_timeout(self) -> None:
        reminders_scan(D(2026, 6, 20))
        # A crashed worker: claimed rows, nothing delivered.
        Reminder.objects.update(state=ReminderState.CLAIMED, claimed_at=at(D(2026, 6, 20), 7))
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20), 7)), 0)  # too soon to take over
        self.assertEqual(reminders_deliver(at(D(2026, 6, 20), 9)), 3)
        self.assertEqual(Reminder.objects.filter(state=ReminderState.SENT).count(), 9)


class InboxPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.other = make_user("other", cls.c.qingshan)
        for n in range(3):
            Notification.objects.create(
                user=cls.c.qingshan_staff, title=f"提醒{n}", items=[{"text": f"事项{n}", "url": ""}]
            )
        Notification.objects.create(user=cls.other, title="别人的提醒", items=[])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(reverse("inbox")).status_code, 302)

    def test_the_inbox_lists_only_my_notifications_in_constant_queries(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        with self.assertNumQueries(4):  # session, user, the user's unit (header), notifications
            response = self.client.get(reverse("inbox"))
        self.assertContains(response, "提醒2")
        self.assertNotContains(response, "别人的提醒")

    def test_the_unread_count_and_marking_read(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertContains(self.client.get(reverse("inbox-count")), ">3<")
        self.client.post(reverse("inbox-read-all"))
        self.assertNotContains(self.client.get(reverse("inbox-count")), "badge")

    def test_someone_elses_notification_cannot_be_marked(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        theirs = Notification.objects.get(user=self.other)
        self.assertEqual(self.client.post(reverse("inbox-read", args=[theirs.pk])).status_code, 404)


@override_settings(FROZEN_TODAY=D(2026, 11, 23))
class DeadlineBoardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule("T-REPLY")
        for start, unit in ((D(2026, 6, 1), cls.c.qingshan), (D(2026, 11, 20), cls.c.chengguan)):
            clock_start(
                rule=cls.rule, item=cls.c.household_taoyuan, step="reply", start=start, unit=unit
            )

    def test_unit_staff_get_403(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(reverse("deadline-board")).status_code, 403)

    def test_the_supervisor_sees_overdue_and_due_soon_with_counts(self) -> None:
        self.client.force_login(self.c.supervisor)
        # session, user, header unit, item-type choices, the calendar year and its days (for the
        # due-soon horizon and the days left), the open clocks per unit and band of due dates
        # (the counts, the by-unit table and the open part of the trend), the clocks paused or
        # done lately (the rest of the trend), the listed units' names, rows, the rule choices
        # of the filter (the unit is typed, not chosen among every unit), the units outside the
        # user's scope (few: the counts then read the clocks' unit ids): the same however
        # many clocks there are (a household's clocks open no page: no link query).
        with self.assertNumQueries(12):
            response = self.client.get(reverse("deadline-board"))
        self.assertEqual(response.context["counts"]["overdue"], 1)
        self.assertContains(response, "青山乡")

    def test_the_board_filters_by_unit(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("deadline-board"), {"unit": self.c.chengguan.pk})
        self.assertEqual(response.context["counts"]["overdue"], 0)

    def test_the_unit_is_typed_by_code_or_name_and_renders_no_list_of_units(self) -> None:
        self.client.force_login(self.c.supervisor)
        by_code = self.client.get(reverse("deadline-board"), {"unit": self.c.qingshan.code})
        self.assertEqual(by_code.context["counts"]["overdue"], 1)
        by_name = self.client.get(reverse("deadline-board"), {"unit": self.c.qingshan.name})
        self.assertEqual(by_name.context["counts"]["overdue"], 1)
        self.assertNotContains(by_name, '<select name="unit"')

    def test_a_unit_outside_the_users_part_of_the_county_is_refused(self) -> None:
        outside = make_unit("邻县", "county")
        self.client.force_login(self.c.supervisor)
        response = self.client.get(reverse("deadline-board"), {"unit": outside.code})
        self.assertTrue(response.context["form"].errors["unit"])
        self.assertEqual(response.context["counts"]["overdue"], 1)  # not filtered


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=100)
class DeliveryQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.rule = make_rule("T-REPLY")

    def delivery_queries(self, clocks: int) -> int:
        for n in range(clocks):
            clock_start(
                rule=self.rule,
                item=self.c.household_taoyuan,
                step=f"s{clocks}-{n}",
                start=D(2026, 6, 1),
                unit=self.c.qingshan,
            )
        reminders_scan(D(2026, 6, 20))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            reminders_deliver(at(D(2026, 6, 20)))
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        return len(captured.captured_queries)

    def test_delivery_does_not_load_items_one_by_one(self) -> None:
        # The same two recipients (unit staff, supervisor) for 2 or 12 clocks: the query count
        # depends on the recipients, not on the number of reminders.
        self.assertEqual(self.delivery_queries(2), self.delivery_queries(10))
