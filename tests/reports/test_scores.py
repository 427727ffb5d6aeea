from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from reports.scores import campaign_scores, rate_of, score_of, to_decimal
from tests.helpers import build_county
from tests.reports.helpers import BASIC, SAT, UNSAT, close, enter_paper, make_campaign

D = Decimal


class HandComputedCampaignTests(TestCase):
    """Deputies weigh 2, the public 1; every figure below is computed by hand.

    unit        deputies (s, b, u) → score   public (s, b, u) → score   weighted        rate
    城关镇 (A)   8, 2, 0 → 92.00              5, 3, 2 → 68.00            (2·92+68)/3=84   18/20=90
    青山乡 (B)   6, 4, 0 → 84.00              9, 1, 0 → 96.00            (2·84+96)/3=88   20/20=100
    教育局 (C)   7, 3, 0 → 88.00              7, 1, 2 → 76.00            (2·88+76)/3=84   18/20=90
    A and C tie on score and rate: they share rank 2."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.campaign = make_campaign(
            "C-W",
            cls.c.county,
            units=[cls.c.chengguan, cls.c.qingshan, cls.c.education],
            groups=[("deputy", "2"), ("public", "1")],
        )
        enter_paper(
            cls.campaign,
            "deputy",
            {"QH-CG": (8, 2, 0), "QH-QS": (6, 4, 0), "QH-JYJ": (7, 3, 0)},
        )
        enter_paper(
            cls.campaign,
            "public",
            {"QH-CG": (5, 3, 2), "QH-QS": (9, 1, 0), "QH-JYJ": (7, 1, 2)},
        )
        cls.campaign = close(cls.campaign)

    def test_weighted_scores_rates_and_shared_rank(self) -> None:
        rows = {row.code: row for row in campaign_scores(self.campaign)}

        self.assertEqual(
            [
                (r.score, r.satisfaction_rate, r.rank)
                for r in (rows["QH-QS"], rows["QH-CG"], rows["QH-JYJ"])
            ],
            [
                (D("88.00"), D("100.00"), 1),
                (D("84.00"), D("90.00"), 2),
                (D("84.00"), D("90.00"), 2),
            ],
        )
        self.assertEqual(
            (
                rows["QH-CG"].ballots,
                rows["QH-CG"].satisfied,
                rows["QH-CG"].basic,
                rows["QH-CG"].unsatisfied,
            ),
            (20, 13, 5, 2),
        )
        self.assertEqual(
            {g.code: g.score for g in rows["QH-CG"].groups},
            {"deputy": D("92.00"), "public": D("68.00")},
        )

    def test_the_command_prints_design_columns_as_csv(self) -> None:
        out = io.StringIO()
        call_command("evaluation_scores", "C-W", "--format", "csv", stdout=out)

        self.assertEqual(
            out.getvalue().splitlines(),
            [
                "unit,unit_name,ballots,satisfied,basic,unsatisfied,satisfaction_rate,score,rank",
                "QH-QS,青山乡,20,15,5,0,100.00,88.00,1",
                "QH-CG,城关镇,20,13,5,2,90.00,84.00,2",
                "QH-JYJ,县教育局,20,14,4,2,90.00,84.00,2",
            ],
        )

    def test_the_command_writes_json_and_excel(self) -> None:
        out = io.StringIO()
        call_command("evaluation_scores", "C-W", "--format", "json", stdout=out)
        first = json.loads(out.getvalue())[0]
        self.assertEqual((first["unit"], first["score"], first["rank"]), ("QH-QS", 88.0, 1))

        path = self.enterContext(_tempdir()) + "/scores.xlsx"
        call_command("evaluation_scores", "C-W", "--format", "xlsx", "--output", path)
        sheet = openpyxl.load_workbook(path)["scores"]
        self.assertEqual([c.value for c in sheet[1]][:3], ["unit", "unit_name", "ballots"])
        self.assertEqual(sheet.max_row, 4)


class UnweightedAndRoundingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_without_weights_every_ballot_counts_the_same(self) -> None:
        campaign = make_campaign(
            "C-U",
            self.c.county,
            units=[self.c.chengguan, self.c.qingshan],
            groups=[("deputy", None), ("public", None)],
        )
        enter_paper(campaign, "deputy", {"QH-CG": (8, 2, 0), "QH-QS": (6, 4, 0)})
        enter_paper(campaign, "public", {"QH-CG": (5, 3, 2), "QH-QS": (9, 1, 0)})
        rows = {row.code: row for row in campaign_scores(close(campaign))}

        # (100·13 + 60·5) / 20 = 80; (100·15 + 60·5) / 20 = 90
        self.assertEqual((rows["QH-CG"].score, rows["QH-QS"].score), (D("80.00"), D("90.00")))
        self.assertEqual((rows["QH-QS"].rank, rows["QH-CG"].rank), (1, 2))

    def test_thirds_round_half_up_to_two_decimals(self) -> None:
        counts = {SAT: 1, BASIC: 1, UNSAT: 1}
        points = {SAT: D(100), BASIC: D(60), UNSAT: D(0)}

        self.assertEqual(to_decimal(score_of(counts, points)), D("53.33"))
        self.assertEqual(to_decimal(rate_of(counts)), D("66.67"))
        self.assertEqual(to_decimal(score_of({SAT: 1, BASIC: 0, UNSAT: 7}, points)), D("12.50"))

    def test_the_campaign_sets_the_rating_points(self) -> None:
        campaign = make_campaign("C-P", self.c.county, units=[self.c.chengguan], open_it=False)
        campaign.basic_points = D(80)
        campaign.save()
        from reports.evaluation import campaign_open

        campaign = campaign_open(campaign=campaign)
        enter_paper(campaign, "deputy", {"QH-CG": (1, 1, 0)})
        (row,) = campaign_scores(close(campaign))

        self.assertEqual(row.score, D("90.00"))

    def test_a_unit_without_ballots_has_no_score_and_no_rank(self) -> None:
        campaign = make_campaign("C-E", self.c.county, units=[self.c.chengguan, self.c.qingshan])
        enter_paper(campaign, "deputy", {"QH-CG": (1, 0, 0)})
        rows = {row.code: row for row in campaign_scores(close(campaign))}

        self.assertEqual(
            (rows["QH-CG"].rank, rows["QH-QS"].rank, rows["QH-QS"].score), (1, None, None)
        )


class HiddenUntilClosedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.campaign = make_campaign("C-H", cls.c.county, units=[cls.c.chengguan])
        enter_paper(cls.campaign, "deputy", {"QH-CG": (3, 0, 0)})

    def test_the_command_refuses_an_open_campaign(self) -> None:
        with self.assertRaisesMessage(CommandError, "hidden until it closes"):
            call_command("evaluation_scores", "C-H", stdout=io.StringIO())

    def test_the_campaign_page_shows_no_results_while_open(self) -> None:
        self.client.force_login(self.c.supervisor)
        response = self.client.get(f"/reports/campaigns/{self.campaign.pk}/")

        self.assertNotContains(response, 'class="results"')
        self.assertEqual(
            self.client.get(f"/reports/campaigns/{self.campaign.pk}/export.xlsx").status_code, 403
        )


def _tempdir():
    import tempfile

    return tempfile.TemporaryDirectory()
