"""Online ballots: one per code, even when two submissions race; anonymous by construction."""

from __future__ import annotations

import threading
import unittest

from django.db import connection, connections, models
from django.test import TestCase, TransactionTestCase

from reports.evaluation import BallotError, ballot_cast, codes_issue
from reports.models import BallotCode, BallotTally, EvaluatorGroup
from reports.scores import campaign_scores
from tests.helpers import build_county
from tests.reports.helpers import BASIC, SAT, UNSAT, close, make_campaign, target_ids


def _setup() -> tuple:
    c = build_county()
    campaign = make_campaign("C-B", c.county, units=[c.chengguan, c.qingshan])
    group = EvaluatorGroup.objects.get(campaign=campaign)
    return c, campaign, group


class BallotTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c, cls.campaign, cls.group = _setup()
        cls.ids = target_ids(cls.campaign)

    def vote(self, code: str, cg: str = SAT, qs: str = BASIC) -> None:
        ballot_cast(code=code, ratings={self.ids["QH-CG"]: cg, self.ids["QH-QS"]: qs})

    def test_a_code_votes_once_and_is_refused_the_second_time(self) -> None:
        (code,) = codes_issue(group=self.group, count=1)
        self.vote(code)

        with self.assertRaises(BallotError):
            self.vote(code.lower().replace("-", " "), UNSAT, UNSAT)
        rows = {r.code: r for r in campaign_scores(close(self.campaign))}
        self.assertEqual((rows["QH-CG"].ballots, rows["QH-CG"].satisfied), (1, 1))
        self.assertEqual((rows["QH-QS"].ballots, rows["QH-QS"].basic), (1, 1))

    def test_an_unknown_code_or_an_incomplete_ballot_counts_nothing(self) -> None:
        (code,) = codes_issue(group=self.group, count=1)
        with self.assertRaises(BallotError):
            self.vote("AAAAA-AAAAA")
        with self.assertRaises(BallotError):
            ballot_cast(code=code, ratings={self.ids["QH-CG"]: SAT})

        self.assertFalse(BallotCode.objects.get().used)
        self.assertEqual(sum(BallotTally.objects.values_list("count", flat=True)), 0)

    def test_a_closed_campaign_takes_no_ballot(self) -> None:
        (code,) = codes_issue(group=self.group, count=1)
        close(self.campaign)

        with self.assertRaises(BallotError):
            self.vote(code)

    def test_only_the_digest_of_a_code_is_stored(self) -> None:
        (code,) = codes_issue(group=self.group, count=1)
        stored = BallotCode.objects.get()

        self.assertNotIn(code.replace("-", ""), stored.digest)
        self.assertEqual(len(stored.digest), 64)


class AnonymityTests(TestCase):
    """No ballot row can be joined to a code, a person or a time."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c, cls.campaign, cls.group = _setup()
        cls.ids = target_ids(cls.campaign)

    def test_ballot_counters_hold_no_code_person_time_or_address(self) -> None:
        fields = {f.name: f for f in BallotTally._meta.get_fields()}

        self.assertEqual(set(fields), {"id", "campaign", "group", "target", "rating", "count"})
        for field in fields.values():
            self.assertNotIsInstance(
                field, models.DateField | models.DateTimeField | models.GenericIPAddressField
            )
        related = {f.related_model.__name__ for f in fields.values() if f.is_relation}
        self.assertEqual(related, {"Campaign", "EvaluatorGroup", "CampaignTarget"})
        self.assertFalse(hasattr(BallotTally, "history"))

    def test_codes_keep_no_time_and_no_history(self) -> None:
        names = {f.name for f in BallotCode._meta.get_fields()}

        self.assertEqual(names, {"id", "campaign", "group", "digest", "used"})
        self.assertFalse(hasattr(BallotCode, "history"))

    def test_a_vote_inserts_no_row_and_rewrites_every_counter_of_its_group(self) -> None:
        (code,) = codes_issue(group=self.group, count=1)
        before = list(BallotTally.objects.order_by("pk").values_list("pk", flat=True))

        with self.assertNumQueries(6):
            # code lookup (with its campaign and group), the ballot's targets, savepoint,
            # UPDATE the code, UPDATE the group's counters, release: no INSERT anywhere.
            ballot_cast(code=code, ratings={self.ids["QH-CG"]: SAT, self.ids["QH-QS"]: UNSAT})
        after = list(BallotTally.objects.order_by("pk").values_list("pk", flat=True))

        self.assertEqual(before, after)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(DISTINCT xmin::text) FROM reports_ballottally WHERE group_id = %s",
                    [self.group.pk],
                )
                self.assertEqual(cursor.fetchone()[0], 1)


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "a real race needs two server connections; SQLite runs one write transaction at a time "
    "(BEGIN IMMEDIATE), so two submissions of one code are serialised there by the database",
)
class RaceTests(TransactionTestCase):
    """Two submissions of one code at the same moment, from two threads with two connections."""

    def test_two_simultaneous_submissions_of_one_code_count_once(self) -> None:
        c, campaign, group = _setup()
        ids = target_ids(campaign)
        codes = codes_issue(group=group, count=5)
        outcomes: list[str] = []
        lock = threading.Lock()

        def submit(code: str, barrier: threading.Barrier) -> None:
            try:
                barrier.wait()
                ballot_cast(code=code, ratings={ids["QH-CG"]: SAT, ids["QH-QS"]: SAT})
                result = "counted"
            except BallotError:
                result = "refused"
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

        for code in codes:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=submit, args=(code, barrier)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        self.assertEqual(sorted(outcomes), ["counted"] * 5 + ["refused"] * 5)
        rows = {r.code: r for r in campaign_scores(close(campaign))}
        self.assertEqual(rows["QH-CG"].ballots, 5)
