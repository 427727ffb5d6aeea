"""The demo's suggestions, proposals and public lists: every stage present, idempotent."""

from __future__ import annotations

from io import StringIO

from django.test import TestCase
from django.utils import timezone

from directory.demo import DEMO_PASSWORD, build_accounts, build_directory
from proposals import demo
from proposals.models import Proposal, PublicListItem, Stage
from rules.models import Clock

from .helpers import load_proposal_rules


class ProposalDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_directory()
        build_accounts()
        load_proposal_rules()
        cls.usernames = demo.build(stdout=StringIO())

    def test_items_exist_at_every_stage(self) -> None:
        stages = set(Proposal.objects.values_list("stage", flat=True))
        self.assertEqual(stages, set(Stage.values))
        self.assertTrue(Proposal.objects.filter(complex=True).exists())
        self.assertTrue(Proposal.objects.filter(in_session=False).exists())

    def test_every_clock_falls_inside_the_known_calendar(self) -> None:
        self.assertLessEqual(
            max(Clock.objects.values_list("due", flat=True)), demo.last_known_day()
        )

    def test_the_three_lists_have_items_done_running_and_overdue(self) -> None:
        today = timezone.localdate()
        statuses = {item.status(today) for item in PublicListItem.objects.all()}
        self.assertLessEqual({"done", "overdue", "in_progress"}, statuses)
        self.assertEqual(
            set(PublicListItem.objects.values_list("list_kind", flat=True)),
            {"practical", "legacy", "reform"},
        )

    def test_deputy_and_liaison_accounts_log_in(self) -> None:
        self.assertEqual(self.usernames, ["renda", "zhengxie", "daibiao", "weiyuan"])
        for username in self.usernames:
            self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))

    def test_a_second_run_adds_nothing(self) -> None:
        before = (Proposal.objects.count(), PublicListItem.objects.count(), Clock.objects.count())
        demo.build(stdout=StringIO())
        after = (Proposal.objects.count(), PublicListItem.objects.count(), Clock.objects.count())
        self.assertEqual(after, before)
