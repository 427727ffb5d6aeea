"""Reminders and escalation for the clocks of every app (issue 6), across a holiday: petitions
(national limits), deputies' suggestions (TY-P1) and, with their app, online appeals."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase, override_settings
from django.utils import timezone

from rules.models import Notification, Reminder, ReminderKind
from rules.reminders import reminders_deliver, reminders_scan
from tests.helpers import build_county, make_person
from tests.petitions.helpers import load_rule_packs, make_petition
from tests.proposals.helpers import load_proposal_rules, make_proposal, make_session

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8))


def scan_on_the_queue(day: dt.date) -> None:
    """The scheduled job through django-q2 (synchronous in the test settings), as of `day`."""
    from django_q.tasks import async_task, result

    with override_settings(FROZEN_TODAY=day):
        task_id = async_task("rules.tasks.run_deadline_scan")
    assert result(task_id) is not None, "the queued scan did not run"


def stages(rule_id: str) -> set[tuple[str, int, str]]:
    return set(
        Reminder.objects.filter(clock__rule__rule_id=rule_id).values_list(
            "kind", "lead", "recipient__username"
        )
    )


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3)
class PetitionReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_rule_packs("taoyuan", "dongan")
        # Received Friday 25 September 2026: routing is due 15 days later, on the adjusted
        # working Saturday 10 October, after the National Day holiday.
        cls.petition = make_petition(cls.c, received_on=D(2026, 9, 25))

    def test_the_registration_deadline_falls_on_the_adjusted_saturday(self) -> None:
        clock = self.petition_clock()
        self.assertEqual(clock.due, D(2026, 10, 10))

    def petition_clock(self):
        from rules.clocks import clocks_for_item

        return next(c for c in clocks_for_item(self.petition) if c.rule.rule_id == "NAT-REGISTER")

    def test_due_soon_then_due_today_then_overdue_and_escalated(self) -> None:
        scan_on_the_queue(D(2026, 9, 30))  # 8, 9 and 10 October left: three working days
        self.assertIn((ReminderKind.DUE_SOON, 3, "clerk"), stages("NAT-REGISTER"))
        scan_on_the_queue(D(2026, 10, 9))
        self.assertIn((ReminderKind.DUE_SOON, 1, "clerk"), stages("NAT-REGISTER"))
        scan_on_the_queue(D(2026, 10, 10))
        self.assertIn((ReminderKind.DUE_TODAY, 0, "clerk"), stages("NAT-REGISTER"))
        scan_on_the_queue(D(2026, 10, 12))
        self.assertIn((ReminderKind.OVERDUE, 0, "clerk"), stages("NAT-REGISTER"))
        self.assertIn((ReminderKind.ESCALATED_OFFICE, 0, "supervisor"), stages("NAT-REGISTER"))

    def test_routing_the_matter_stops_its_registration_reminders(self) -> None:
        from petitions.matters.services import petition_route

        reminders_scan(D(2026, 10, 9))
        petition_route(
            petition=self.petition,
            lead_unit=self.c.education,
            on=D(2026, 10, 9),
            acting_user=self.c.petition_clerk,
        )
        reminders_deliver(at(D(2026, 10, 9)))
        texts = [item["text"] for n in Notification.objects.all() for item in n.items]
        self.assertFalse([t for t in texts if t.startswith("NAT-REGISTER")])

    def test_the_digest_links_to_the_petition(self) -> None:
        reminders_scan(D(2026, 10, 12))
        reminders_deliver(at(D(2026, 10, 12)))
        digest = Notification.objects.get(user=self.c.petition_clerk)
        self.assertIn(f"/petitions/{self.petition.pk}/", [item["url"] for item in digest.items])


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3)
class ProposalReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from proposals.services import proposal_assign

        cls.c = build_county()
        load_proposal_rules()
        session = make_session(opens=D(2026, 3, 1), closes=D(2026, 3, 5))
        deputy = make_person("吴代表", cls.c.qingshan, "deputy")
        cls.proposal = make_proposal(session, [deputy])
        # Assigned Monday 28 September: contact within 7 days, i.e. 5 October, a holiday,
        # moves to Thursday 8 October.
        proposal_assign(proposal=cls.proposal, lead_unit=cls.c.qingshan, assigned_on=D(2026, 9, 28))

    def test_the_contact_deadline_moves_off_the_holiday(self) -> None:
        from rules.clocks import clocks_for_item

        contact = next(c for c in clocks_for_item(self.proposal) if c.rule.rule_id == "TY-P1")
        self.assertEqual(contact.due, D(2026, 10, 8))

    def test_the_unit_is_reminded_and_the_linked_leader_is_told_when_it_is_late(self) -> None:
        scan_on_the_queue(D(2026, 10, 8))
        self.assertIn((ReminderKind.DUE_TODAY, 0, "qingshan"), stages("TY-P1"))
        scan_on_the_queue(
            D(2026, 10, 12)
        )  # 9, 10 (adjusted Saturday) and 12 October: 3 working days late
        self.assertIn((ReminderKind.ESCALATED_OFFICE, 0, "supervisor"), stages("TY-P1"))
        self.assertIn((ReminderKind.ESCALATED_LEADER, 0, "leader"), stages("TY-P1"))
        leader_items = Notification.objects.get(user=self.c.leader).items
        self.assertTrue(
            any(item["url"] == f"/proposals/items/{self.proposal.pk}/" for item in leader_items)
        )


@override_settings(REMINDER_DUE_SOON_WORKDAYS=[3, 1], ESCALATE_TO_LEADER_AFTER_WORKDAYS=3)
class AppealReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from petitions.appeals.services import appeal_assign
        from tests.petitions.appeal_helpers import at as local
        from tests.petitions.appeal_helpers import make_appeal, setup_appeals

        cls.c = build_county()
        setup_appeals()
        # Received Friday 25 September 2026 with a 5-working-day limit: 28, 29, 30 September,
        # then the National Day holiday, then 8 and 9 October — due Friday 9 October.
        cls.appeal = make_appeal(cls.c, received_at=local(2026, 9, 25))
        appeal_assign(
            appeal=cls.appeal,
            unit=cls.c.qingshan,
            on=D(2026, 9, 25),
            acting_user=cls.c.petition_clerk,
        )

    def test_the_reply_deadline_skips_national_day(self) -> None:
        from rules.clocks import clocks_for_item

        clock = next(c for c in clocks_for_item(self.appeal) if c.rule.rule_id == "TY-O2")
        self.assertEqual((clock.due, clock.unit), (D(2026, 10, 9), self.c.qingshan))

    def test_due_soon_due_today_overdue_and_escalation_on_the_queue(self) -> None:
        scan_on_the_queue(D(2026, 9, 30))  # 8 and 9 October left
        self.assertIn((ReminderKind.DUE_SOON, 3, "qingshan"), stages("TY-O2"))
        scan_on_the_queue(D(2026, 10, 8))
        self.assertIn((ReminderKind.DUE_SOON, 1, "qingshan"), stages("TY-O2"))
        scan_on_the_queue(D(2026, 10, 9))
        self.assertIn((ReminderKind.DUE_TODAY, 0, "qingshan"), stages("TY-O2"))
        scan_on_the_queue(D(2026, 10, 14))  # 10 (adjusted Saturday), 12, 13, 14 October late
        self.assertIn((ReminderKind.OVERDUE, 0, "qingshan"), stages("TY-O2"))
        self.assertIn((ReminderKind.ESCALATED_OFFICE, 0, "supervisor"), stages("TY-O2"))
        self.assertIn((ReminderKind.ESCALATED_LEADER, 0, "leader"), stages("TY-O2"))

    def test_a_reply_stops_the_reminders(self) -> None:
        from petitions.appeals.services import appeal_reply

        appeal_reply(
            appeal=self.appeal,
            text="已核实并答复。",
            on=D(2026, 9, 30),
            acting_user=self.c.qingshan_staff,
        )
        scan_on_the_queue(D(2026, 10, 14))
        self.assertEqual(stages("TY-O2"), set())
