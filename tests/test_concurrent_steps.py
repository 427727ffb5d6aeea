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
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
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
        n = 0
        try:
            for n, pk in enumerate(pks):  # noqa: B007  (n tells the test which round failed)
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
        except Exception as exc:  # the harness itself failed: stop the other thread too
            barrier.abort()
            results[n][side] = Outcome(False, error=exc)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=worker, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    missing = Outcome(False, error=RuntimeError("the round did not run"))
    return [(a or missing, b or missing) for a, b in results]


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


def by_pk(model: Any) -> Callable[[int], Any]:
    return lambda pk: model.objects.get(pk=pk)


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
        from petitions.matters import services as s
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
        from petitions.matters import services as s
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
        from petitions.matters import services as s
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


# --- online appeals -------------------------------------------------------------------------------


@override_settings(FROZEN_TODAY=D(2025, 12, 31))
class AppealRaceTests(RaceTestCase):
    packs = ("taoyuan",)

    def test_assign_return_reply_feedback_and_the_bulletin_mark_two_at_a_time(self) -> None:
        from petitions.appeals import services as s
        from petitions.appeals.services import ensure_default_categories
        from petitions.models import Appeal, AppealReply, AppealStep
        from tests.helpers import build_county
        from tests.petitions.appeal_helpers import at, make_appeal

        ensure_default_categories()
        c = build_county()
        appeals = [
            make_appeal(c, received_at=at(2025, 11, 3), text=f"路灯损坏{n}，请尽快维修。")
            for n in range(ROUNDS)
        ]
        pks = [a.pk for a in appeals]
        clerk = c.petition_clerk

        def load(pk: int) -> Any:
            return Appeal.objects.get(pk=pk)

        units = (c.qingshan, c.chengguan)

        def assign(side: int) -> Callable[[Any], Any]:
            return lambda a: s.appeal_assign(
                appeal=a, unit=units[side], on=D(2025, 11, 3), acting_user=clerk
            )

        winners = self.assert_one_winner(
            race(pks, load, (assign(0), assign(1))), "Someone else has just handled this appeal"
        )
        for appeal, side in zip(appeals, winners, strict=True):
            appeal.refresh_from_db()
            self.assertEqual(appeal.unit, units[side])
            clocks = Clock.objects.for_item(appeal).filter(state=ClockState.OPEN)
            self.assertEqual(set(clocks.values_list("unit", flat=True)), {units[side].pk})
        self.assert_one_running_clock_per_step(appeals, "reply")

        def give_back(a: Any) -> Any:
            return s.appeal_return(
                appeal=a, reason="不属本单位职责", on=D(2025, 11, 4), acting_user=c.qingshan_staff
            )

        self.assert_one_winner(race(pks, load, (give_back, give_back)), "Someone else has just")
        for pk in pks:
            s.appeal_assign(appeal=load(pk), unit=c.qingshan, on=D(2025, 11, 4), acting_user=clerk)

        def reply(text: str) -> Callable[[Any], Any]:
            return lambda a: s.appeal_reply(
                appeal=a, text=text, on=D(2025, 11, 5), acting_user=c.qingshan_staff
            )

        winners = self.assert_one_winner(
            race(pks, load, (reply("已修复甲"), reply("已修复乙"))),
            "This appeal has already been replied to by someone else.",
        )
        for pk, side in zip(pks, winners, strict=True):
            self.assertEqual(
                list(AppealReply.objects.filter(appeal=pk).values_list("text", flat=True)),
                [("已修复甲", "已修复乙")[side]],
            )

        def unsatisfied(a: Any) -> Any:
            return s.appeal_feedback(appeal=a, rating="不满意", on=D(2025, 11, 6))

        self.assert_one_winner(race(pks, load, (unsatisfied, unsatisfied)), "Someone else has")
        self.assertEqual(
            set(Appeal.objects.filter(pk__in=pks).values_list("round", flat=True)), {2}
        )
        self.assert_one_running_clock_per_step(appeals, "second_reply")

        def mark(note: str) -> Callable[[Any], Any]:
            return lambda a: s.appeal_mark_notable(
                appeal=a, notable=True, note=note, on=D(2025, 11, 6), acting_user=clerk
            )

        winners = self.assert_one_winner(
            race(pks, load, (mark("重点甲"), mark("重点乙"))), "bulletin mark"
        )
        for pk, side in zip(pks, winners, strict=True):
            self.assertEqual(load(pk).notable_note, ("重点甲", "重点乙")[side])
        steps = counts(AppealStep.objects.filter(appeal__in=pks), "kind")
        self.assertEqual((steps["replied"], steps["feedback"]), (ROUNDS, ROUNDS))


