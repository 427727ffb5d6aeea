"""Two people doing the same step at once, on PostgreSQL: for every service that moves a record
from one state to the next, two threads (each with its own database connection, as two web
workers) read the same record, meet at a barrier and call the service together — 20 rounds,
each on a record of its own. One wins; the other is told, in words, that someone else did it;
no clock runs twice for one step and no write is lost. Steps that record facts of their own
(repeat visits, contacts, supervisions, corrections) both succeed, and nothing they count is
lost. One race goes through the web pages: the loser sees the message, not a server error.

SQLite runs one write transaction at a time, so these races cannot happen there: skipped."""

from __future__ import annotations

import datetime as dt
import threading
import unittest
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse
from django.utils import translation

from rules.calendar_seed import seed_from_package
from rules.models import CalendarDay, CalendarYear, Clock, ClockState
from rules.packs import load_packs

D = dt.date
ROUNDS = 20


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    error: BaseException | None = None  # anything but a ValidationError: a defect

    def __str__(self) -> str:
        return "ok" if self.ok else (self.message or repr(self.error))


def race(
    pks: Sequence[int],
    load: Callable[[int], Any],
    steps: tuple[Callable[[Any], Any], Callable[[Any], Any]],
) -> list[tuple[Outcome, Outcome]]:
    """For each pk, both threads load their own copy, wait for each other, then do their step."""
    barrier = threading.Barrier(2, timeout=60)
    results: list[list[Outcome | None]] = [[None, None] for _ in pks]

    def worker(side: int) -> None:
        translation.activate("en")
        try:
            for n, pk in enumerate(pks):
                record = load(pk)
                barrier.wait()
                try:
                    steps[side](record)
                except ValidationError as exc:
                    results[n][side] = Outcome(False, " ".join(exc.messages))
                except Exception as exc:  # reported to the test thread
                    results[n][side] = Outcome(False, error=exc)
                else:
                    results[n][side] = Outcome(True)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=worker, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [(a, b) for a, b in results]  # type: ignore[misc]


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
class RaceTestCase(TransactionTestCase):
    packs: tuple[str, ...] = ()

    def setUp(self) -> None:
        # TransactionTestCase empties the tables: the calendar and the rules come back.
        seed_from_package(CalendarYear, CalendarDay)
        load_packs(["national", *self.packs])

    def assert_one_winner(self, outcomes: list[tuple[Outcome, Outcome]], message: str) -> list[int]:
        """Every round: one success and one refusal with `message`. Returns the winners' sides."""
        self.assertEqual(len(outcomes), ROUNDS)
        winners = []
        for n, (first, second) in enumerate(outcomes):
            self.assertIsNone(first.error or second.error, f"round {n}: {first} / {second}")
            self.assertEqual(
                sorted([first.ok, second.ok]), [False, True], f"round {n}: {first} / {second}"
            )
            loser = second if first.ok else first
            self.assertIn(message, loser.message, f"round {n}")
            winners.append(0 if first.ok else 1)
        return winners

    def assert_all_done(self, outcomes: list[tuple[Outcome, Outcome]]) -> None:
        self.assertEqual(len(outcomes), ROUNDS)
        for n, pair in enumerate(outcomes):
            self.assertEqual([o.ok for o in pair], [True, True], f"round {n}: {pair}")

    def assert_one_running_clock_per_step(self, items: Sequence[Any], step: str) -> None:
        for item in items:
            running = Clock.objects.for_item(item).filter(
                step=step, state__in=(ClockState.OPEN, ClockState.PAUSED)
            )
            self.assertEqual(running.count(), 1, f"{item}: {step}")


def counts(queryset: Any, field: str) -> Counter:
    return Counter(queryset.values_list(field, flat=True))


# --- petitions ------------------------------------------------------------------------------------


