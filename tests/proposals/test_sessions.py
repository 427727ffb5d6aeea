"""Sessions, registering items, and each deputy / member's count in a session (TY-P4)."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from proposals.evaluators import SessionQuotaEvaluator
from proposals.models import Proposal, Session
from rules.models import Rule
from rules.periods import Period
from tests.helpers import PASSWORD, make_person

from .helpers import build_proposals_county, load_proposal_rules, make_proposal


class SessionCountTests(TestCase):
    def setUp(self) -> None:
        load_proposal_rules()
        self.c = build_proposals_county()
        self.third = make_person("冯代表", self.c.base.liuxi, "deputy", code="P-DEP3")
        make_proposal(self.c.session, [self.c.deputy, self.c.other_deputy], title="一")
        make_proposal(self.c.session, [self.c.deputy], title="二")
        # Made between sessions: does not count for the session (TY-P4).
        make_proposal(self.c.session, [self.c.other_deputy], title="三", submitted=dt.date(2025, 3, 1), in_session=False)  # fmt: skip
        self.url = reverse("proposal-session-counts", args=[self.c.session.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"/accounts/login/?next={self.url}")

    def test_the_other_bodys_office_and_units_get_404(self) -> None:
        for username in ("zhengxie", "qingshan", "deputy"):
            with self.subTest(username=username):
                self.client.login(username=username, password=PASSWORD)
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_liaison_office_sees_those_under_the_minimum(self) -> None:
        self.client.login(username="renda", password=PASSWORD)
        # session + account, the session, the liaison-office lookup, the rule, the counts,
        # the deputies (with their units), the account's unit (header).
        with self.assertNumQueries(8):
            response = self.client.get(self.url)
        short = [(row.person.code, row.count) for row in response.context["short"]]
        self.assertEqual(short, [("P-DEP3", 0), ("P-DEP2", 1)])
        self.assertEqual(response.context["minimum"], 2)

    def test_ty_p4_rows_per_deputy_per_session(self) -> None:
        rule = Rule.objects.get(rule_id="TY-P4")
        rows = SessionQuotaEvaluator().evaluate(
            [rule], Period.year(2025), today=dt.date(2025, 1, 12)
        )
        got = {(r.subject, r.period, r.required, r.actual, r.status) for r in rows}
        self.assertIn(("P-DEP1", "RD-2025", 2, 2, "met"), got)
        # The session is still sitting on 12 January: not short yet.
        self.assertIn(("P-DEP2", "RD-2025", 2, 1, "open"), got)
        self.assertIn(("P-DEP3", "RD-2025", 2, 0, "open"), got)
        # The CPPCC session counts members.
        self.assertIn(("P-MEM1", "ZX-2025", 2, 0, "open"), got)
        self.assertNotIn("P-MEM1", {r.subject for r in rows if r.period == "RD-2025"})


class RegisterTests(TestCase):
    def setUp(self) -> None:
        load_proposal_rules()
        self.c = build_proposals_county()

    def test_liaison_office_registers_a_joint_suggestion(self) -> None:
        self.client.login(username="renda", password=PASSWORD)
        response = self.client.post(
            reverse("proposal-new"),
            {
                "session": self.c.session.pk,
                "in_session": "on",
                "submitted": "2025-01-11",
                "lead_author": self.c.deputy.pk,
                "joint_authors": [self.c.other_deputy.pk],
                "title": "关于加强农村养老服务的建议",
                "category": "social",
            },
        )
        item = Proposal.objects.get()
        self.assertRedirects(response, reverse("proposal-detail", args=[item.pk]))
        self.assertEqual(item.ref, "QH-JY-2025-0001")
        self.assertEqual(item.kind, "suggestion")
        self.assertEqual(
            [a.person_id for a in item.authorships.all()],
            [self.c.deputy.pk, self.c.other_deputy.pk],
        )

    def test_a_unit_cannot_register(self) -> None:
        self.client.login(username="qingshan", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("proposal-new")).status_code, 403)

    def test_the_office_only_offers_its_own_bodys_sessions(self) -> None:
        self.client.login(username="renda", password=PASSWORD)
        response = self.client.get(reverse("proposal-new"))
        self.assertEqual(
            list(response.context["form"].fields["session"].queryset), [self.c.session]
        )

    def test_an_item_between_sessions_must_be_submitted_after_the_session(self) -> None:
        self.client.login(username="renda", password=PASSWORD)
        response = self.client.post(
            reverse("proposal-new"),
            {
                "session": self.c.session.pk,
                "submitted": "2025-01-11",
                "lead_author": self.c.deputy.pk,
                "title": "x",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertFalse(Proposal.objects.exists())

    def test_liaison_office_adds_a_session_of_its_body(self) -> None:
        self.client.login(username="zhengxie", password=PASSWORD)
        response = self.client.post(
            reverse("proposal-session-new"),
            {
                "code": "ZX-2026",
                "name": "政协第十届委员会第六次会议",
                "body": "cppcc",
                "opens": "2026-01-08",
                "closes": "2026-01-11",
            },
        )
        self.assertRedirects(response, reverse("proposal-session-list"))
        self.assertTrue(Session.objects.filter(code="ZX-2026").exists())
        response = self.client.post(
            reverse("proposal-session-new"),
            {
                "code": "RD-2026",
                "name": "x",
                "body": "congress",
                "opens": "2026-01-08",
                "closes": "2026-01-11",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Session.objects.filter(code="RD-2026").exists())
