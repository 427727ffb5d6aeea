"""The `sessions` and `proposals` ledger sheets, and compliance from imported items."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.test import TestCase

from directory.ledger import run_import, template_workbook
from proposals.models import Proposal, Session, Stage
from rules.clocks import clocks_for_item

from .helpers import build_proposals_county, load_proposal_rules

SESSIONS = [
    ["code", "name", "body", "opens", "closes"],
    ["RD-2025-1", "清河县第十八届人民代表大会第五次会议", "人大", "2025-01-10", "2025-01-13"],
]
HEADER = [
    "ref", "kind", "session", "author", "submitted", "in_session", "unit", "assigned",
    "contacted", "answered", "complex", "feedback", "feedback_on", "second_answered",
]  # fmt: skip
PROPOSALS = [
    HEADER,
    # on time all the way, satisfied
    ["J1", "建议", "RD-2025-1", "P-DEP1", "2025-01-11", "是", "QH-JYJ", "2025-02-10",
     "2025-02-14", "2025-04-30", "否", "满意", "2025-05-10", ""],
    # contacted late, answered on time, unsatisfied, second answer late
    ["J2", "建议", "RD-2025-1", "P-DEP1;P-DEP2", "2025-01-12", "是", "QH-QS", "2025-02-10",
     "2025-02-20", "2025-05-09", "", "不满意", "2025-05-15", "2025-06-20"],
    # between sessions, answered late
    ["J3", "建议", "RD-2025-1", "P-DEP2", "2025-03-01", "否", "QH-QS", "2025-03-05",
     "2025-03-10", "2025-06-10", "", "", "", ""],
]  # fmt: skip


def write_folder(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


class ProposalLedgerTests(TestCase):
    def setUp(self) -> None:
        load_proposal_rules()
        self.c = build_proposals_county()
        self.folder = Path(tempfile.mkdtemp())
        write_folder(self.folder, {"sessions": SESSIONS, "proposals": PROPOSALS})

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=out)
        return out.getvalue()

    def test_import_records_every_step_and_its_clocks(self) -> None:
        self.run_command("import_ledger", str(self.folder))
        j2 = Proposal.objects.get(ref="J2")
        self.assertEqual(j2.stage, Stage.SECOND_ANSWERED)
        self.assertEqual([a.person.code for a in j2.authorships.all()], ["P-DEP1", "P-DEP2"])
        clocks = {c.rule.rule_id: c for c in clocks_for_item(j2)}
        self.assertEqual(set(clocks), {"TY-P1", "TY-P2", "TY-P3"})
        self.assertFalse(clocks["TY-P1"].on_time)
        self.assertTrue(clocks["TY-P2"].on_time)
        self.assertEqual(clocks["TY-P3"].due, dt.date(2025, 6, 16))  # 15 Jun is a Sunday
        self.assertFalse(clocks["TY-P3"].on_time)
        self.assertFalse(Proposal.objects.get(ref="J3").in_session)

    def test_a_second_import_of_the_same_ledger_changes_nothing(self) -> None:
        run_import(self.folder, dry_run=False)
        result = run_import(self.folder, dry_run=False)
        self.assertEqual(result.errors, [])
        self.assertEqual(result.counts["proposals"].unchanged, 3)

    def test_a_ledger_cannot_change_a_recorded_step(self) -> None:
        run_import(self.folder, dry_run=False)
        PROPOSALS_CHANGED = [row[:] for row in PROPOSALS]
        PROPOSALS_CHANGED[1][8] = "2025-02-13"
        write_folder(self.folder, {"proposals": PROPOSALS_CHANGED})
        result = run_import(self.folder, dry_run=False)
        self.assertEqual(
            [(e.sheet, e.row, e.column) for e in result.errors], [("proposals", 2, "contacted")]
        )

    def test_a_unit_account_may_not_import_the_liaison_offices_items(self) -> None:
        result = run_import(self.folder, dry_run=True, acting_user=self.c.base.education_staff)
        self.assertEqual({e.column for e in result.errors if e.sheet == "proposals"}, {"session"})
        office = run_import(self.folder, dry_run=True, acting_user=self.c.congress_clerk)
        self.assertEqual(office.errors, [])

    def test_an_unsatisfied_row_without_feedback_cannot_carry_a_second_answer(self) -> None:
        rows = [HEADER, ["J9", "建议", "RD-2025-1", "P-DEP1", "2025-01-11", "", "QH-JYJ",
                         "2025-02-10", "", "2025-03-01", "", "", "", "2025-03-20"]]  # fmt: skip
        write_folder(self.folder, {"proposals": rows})
        result = run_import(self.folder, dry_run=True)
        self.assertEqual([e.column for e in result.errors], ["second_answered"])

    def test_compliance_prints_deadline_rows_per_unit_and_quota_rows_per_deputy(self) -> None:
        self.run_command("import_ledger", str(self.folder))
        output = self.run_command("compliance", "--year", "2025", "--today", "2026-01-15")
        lines = set(output.splitlines())
        self.assertIn("TY-P1,QH-JYJ,县教育局,2025,1,1,met", lines)
        self.assertIn("TY-P1,QH-QS,青山乡,2025,2,1,short", lines)
        self.assertIn("TY-P2,QH-QS,青山乡,2025,2,1,short", lines)
        self.assertIn("TY-P3,QH-QS,青山乡,2025,1,0,short", lines)
        # TY-P4 per deputy per session: P-DEP1 authored J1 and J2, P-DEP2 only J2 in session.
        self.assertIn("TY-P4,P-DEP1,周代表,RD-2025-1,2,2,met", lines)
        self.assertIn("TY-P4,P-DEP2,吴代表,RD-2025-1,2,1,short", lines)
        # TJ-P1: the between-sessions item J3, answered late.
        self.assertIn("TJ-P1,QH-QS,青山乡,2025,1,0,short", lines)


def own_sheets(content: bytes) -> bytes:
    """The template with the directory's sheets and ours (other apps test their own)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for name in workbook.sheetnames:
        if name not in ("units", "people", "links", "households", "sessions", "proposals"):
            del workbook[name]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TemplateTests(TestCase):
    def test_the_template_workbook_with_the_proposal_examples_imports_cleanly_twice(self) -> None:
        load_proposal_rules()
        workbook = io.BytesIO(own_sheets(template_workbook()))
        first = run_import(workbook, dry_run=False, filename="template.xlsx")
        second = run_import(workbook, dry_run=False, filename="template.xlsx")
        self.assertEqual(first.errors, [])
        self.assertEqual(Session.objects.get().code, "EX-RD-1")
        self.assertEqual(Proposal.objects.get().stage, Stage.CLOSED)
        self.assertEqual(second.counts["proposals"].unchanged, 1)
        self.assertEqual(sum(c.created + c.updated for c in second.counts.values()), 0)