# --- suggestions and the public lists ------------------------------------------------------------


class ProposalRaceTests(RaceTestCase):
    packs = ("taoyuan", "tianjin")

    def test_assign_complex_contact_answer_and_feedback_two_at_a_time(self) -> None:
        from proposals import services as s
        from proposals.models import Answer, Contact, Proposal
        from tests.proposals.helpers import build_proposals_county, make_proposal

        c = build_proposals_county()
        items = [make_proposal(c.session, [c.deputy], title=f"建议{n}") for n in range(ROUNDS)]
        pks = [p.pk for p in items]

        def load(pk: int) -> Any:
            return Proposal.objects.get(pk=pk)

        units = (c.base.qingshan, c.base.education)

        def assign(side: int) -> Callable[[Any], Any]:
            return lambda p: s.proposal_assign(
                proposal=p, lead_unit=units[side], assigned_on=D(2025, 11, 3)
            )

        winners = self.assert_one_winner(
            race(pks, load, (assign(0), assign(1))),
            "This item has already been assigned by someone else.",
        )
        for pk, side in zip(pks, winners, strict=True):
            self.assertEqual(load(pk).lead_unit, units[side])
        self.assert_one_running_clock_per_step(items, "author_contacted")
        self.assert_one_running_clock_per_step(items, "proposal_answered")

        def complex_(p: Any) -> Any:
            return s.proposal_mark_complex(proposal=p, explanation="涉及多个部门")

        self.assert_one_winner(race(pks, load, (complex_, complex_)), "marked this item complex")

        def contact(p: Any) -> Any:
            return s.proposal_record_contact(
                proposal=p, contacted_on=D(2025, 11, 5), method="phone"
            )

        self.assert_all_done(race(pks, load, (contact, contact)))  # two contacts are two facts
        self.assertEqual(Contact.objects.filter(proposal__in=pks).count(), 2 * ROUNDS)
        for item in items:
            clock = Clock.objects.for_item(item).get(step="author_contacted")
            self.assertEqual(clock.state, ClockState.DONE)
            completed = clock.history.filter(history_change_reason="clock completed")
            self.assertEqual(completed.count(), 1)  # stopped once

        def answer(result: str) -> Callable[[Any], Any]:
            return lambda p: s.proposal_answer(
                proposal=p, answered_on=D(2025, 12, 1), result=result, text="答复"
            )

        winners = self.assert_one_winner(
            race(pks, load, (answer("solved"), answer("planned"))),
            "This item has already been answered by someone else.",
        )
        for pk, side in zip(pks, winners, strict=True):
            self.assertEqual(
                list(Answer.objects.filter(proposal=pk).values_list("result", flat=True)),
                [("solved", "planned")[side]],
            )

        def unsatisfied(p: Any) -> Any:
            return s.proposal_feedback(
                proposal=p, given_on=D(2025, 12, 5), attitude="basic", result="unsatisfied"
            )

        self.assert_one_winner(
            race(pks, load, (unsatisfied, unsatisfied)),
            "The feedback on this answer has already been recorded.",
        )
        self.assert_one_running_clock_per_step(items, "second_answered")

    def test_a_list_item_is_completed_once(self) -> None:
        from proposals import services as s
        from proposals.models import ListProgress, PublicListItem
        from tests.proposals.helpers import build_proposals_county, make_list_item

        c = build_proposals_county()
        items = [
            make_list_item(c.base.county_leader, c.base.qingshan, code=f"SS-{n}")
            for n in range(ROUNDS)
        ]
        pks = [i.pk for i in items]
        days = (D(2025, 6, 10), D(2025, 6, 11))

        def complete(side: int) -> Callable[[Any], Any]:
            return lambda i: s.list_item_progress(
                item=i, on=days[side], text="已完工", completed=True
            )

        winners = self.assert_one_winner(
            race(pks, by_pk(PublicListItem), (complete(0), complete(1))),
            "Someone else has just marked this item completed.",
        )
        for pk, side in zip(pks, winners, strict=True):
            self.assertEqual(PublicListItem.objects.get(pk=pk).completed_on, days[side])
        self.assertEqual(ListProgress.objects.filter(item__in=pks).count(), ROUNDS)


