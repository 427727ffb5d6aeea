"""Clocks know whom their item is about and whose eyes it may reach: their subject fields follow
the petition, Clock.objects.visible_to applies the item type's registered access condition, and
reminders (escalation to leaders included) never go to the unit or person complained about."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.db.models import Q
from django.test import TestCase

from directory.models import Role
from petitions.models import Petition
from rules import visibility
from rules.clocks import clock_start, clocks_set_subject
from rules.models import Clock, Reminder, ReminderKind, ReminderState
from rules.reminders import Recipients, Stage
from tests.helpers import build_county, make_link, make_person, make_rule, make_user
from tests.petitions.helpers import load_rule_packs, make_petition

D = dt.date


class ClockSubjectTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()
        c = cls.c
        # 王建国 (county leader, linked to 青山乡) is complained about; 青山乡 handles the matter.
        cls.petition = make_petition(
            c,
            received_on=D(2025, 9, 1),
            township=c.qingshan,
            subject_person=c.county_leader,
            lead_unit=c.qingshan,
        )
        cls.other_leader = make_person("钱正", c.education, "county_leader", "county_level")
        make_link(cls.other_leader, c.qingshan, "linked_township")
        cls.other_leader_user = make_user("qz", c.county, Role.LEADER, person=cls.other_leader)

    def clocks(self) -> list[Clock]:
        return list(Clock.objects.for_item(self.petition))

    def test_a_petitions_clocks_carry_what_it_is_about(self) -> None:
        self.assertTrue(self.clocks())
        for clock in self.clocks():
            self.assertEqual(
                (clock.subject_unit_id, clock.subject_person_id), (None, self.c.county_leader.pk)
            )

    def test_the_person_complained_about_does_not_see_the_clocks_a_colleague_does(self) -> None:
        mine = Clock.objects.visible_to(self.c.leader).for_item(self.petition)
        theirs = Clock.objects.visible_to(self.other_leader_user).for_item(self.petition)
        self.assertFalse(mine.exists())
        self.assertEqual(theirs.count(), len(self.clocks()))

    def test_a_clock_of_an_item_type_nobody_registered_follows_the_unit_scope(self) -> None:
        clock = clock_start(
            rule=make_rule("T-HH"),
            item=self.c.household_taoyuan,
            step="visit",
            start=D(2025, 9, 1),
            unit=self.c.qingshan,
        )
        self.assertNotIn(type(self.c.household_taoyuan), visibility.registered())
        self.assertIn(clock, Clock.objects.visible_to(self.c.qingshan_staff))
        self.assertNotIn(clock, Clock.objects.visible_to(self.c.chengguan_staff))

    def test_escalation_to_the_leader_in_charge_skips_the_leader_complained_about(self) -> None:
        clock = Clock.objects.for_item(self.petition).get(rule__rule_id="NAT-ACCEPT")
        recipients = Recipients([clock])
        leaders = recipients.for_stage(clock, Stage(ReminderKind.ESCALATED_LEADER))
        self.assertEqual(leaders, {self.other_leader_user.pk})
        staff = recipients.for_stage(clock, Stage(ReminderKind.OVERDUE))
        self.assertEqual(staff, {self.c.qingshan_staff.pk})

    def test_a_new_subject_reaches_the_clocks_and_withdraws_reminders_not_yet_sent(self) -> None:
        clock = self.clocks()[0]
        pending = Reminder.objects.create(
            clock=clock, kind=ReminderKind.DUE_SOON, due=clock.due, recipient=self.c.qingshan_staff
        )
        kept = Reminder.objects.create(
            clock=clock, kind=ReminderKind.DUE_SOON, due=clock.due, recipient=self.c.supervisor
        )
        changed = clocks_set_subject(
            items=[self.petition], subject_unit=self.c.qingshan, subject_person=None
        )
        self.assertEqual(changed, len(self.clocks()))
        self.assertEqual({c.subject_unit_id for c in self.clocks()}, {self.c.qingshan.pk})
        pending.refresh_from_db()
        kept.refresh_from_db()
        self.assertEqual((pending.state, kept.state), (ReminderState.CANCELLED, "pending"))
        # run again: nothing left to change
        self.assertEqual(
            clocks_set_subject(
                items=[self.petition], subject_unit=self.c.qingshan, subject_person=None
            ),
            0,
        )

    def test_existing_clocks_learn_their_subject_from_the_migration(self) -> None:
        Clock.objects.for_item(self.petition).update(subject_person=None)
        clock = self.clocks()[0]
        to_subject = Reminder.objects.create(
            clock=clock, kind=ReminderKind.OVERDUE, due=clock.due, recipient=self.c.leader
        )
        migration = importlib.import_module("petitions.migrations.0004_clock_subject_backfill")
        migration.backfill(apps, None)
        self.assertEqual({c.subject_person_id for c in self.clocks()}, {self.c.county_leader.pk})
        to_subject.refresh_from_db()
        self.assertEqual(to_subject.state, ReminderState.CANCELLED)
        self.assertEqual(
            Petition.objects.get(pk=self.petition.pk).subject_person, self.c.county_leader
        )


class PerRowVisibilityTests(TestCase):
    """`visible_to(user, per_row=True)` (a page of clocks: each item checked by a probe) keeps
    exactly the clocks `visible_to(user)` (counts: the set of visible items) keeps."""

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.petitions.appeal_helpers import make_appeal, setup_appeals

        load_rule_packs()
        setup_appeals()
        cls.c = build_county()
        c = cls.c
        make_petition(c, received_on=D(2025, 9, 1), township=c.qingshan, lead_unit=c.qingshan)
        make_petition(
            c,
            received_on=D(2025, 9, 2),
            township=c.qingshan,
            subject_unit=c.qingshan,
            lead_unit=c.education,
        )
        make_petition(
            c, received_on=D(2025, 9, 3), subject_person=c.county_leader, lead_unit=c.chengguan
        )
        make_appeal(c)
        make_appeal(c, code="education")
        clock_start(
            rule=make_rule("T-ANY"),
            item=c.household_taoyuan,
            step="visit",
            start=D(2025, 9, 1),
            unit=c.qingshan,
        )

    def test_the_same_clocks_are_visible_checked_per_row_or_against_the_set(self) -> None:
        c = self.c
        users = [
            c.petition_clerk,
            c.supervisor,
            c.admin,
            c.leader,
            c.qingshan_staff,
            c.chengguan_staff,
            c.education_staff,
        ]
        self.assertGreater(Clock.objects.count(), 4)
        for user in users:
            with self.subTest(user=user.username):
                by_set = set(Clock.objects.visible_to(user).values_list("pk", flat=True))
                by_row = Clock.objects.visible_to(user, per_row=True).values_list("pk", flat=True)
                self.assertEqual(set(by_row), by_set)


class HiddenItemsTests(TestCase):
    """For the office and supervisors, counting clocks subtracts the few items their access
    condition keeps out (`visibility.register(..., hidden=...)`: deleted, received outside
    their jurisdiction, about them) instead of matching every visible item: the same clocks
    as checking each clock's item against the condition itself."""

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.helpers import make_unit
        from tests.petitions.appeal_helpers import make_appeal, setup_appeals

        load_rule_packs()
        setup_appeals()
        cls.c = build_county()
        c = cls.c
        cls.neighbour = make_unit("邻县", "county", code="LX")
        cls.neighbour_office = make_unit("邻县信访局", "department", cls.neighbour, code="LX-XFJ")
        lead = {"lead_unit": c.qingshan}
        make_petition(c, received_on=D(2025, 9, 1), **lead)
        make_petition(c, received_on=D(2025, 9, 2), subject_unit=c.petition_bureau, **lead)
        make_petition(c, received_on=D(2025, 9, 3), subject_person=c.county_leader, **lead)
        make_petition(c, received_on=D(2025, 9, 4), **lead).soft_delete(reason="test")
        elsewhere = make_petition(c, received_on=D(2025, 9, 5), **lead)
        Petition.all_objects.filter(pk=elsewhere.pk).update(receiving_unit=cls.neighbour_office)
        make_appeal(c)
        make_appeal(c, code="education").soft_delete(reason="test")
        appeal = make_appeal(c, code="education")
        type(appeal).all_objects.filter(pk=appeal.pk).update(receiving_unit=cls.neighbour_office)

    def _by_the_items_condition(self, user: object) -> set[int]:
        """The clocks of units in scope, not about the user, whose item the condition admits,
        each checked on its own (the reference)."""
        from directory.access import confidentiality_condition, scope_for

        clocks = scope_for(user).filter(Clock.objects.all(), "unit")
        kept = set()
        for clock in clocks.filter(confidentiality_condition(user)):
            model = clock.content_type.model_class()
            if model not in visibility.registered() or (
                visibility.items_visible_to(model, user).filter(pk=clock.object_id).exists()
            ):
                kept.add(clock.pk)
        return kept

    def test_counting_clocks_keeps_exactly_the_clocks_whose_items_the_user_may_see(self) -> None:
        c = self.c
        neighbour_clerk = make_user("neighbour_clerk", self.neighbour, Role.PETITION_OFFICE)
        users = [c.petition_clerk, c.supervisor, c.admin, c.leader, neighbour_clerk]
        self.assertGreater(Clock.objects.count(), 8)
        for user in users:
            with self.subTest(user=user.username):
                counted = set(Clock.objects.visible_to(user).values_list("pk", flat=True))
                self.assertEqual(counted, self._by_the_items_condition(user))

    def test_the_office_sees_none_of_the_hidden_items_clocks(self) -> None:
        from petitions.models import Appeal

        hidden_petitions = Petition.all_objects.filter(
            Q(deleted_at__isnull=False)
            | Q(receiving_unit=self.neighbour_office)
            | Q(subject_unit=self.c.petition_bureau)
        ).values_list("pk", flat=True)
        hidden_appeals = Appeal.all_objects.filter(
            Q(deleted_at__isnull=False) | Q(receiving_unit=self.neighbour_office)
        ).values_list("pk", flat=True)
        self.assertEqual(len(hidden_petitions), 3)
        self.assertEqual(len(hidden_appeals), 2)
        counted = Clock.objects.visible_to(self.c.petition_clerk)
        for model, hidden in ((Petition, hidden_petitions), (Appeal, hidden_appeals)):
            of_type = counted.filter(content_type=visibility._content_type(model))
            self.assertTrue(of_type.exists())
            self.assertFalse(of_type.filter(object_id__in=hidden).exists())
            everything = Clock.objects.filter(content_type=visibility._content_type(model))
            self.assertTrue(everything.filter(object_id__in=hidden).exists())