class PetitionRaceTests(RaceTestCase):
    packs = ("hefei",)  # HF-S1: time-limited supervision runs a clock

    def setUp(self) -> None:
        super().setUp()
        from tests.helpers import build_county
        from tests.petitions.helpers import make_petition

        self.c = build_county()
        self.petitions = [
            make_petition(self.c, received_on=D(2025, 11, 3), summary=f"事项{n}")
            for n in range(ROUNDS)
        ]
        self.pks = [p.pk for p in self.petitions]

    def load(self, pk: int) -> Any:
        from petitions.models import Petition

        return Petition.objects.get(pk=pk)

    def test_the_life_of_a_matter_step_by_step_two_at_a_time(self) -> None:
        from petitions import services_petitions as s
        from petitions.models import AssignmentRole, AssignmentState, Petition, PetitionEvent

        c, clerk = self.c, self.c.petition_clerk
        units = (c.qingshan, c.chengguan)

        def route(side: int) -> Callable[[Any], Any]:
            return lambda p: s.petition_route(
                petition=p, lead_unit=units[side], on=D(2025, 11, 3), acting_user=clerk
            )

        winners = self.assert_one_winner(
            race(self.pks, self.load, (route(0), route(1))), "Someone else has just handled"
        )
        for petition, side in zip(self.petitions, winners, strict=True):
            petition.refresh_from_db()
            self.assertEqual(petition.lead_unit, units[side])  # the winner's, not the last one
            leads = petition.assignments.filter(
                role=AssignmentRole.LEAD, state=AssignmentState.ACTIVE
            )
            self.assertEqual(list(leads.values_list("unit", flat=True)), [units[side].pk])
        self.assert_one_running_clock_per_step(self.petitions, "accept")

        def accept(p: Any) -> Any:
            return s.petition_accept(
                petition=p, on=D(2025, 11, 4), accepted=True, acting_user=clerk
            )

        self.assert_one_winner(
            race(self.pks, self.load, (accept, accept)),
            "This matter has already been accepted by someone else.",
        )
        self.assert_one_running_clock_per_step(self.petitions, "conclude")

        def extend(p: Any) -> Any:
            return s.petition_extend(
                petition=p, days=10, reason="需要现场核查", on=D(2025, 11, 20), acting_user=clerk
            )

        self.assert_one_winner(
            race(self.pks, self.load, (extend, extend)), "has just extended this matter's time"
        )
        for petition in self.petitions:
            conclude = Clock.objects.for_item(petition).get(step="conclude")
            self.assertEqual(conclude.extension_amount, 10)  # extended once, not twice

        def answer(text: str) -> Callable[[Any], Any]:
            return lambda p: s.petition_answer(
                petition=p, on=D(2025, 11, 25), answer=text, acting_user=clerk
            )

        winners = self.assert_one_winner(
            race(self.pks, self.load, (answer("答复甲"), answer("答复乙"))),
            "This matter has already been answered by someone else.",
        )
        for pk, side in zip(self.pks, winners, strict=True):
            self.assertEqual(Petition.objects.get(pk=pk).answer, ("答复甲", "答复乙")[side])
        self.assert_one_running_clock_per_step(self.petitions, "review_ask")

        steps: list[tuple[Callable[[Any], Any], str]] = [
            (
                lambda p: s.petition_request_review(
                    petition=p, on=D(2025, 11, 26), unit=c.county, acting_user=clerk
                ),
                "review_answer",
            ),
            (
                lambda p: s.petition_answer_review(
                    petition=p, on=D(2025, 12, 1), answer="维持", acting_user=clerk
                ),
                "recheck_ask",
            ),
            (
                lambda p: s.petition_request_recheck(
                    petition=p, on=D(2025, 12, 2), unit=c.county, acting_user=clerk
                ),
                "recheck_answer",
            ),
        ]
        for step, next_clock in steps:
            self.assert_one_winner(
                race(self.pks, self.load, (step, step)), "Someone else has just handled"
            )
            self.assert_one_running_clock_per_step(self.petitions, next_clock)

        def final(p: Any) -> Any:
            return s.petition_answer_recheck(
                petition=p, on=D(2025, 12, 5), answer="复核维持", acting_user=clerk
            )

        self.assert_one_winner(race(self.pks, self.load, (final, final)), "Someone else has")
        events = counts(PetitionEvent.objects.filter(petition__in=self.pks), "kind")
        for kind in (
            "routed",
            "accepted",
            "extended",
            "answered",
            "review_requested",
            "review_answered",
            "recheck_requested",
            "recheck_answered",
        ):
            self.assertEqual(events[kind], ROUNDS, kind)  # each step once per matter

    def test_objections_repeat_visits_supervision_charge_return_visit_and_closing(self) -> None:
        from petitions import services_petitions as s
        from petitions.models import AssignmentState, Petition, PetitionEvent, Supervision

        c, clerk = self.c, self.c.petition_clerk
        for petition in self.petitions:
            s.petition_route(
                petition=petition,
                lead_unit=c.qingshan,
                co_units=[c.education],
                on=D(2025, 11, 3),
                acting_user=clerk,
            )

        def objection(p: Any) -> Any:
            return s.petition_object(
                petition=p,
                unit=c.education,
                on=D(2025, 11, 4),
                reason="非本单位职责",
                acting_user=clerk,
            )

        self.assert_one_winner(
            race(self.pks, self.load, (objection, objection)), "objection has already been recorded"
        )
        objected = Petition.objects.filter(
            pk__in=self.pks,
            assignments__unit=c.education,
            assignments__state=AssignmentState.OBJECTED,
        )
        self.assertEqual(objected.count(), ROUNDS)

        def repeat(p: Any) -> Any:
            return s.petition_record_repeat(
                petition=p, received_on=D(2025, 11, 5), channel="visit", note="", acting_user=clerk
            )

        self.assert_all_done(race(self.pks, self.load, (repeat, repeat)))
        self.assertEqual(
            set(Petition.objects.filter(pk__in=self.pks).values_list("repeat_count", flat=True)),
            {2},  # two visits, two counted: no lost update
        )

        def supervise(p: Any) -> Any:
            return s.petition_supervise(
                petition=p,
                mode="time_limited",
                instructions="限期办结",
                unit=c.county,
                on=D(2025, 11, 5),
                due_on=D(2025, 11, 20),
                acting_user=c.supervisor,
            )

        self.assert_all_done(race(self.pks, self.load, (supervise, supervise)))
        self.assertEqual(Supervision.objects.filter(petition__in=self.pks).count(), 2 * ROUNDS)
        self.assert_one_running_clock_per_step(self.petitions, "supervise")

        leaders = (c.county_leader, c.chengguan_head)

        def charge(side: int) -> Callable[[Any], Any]:
            return lambda p: s.petition_charge(
                petition=p,
                leader=leaders[side],
                is_backlog=False,
                on=D(2025, 11, 6),
                acting_user=clerk,
            )

        winners = self.assert_one_winner(
            race(self.pks, self.load, (charge(0), charge(1))), "changed who is in charge"
        )
        for pk, side in zip(self.pks, winners, strict=True):
            self.assertEqual(Petition.objects.get(pk=pk).charge_leader, leaders[side])

        for pk in self.pks:
            petition = self.load(pk)
            s.petition_accept(
                petition=petition, on=D(2025, 11, 6), accepted=True, acting_user=clerk
            )
            s.petition_answer(
                petition=petition, on=D(2025, 11, 7), answer="已答复", acting_user=clerk
            )

        def return_visit(p: Any) -> Any:
            return s.petition_return_visit(
                petition=p, on=D(2025, 11, 10), satisfaction="满意", note="", acting_user=clerk
            )

        self.assert_one_winner(
            race(self.pks, self.load, (return_visit, return_visit)), "recorded a return visit"
        )

        def close(p: Any) -> Any:
            return s.petition_close(
                petition=p, on=D(2025, 11, 12), reason="信访人认可答复", acting_user=clerk
            )

        self.assert_one_winner(
            race(self.pks, self.load, (close, close)),
            "This matter has already been closed by someone else.",
        )
        events = counts(PetitionEvent.objects.filter(petition__in=self.pks), "kind")
        self.assertEqual((events["objected"], events["closed"]), (ROUNDS, ROUNDS))

    def test_on_the_page_the_second_acceptance_shows_the_message_not_an_error(self) -> None:
        from petitions import services_petitions as s
        from petitions.models import PetitionEvent

        for petition in self.petitions:
            s.petition_route(
                petition=petition,
                lead_unit=self.c.qingshan,
                on=D(2025, 11, 3),
                acting_user=self.c.petition_clerk,
            )
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(self.c.qingshan_staff)
        responses: list[list[Any]] = [[], []]

        def post(side: int) -> Callable[[Any], Any]:
            def send(petition: Any) -> None:
                response = clients[side].post(
                    reverse("petition-step", args=[petition.pk, "accept"]),
                    {"on": "2025-11-04", "accepted": "1"},
                    follow=True,
                )
                responses[side].append(response)

            return send

        race(self.pks, self.load, (post(0), post(1)))
        # The loser was refused by the service (the form shows why) or, when the winner had
        # committed before its request read the matter, by the page (a message on the matter).
        told = ("此事项已被他人受理", "此环节已不能办理")
        for first, second in zip(*responses, strict=True):
            self.assertEqual([first.status_code, second.status_code], [200, 200])
            refused = [r for r in (first, second) if any(t in r.content.decode() for t in told)]
            self.assertEqual(len(refused), 1)
        accepted = PetitionEvent.objects.filter(petition__in=self.pks, kind="accepted")
        self.assertEqual(accepted.count(), ROUNDS)
        self.assert_one_running_clock_per_step(self.petitions, "conclude")