# --- pairing and assistance -----------------------------------------------------------------------


class AssistanceRaceTests(RaceTestCase):
    packs = ("taoyuan", "hefei", "cuiping")

    def test_four_musts_events_visits_problems_aid_and_hand_overs_two_at_a_time(self) -> None:
        from assistance import services as s
        from assistance.models import AidEntry, HouseholdEvent, Pairing, Problem
        from tests.assistance.helpers import build_assistance_county, make_pairing, make_visit
        from tests.helpers import make_household

        c = build_assistance_county()
        households = [
            make_household(f"户主{n}", c.base.taoyuan, "monitored", code=f"H-R{n}")
            for n in range(ROUNDS)
        ]
        pairings = [
            make_pairing(c.cadre, household, "monitored", D(2025, 1, 1)) for household in households
        ]
        from directory.models import Household

        def record(h: Any) -> Any:
            return s.event_record(household=h, kind="illness", date=D(2025, 6, 3))

        self.assert_one_winner(
            race([h.pk for h in households], by_pk(Household), (record, record)),
            "has already been recorded",
        )
        events = list(HouseholdEvent.objects.filter(household__in=households))
        self.assertEqual(len(events), ROUNDS)
        self.assert_one_running_clock_per_step(events, "visit")

        def visit(h: Any) -> Any:
            return make_visit(c.cadre, h, D(2025, 6, 5))

        self.assert_all_done(race([h.pk for h in households], by_pk(Household), (visit, visit)))
        for event in events:
            clock = Clock.objects.for_item(event).get()
            self.assertEqual((clock.state, clock.done_on), (ClockState.DONE, D(2025, 6, 5)))
            completed = clock.history.filter(history_change_reason="visited (four musts)")
            self.assertEqual(completed.count(), 1)  # closed by one of the two visits, once

        problems = [
            s.problem_save(
                problem=Problem(
                    village=c.base.taoyuan,
                    household=household,
                    found_on=D(2025, 6, 3),
                    description="房屋漏雨",
                    category="infrastructure",
                    classification="solve_now",
                )
            )
            for household in households
        ]

        def close(p: Any) -> Any:
            return s.problem_close(problem=p, on=D(2025, 6, 9), resolution="已维修")

        self.assert_one_winner(
            race([p.pk for p in problems], by_pk(Problem), (close, close)),
            "Someone else has just closed this problem.",
        )

        entries = [
            s.aid_record(person=c.cadre, household=h, date=D(2025, 6, 5), amount=Decimal(100))
            for h in households
        ]
        amounts = (Decimal(0), Decimal(50))

        def correct(side: int) -> Callable[[Any], Any]:
            return lambda e: s.aid_correct(entry=e, amount=amounts[side], reason="核对金额")

        outcomes = race([e.pk for e in entries], by_pk(AidEntry), (correct(0), correct(1)))
        self.assert_all_done(outcomes)  # each correction read the net the other had left
        for entry in entries:
            self.assertIn(s.aid_net(entry), amounts)  # not 100 − 100 − 50

        targets = (c.deputy, c.base.qingshan_secretary)

        def hand_over(side: int) -> Callable[[Any], Any]:
            return lambda p: s.pairing_hand_over(
                pairing=p, to_person=targets[side], on=D(2025, 7, 1)
            )

        self.assert_one_winner(
            race([p.pk for p in pairings], by_pk(Pairing), (hand_over(0), hand_over(1))),
            "handed this household over",
        )
        for household in households:
            running = Pairing.objects.filter(household=household, start=D(2025, 7, 1))
            self.assertEqual(running.count(), 1)

        def end(p: Any) -> Any:
            return s.pairing_end(pairing=p, end=D(2025, 12, 31))

        successors = Pairing.objects.filter(household__in=households, start=D(2025, 7, 1))
        self.assert_one_winner(
            race(list(successors.values_list("pk", flat=True)), by_pk(Pairing), (end, end)),
            "Someone else has just ended this pairing.",
        )


# --- the reception roster and appointments --------------------------------------------------------


