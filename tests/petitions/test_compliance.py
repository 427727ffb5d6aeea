"""Compliance rows of the reception rules, from receptions and petitions imported with the
ledger (`import_ledger`), as `python manage.py compliance --year 2025` prints them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from petitions.matters.services import petition_charge
from petitions.models import Petition, PetitionStatus, Reception
from petitions.roster.services import reception_substitute
from rules.compliance import evaluate
from rules.periods import Period
from tests.helpers import build_county, make_person

from .helpers import load_rule_packs, make_id_number

D = dt.date
RECEPTIONS = [
    ["date", "slot", "person", "unit", "kind", "substitute_for"],
    ["2025-01-06", "am", "P-WJG", "QH-XFJ", "坐班接访", ""],
    ["2025-01-07", "day", "P-CXZ", "QH", "bureau_sitting", "P-WJG"],
    ["2025-03-10", "pm", "P-WJG", "QH-QS", "case_visit", ""],
    ["2025-03-03", "上午", "P-LM", "QH-QS", "township_duty", ""],
    ["2025-03-05", "am", "P-LM", "QH-QS", "office_day", ""],
    ["2025-03-08", "day", "P-LM", "QH-QS", "township_duty", ""],
]
PETITIONS = [
    [
        "ref",
        "received",
        "channel",
        "petitioner",
        "id_number",
        "phone",
        "township",
        "subject_unit",
        "unit",
        "category",
        "accepted",
        "answered",
        "closed",
    ],
    [
        "XF2025-L1",
        "2025-02-10",
        "来访",
        "孙某",
        make_id_number(serial=301),
        "13800001111",
        "QH-QS",
        "",
        "QH-QS",
        "land",
        "2025-02-12",
        "2025-03-20",
        "2025-05-06",
    ],
    [
        "XF2025-L2",
        "2025-09-26",
        "来信",
        "周某",
        "",
        "",
        "QH-QS",
        "",
        "QH-JYJ",
        "education",
        "",
        "",
        "",
    ],
]


def write_ledger(folder: Path) -> None:
    for name, rows in (("receptions", RECEPTIONS), ("petitions", PETITIONS)):
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


class ImportedComplianceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs("taoyuan", "hefei", "dongan")
        cls.c = build_county()
        cls.leader2 = make_person(
            "陈县长", cls.c.county, "county_leader", "county_level", code="P-CXZ"
        )
        with tempfile.TemporaryDirectory() as folder:
            write_ledger(Path(folder))
            out = io.StringIO()
            call_command("import_ledger", folder, stdout=out)
        cls.import_output = out.getvalue()

    def compliance(self) -> dict[tuple[str, str, str], tuple[str, str, str]]:
        out = io.StringIO()
        call_command("compliance", "--year", "2025", "--today", "2026-01-15", stdout=out)
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        self.assertEqual(
            rows[0], ["rule", "subject", "subject_name", "period", "required", "actual", "status"]
        )
        return {(r[0], r[1], r[3]): (r[4], r[5], r[6]) for r in rows[1:]}

    def test_the_ledger_creates_receptions_and_runs_the_petitions_through_their_clocks(
        self,
    ) -> None:
        self.assertEqual(Reception.objects.count(), 6)
        self.assertEqual(
            Reception.objects.get(date=D(2025, 1, 7)).substitute_for, self.c.county_leader
        )
        closed = Petition.objects.get(ref="XF2025-L1")
        self.assertEqual((closed.status, closed.closed_on), (PetitionStatus.CLOSED, D(2025, 5, 6)))
        self.assertEqual(Petition.objects.get(ref="XF2025-L2").lead_unit, self.c.education)

    def test_importing_again_changes_nothing(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            write_ledger(Path(folder))
            out = io.StringIO()
            call_command("import_ledger", folder, stdout=out)
        self.assertEqual(Reception.objects.count(), 6)
        self.assertEqual(Petition.objects.count(), 2)

    def test_compliance_prints_the_reception_rules(self) -> None:
        rows = self.compliance()
        rules = {key[0] for key in rows}
        for rule_id in (
            "TY-R1",
            "TY-R2",
            "TY-R3",
            "HF-R2a",
            "HF-R2b",
            "HF-R3",
            "HF-R4a",
            "HF-R4b",
            "HF-R4c",
            "DA-R1",
            "DA-R5",
            "NAT-CONCLUDE",
        ):
            self.assertIn(rule_id, rules)
        # HF-R1a/b are duties of city leaders: a county has nobody they apply to
        self.assertNotIn("HF-R1a", rules)
        self.assertNotIn("HF-R1b", rules)
        # a working-day morning at the bureau in January, none in February
        self.assertEqual(rows[("TY-R1", "P-WJG", "2025-01")], ("1", "1", "met"))
        self.assertEqual(rows[("TY-R1", "P-WJG", "2025-02")], ("1", "0", "short"))
        # January 2025: 19 working days (1 Jan and 28–31 Jan off, Sunday 26 Jan worked); two
        # sittings recorded, one at the bureau (counted for its county) and one substituted
        self.assertEqual(rows[("DA-R1", "QH", "2025-01")], ("19", "2", "short"))
        # March 2025: 21 working days; a morning duty on the 3rd; the 8th is a Saturday
        self.assertEqual(rows[("TY-R3", "QH-QS", "2025-03")], ("21", "1", "short"))
        self.assertEqual(rows[("DA-R5", "QH-QS", "2025-03")], ("31", "2", "short"))
        self.assertEqual(rows[("TY-R2", "P-LM", "2025-03")], ("4", "1", "short"))
        self.assertEqual(rows[("HF-R2a", "P-WJG", "2025")], ("12", "1", "short"))
        self.assertEqual(rows[("HF-R2b", "P-WJG", "2025")], ("6", "1", "short"))
        # the township secretary's three receptions do not make HF-R1a (city leaders) hers
        self.assertNotIn(("HF-R1a", "P-LM", "2025"), rows)
        self.assertEqual(rows[("HF-R4a", "P-WJG", "2025")], ("1", "0", "short"))
        self.assertEqual(rows[("HF-R4c", "P-WJG", "2025")], ("0", "1", "met"))
        # the imported matter was concluded in time by the township
        self.assertEqual(rows[("NAT-CONCLUDE", "QH-QS", "2025")], ("1", "1", "met"))

    def test_a_leader_in_charge_meets_hf_r4a_and_needs_down_visits_for_hf_r4c(self) -> None:
        for ref in ("XF2025-L1", "XF2025-L2"):
            petition_charge(
                petition=Petition.objects.get(ref=ref),
                leader=self.c.county_leader,
                is_backlog=True,
                on=D(2025, 6, 1),
                acting_user=self.c.petition_clerk,
            )
        rows = {(r.rule, r.subject): r for r in evaluate(Period.year(2025), today=D(2026, 1, 15))}
        self.assertEqual(
            (rows[("HF-R4a", "P-WJG")].actual, rows[("HF-R4a", "P-WJG")].status), (2, "met")
        )
        self.assertEqual(rows[("HF-R4c", "P-WJG")].required, 1)  # 30 % of 2, rounded up

    def test_substitution_is_counted_for_da_r3(self) -> None:
        sitting = Reception.objects.get(date=D(2025, 1, 6))
        reception_substitute(
            reception=sitting,
            substitute=self.leader2,
            reason="出差",
            notified_on=D(2025, 1, 3),
            recipient="第一召集人",
            acting_user=self.c.petition_clerk,
        )
        rows = {
            (r.rule, r.subject, r.period): r
            for r in evaluate(Period.year(2025), today=D(2026, 1, 15))
        }
        da_r3 = rows[("DA-R3", "QH", "2025-01")]
        # the imported substitution has no recorded notice; the one made in the system has
        self.assertEqual((da_r3.required, da_r3.actual, da_r3.status), (2, 1, "short"))

    def test_wednesdays_excused_for_a_superior_meeting_make_the_month_excused(self) -> None:
        from petitions.roster.services import reception_set_status, roster_generate
        from rules.models import Rule

        roster_generate(
            first=D(2025, 3, 1),
            last=D(2025, 3, 31),
            acting_user=self.c.petition_clerk,
            rules=[Rule.objects.get(rule_id="TY-R2")],
        )
        for slot in Reception.objects.filter(
            subject__code="P-LM", date__in=[D(2025, 3, 12), D(2025, 3, 19), D(2025, 3, 26)]
        ):
            reception_set_status(
                reception=slot,
                status="excused",
                reason="参加市委全会",
                acting_user=self.c.petition_clerk,
            )
        rows = {
            (r.rule, r.subject, r.period): r
            for r in evaluate(Period.year(2025), today=D(2026, 1, 15))
        }
        row = rows[("TY-R2", "P-LM", "2025-03")]
        self.assertEqual((row.required, row.actual, row.status), (4, 1, "excused"))
        # the Wednesday already recorded from the ledger was not booked a second time
        self.assertEqual(
            Reception.objects.filter(person__code="P-LM", date=D(2025, 3, 5)).count(), 1
        )

    def test_drill_down_lists_the_receptions_behind_a_row(self) -> None:
        from rules.compliance import assign
        from rules.models import Rule

        rule = Rule.objects.get(rule_id="TY-R3")
        evaluator = assign([rule])[0][0]
        links = evaluator.records(rule, "QH-QS", "2025-03", user=self.c.supervisor)
        self.assertEqual([link.date for link in links], [D(2025, 3, 3), D(2025, 3, 8)])
        self.assertIn("/petitions/roster/", links[0].url)
        tyr1 = Rule.objects.get(rule_id="TY-R1")
        self.assertEqual(
            len(assign([tyr1])[0][0].records(tyr1, "P-WJG", "2025-01", user=self.c.supervisor)), 1
        )
