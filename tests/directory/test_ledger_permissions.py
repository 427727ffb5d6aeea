"""An import acts only as its account's pages would: a petition or appeal row finds its record
only among those the account may see, and each step it records needs the permission of that
step's form; a reference the account may not use is refused in the same words whether or not
it exists (so that neither the import nor its dry run tells); dates in the future are refused
as the forms refuse them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.test import TestCase, override_settings
from django.utils import translation

from directory.ledger import run_import
from petitions.appeals.services import appeal_assign
from petitions.matters.services import petition_accept
from petitions.models import Appeal, AppealStatus, Petition, PetitionStatus
from tests.helpers import build_county
from tests.petitions.appeal_helpers import make_appeal, setup_appeals
from tests.petitions.helpers import make_petition

PETITION_HEADER = [
    "ref", "received", "channel", "petitioner", "township", "unit", "accepted", "answered", "closed",
]  # fmt: skip
APPEAL_HEADER = ["ref", "received", "platform", "category", "unit", "replied"]


def sheet(name: str, header: list[str], rows: list[list[Any]]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = name
    for row in [header, *rows]:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = f"{name}.xlsx"
    return buffer


@override_settings(FROZEN_TODAY="2025-10-31")
class PetitionRowPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()
        # about 青山乡, handled by the education bureau: 青山乡 must never see it
        cls.about_qingshan = make_petition(
            cls.c, subject_unit=cls.c.qingshan, lead_unit=cls.c.education, ref="XF-ABOUT"
        )
        # routed to 青山乡 and accepted there
        cls.routed = make_petition(cls.c, lead_unit=cls.c.qingshan, ref="XF-ROUTED")
        petition_accept(
            petition=cls.routed,
            on=dt.date(2025, 9, 29),
            accepted=True,
            acting_user=cls.c.qingshan_staff,
        )

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def row(self, ref: str, **dates: str) -> list[Any]:
        return [
            ref, "2025-09-26", "visit", "刘群众", "QH-QS", dates.get("unit", ""),
            dates.get("accepted", ""), dates.get("answered", ""), dates.get("closed", ""),
        ]  # fmt: skip

    def test_the_unit_complained_about_cannot_close_the_petition_about_it(self) -> None:
        rows = [
            self.row("XF-ABOUT", accepted="2025-09-29", answered="2025-10-10", closed="2025-10-20")
        ]

        result = run_import(
            sheet("petitions", PETITION_HEADER, rows),
            dry_run=False,
            acting_user=self.c.qingshan_staff,
        )

        self.assertEqual(
            [(e.sheet, e.row, e.column) for e in result.errors], [("petitions", 2, "ref")]
        )
        self.about_qingshan.refresh_from_db()
        self.assertEqual(self.about_qingshan.status, PetitionStatus.ROUTED)

    def test_the_dry_run_answers_the_same_for_an_existing_and_a_missing_reference(self) -> None:
        rows = [
            self.row("XF-ABOUT", closed="2025-10-20"),
            self.row("XF-NOWHERE", closed="2025-10-20"),
        ]

        result = run_import(
            sheet("petitions", PETITION_HEADER, rows),
            dry_run=True,
            acting_user=self.c.qingshan_staff,
        )

        existing, missing = result.errors
        self.assertEqual((existing.column, missing.column), ("ref", "ref"))
        self.assertEqual(
            existing.message.replace("XF-ABOUT", "REF"),
            missing.message.replace("XF-NOWHERE", "REF"),
        )
        self.assertEqual(
            result.counts["petitions"].unchanged + result.counts["petitions"].created, 0
        )

    def test_another_units_staff_cannot_act_on_a_matter_routed_elsewhere(self) -> None:
        rows = [self.row("XF-ROUTED", answered="2025-10-10")]

        result = run_import(
            sheet("petitions", PETITION_HEADER, rows),
            dry_run=False,
            acting_user=self.c.education_staff,
        )

        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "ref")])

    def test_the_lead_unit_answers_but_only_the_office_closes(self) -> None:
        rows = [self.row("XF-ROUTED", answered="2025-10-10", closed="2025-10-20")]
        workbook = sheet("petitions", PETITION_HEADER, rows)

        staff = run_import(workbook, dry_run=False, acting_user=self.c.qingshan_staff)

        self.assertEqual([(e.row, e.column) for e in staff.errors], [(2, "closed")])
        self.assertIn("Close the matter", staff.errors[0].message)
        office = run_import(workbook, dry_run=False, acting_user=self.c.petition_clerk)
        self.assertEqual(office.errors, [])
        self.routed.refresh_from_db()
        self.assertEqual(self.routed.status, PetitionStatus.CLOSED)

    def test_unit_staff_register_no_petitions_the_office_does(self) -> None:
        rows = [["XF-NEW", "2025-10-08", "来信", "陈群众", "QH-QS", "QH-QS", "", "", ""]]
        workbook = sheet("petitions", PETITION_HEADER, rows)

        staff = run_import(workbook, dry_run=False, acting_user=self.c.qingshan_staff)
        office = run_import(workbook, dry_run=False, acting_user=self.c.petition_clerk)

        self.assertEqual([(e.row, e.column) for e in staff.errors], [(2, "ref")])
        self.assertEqual(office.errors, [])
        self.assertEqual(Petition.objects.get(ref="XF-NEW").receiving_unit, self.c.petition_bureau)

    def test_a_receipt_date_in_the_future_is_refused_as_the_form_refuses_it(self) -> None:
        rows = [["XF-LATER", "2025-11-03", "来访", "陈群众", "QH-QS", "", "", "", ""]]

        result = run_import(
            sheet("petitions", PETITION_HEADER, rows),
            dry_run=False,
            acting_user=self.c.petition_clerk,
        )

        self.assertEqual(
            [str(e) for e in result.errors],
            ["petitions:2:received: The date cannot be in the future."],
        )
        self.assertFalse(Petition.all_objects.filter(ref="XF-LATER").exists())


@override_settings(FROZEN_TODAY="2025-10-31")
class AppealRowPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()
        cls.appeal = make_appeal(cls.c, ref="LYB-CG", township=cls.c.chengguan)
        appeal_assign(
            appeal=cls.appeal,
            unit=cls.c.chengguan,
            on=dt.date(2025, 9, 26),
            acting_user=cls.c.petition_clerk,
        )

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def test_another_units_staff_cannot_reply_to_an_appeal(self) -> None:
        rows = [["LYB-CG", "2025-09-26 10:00", "留言板", "城乡建设", "", "2025-09-29"]]
        workbook = sheet("appeals", APPEAL_HEADER, rows)

        other = run_import(workbook, dry_run=False, acting_user=self.c.qingshan_staff)
        own = run_import(workbook, dry_run=False, acting_user=self.c.chengguan_staff)

        self.assertEqual([(e.row, e.column) for e in other.errors], [(2, "ref")])
        self.assertEqual(own.errors, [])
        self.assertEqual(Appeal.objects.get(ref="LYB-CG").status, AppealStatus.REPLIED)

    def test_the_dry_run_does_not_tell_whether_an_appeal_exists(self) -> None:
        rows = [
            ["LYB-CG", "2025-09-26 10:00", "留言板", "城乡建设", "", "2025-09-29"],
            ["LYB-NONE", "2025-09-26 10:00", "留言板", "城乡建设", "", "2025-09-29"],
        ]

        result = run_import(
            sheet("appeals", APPEAL_HEADER, rows), dry_run=True, acting_user=self.c.qingshan_staff
        )

        existing, missing = result.errors
        self.assertEqual(
            existing.message.replace("LYB-CG", "REF"), missing.message.replace("LYB-NONE", "REF")
        )

    def test_an_appeal_received_in_the_future_is_refused(self) -> None:
        rows = [["WX-LATER", "2025-11-02 10:00", "微信群", "城乡建设", "QH-CG", ""]]

        result = run_import(
            sheet("appeals", APPEAL_HEADER, rows), dry_run=False, acting_user=self.c.petition_clerk
        )

        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "received")])
        self.assertFalse(Appeal.all_objects.filter(ref="WX-LATER").exists())