class RosterRaceTests(RaceTestCase):
    packs = ("dongan", "taoyuan")

    def test_duties_missed_calls_and_appointment_records_two_at_a_time(self) -> None:
        from petitions.models import (
            Appointment,
            AppointmentMatter,
            MissedContact,
            Reception,
            Supervision,
        )
        from petitions.roster import services as s
        from tests.helpers import build_county
        from tests.petitions.helpers import make_petition

        c = build_county()
        clerk = c.petition_clerk
        days = [D(2025, 11, 3) + dt.timedelta(days=n) for n in range(ROUNDS)]
        receptions = [
            Reception.objects.create(
                date=day, part="day", kind="bureau_sitting", unit=c.county, person=c.county_leader
            )
            for day in days
        ]

        def held(r: Any) -> Any:
            return s.reception_set_status(
                reception=r, status="held", heard="群众反映道路问题", acting_user=clerk
            )

        self.assert_one_winner(
            race([r.pk for r in receptions], by_pk(Reception), (held, held)),
            "Someone else has just changed this duty.",
        )

        contacts = [
            s.missed_contact_record(
                contact=MissedContact(
                    unit=c.county,
                    person=c.county_leader,
                    kind="call",
                    missed_on=day,
                    caller_phone="13812345678",
                ),
                acting_user=clerk,
            )
            for day in days
        ]

        def call_back(m: Any) -> Any:
            return s.missed_contact_return(contact=m, on=m.missed_on, note="已回电")

        self.assert_one_winner(
            race([m.pk for m in contacts], by_pk(MissedContact), (call_back, call_back)),
            "Someone else has just returned this call.",
        )
        self.assertFalse(
            Clock.objects.filter(
                object_id__in=[m.pk for m in contacts], step="callback", state=ClockState.OPEN
            ).exists()
        )

        appointments = []
        for n, day in enumerate(days):
            reception = Reception.objects.create(
                date=day, part="am", kind="bureau_sitting", unit=c.county, person=c.county_leader
            )
            petition = make_petition(
                c,
                received_on=D(2025, 9, 1),
                lead_unit=c.qingshan,
                summary=f"约访事项{n}",
            )
            appointments.append(
                s.appointment_create(
                    reception=reception,
                    petitions=[petition],
                    consent_on=D(2025, 10, 31),
                    consent_note="同意",
                    acting_user=clerk,
                )
            )

        def record(a: Any) -> Any:
            matter = a.matters.get()
            return s.appointment_record(
                appointment=a,
                on=a.reception.date,
                heard="群众反映补偿标准偏低。",
                results=[
                    s.MatterResult(
                        matter,
                        "assigned",
                        "责成县教育局书面答复",
                        assigned_unit=c.education,
                        reply_days=10,
                    )
                ],
                acting_user=clerk,
            )

        self.assert_one_winner(
            race([a.pk for a in appointments], by_pk(Appointment), (record, record)),
            "Someone else has just recorded this reception.",
        )
        matters = list(AppointmentMatter.objects.filter(appointment__in=appointments))
        self.assert_one_running_clock_per_step(matters, "reply")
        tracking = Supervision.objects.filter(petition__appointment_matters__in=matters)
        self.assertEqual(tracking.count(), ROUNDS)  # one supervision per matter, not two


# --- democratic evaluation ------------------------------------------------------------------------


class CampaignRaceTests(RaceTestCase):
    def test_a_campaign_is_opened_once_and_closed_once(self) -> None:
        from reports.evaluation import campaign_close, campaign_open
        from reports.models import BallotTally, Campaign
        from tests.helpers import build_county
        from tests.reports.helpers import make_campaign

        c = build_county()
        campaigns = [
            make_campaign(f"C-{n}", c.county, units=[c.qingshan, c.chengguan], open_it=False)
            for n in range(ROUNDS)
        ]
        pks = [x.pk for x in campaigns]

        def open_(x: Any) -> Any:
            return campaign_open(campaign=x)

        self.assert_one_winner(
            race(pks, by_pk(Campaign), (open_, open_)), "Someone else has just changed"
        )
        for campaign in campaigns:
            # One group × two units × three ratings: created once.
            self.assertEqual(BallotTally.objects.filter(campaign=campaign).count(), 6)

        def close(x: Any) -> Any:
            return campaign_close(campaign=x)

        self.assert_one_winner(
            race(pks, by_pk(Campaign), (close, close)), "Someone else has just changed"
        )
        closed = Campaign.objects.filter(pk__in=pks, state="closed")
        self.assertEqual(closed.count(), ROUNDS)
