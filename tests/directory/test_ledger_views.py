"""The ledger upload page and the template workbook download."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.ledger import run_import
from directory.models import Household, OrgUnit, Role
from tests.directory.test_ledger_import import BAD_PEOPLE, full_ledger
from tests.helpers import PASSWORD, build_county, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(workbook: io.BytesIO, name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook.getvalue(), content_type=XLSX)


class LedgerImportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.leader_only = make_user("leader-only", cls.c.county, Role.LEADER)

    def login(self, user: object) -> None:
        self.client.login(username=user.username, password=PASSWORD)

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(reverse("ledger-import"))

        self.assertRedirects(response, f"{reverse('login')}?next=/ledger/")

    def test_a_leader_only_user_gets_403(self) -> None:
        self.login(self.leader_only)

        self.assertEqual(self.client.get(reverse("ledger-import")).status_code, 403)
        self.assertEqual(self.client.get(reverse("ledger-template")).status_code, 403)

    def test_unit_staff_see_the_upload_form(self) -> None:
        self.login(self.c.qingshan_staff)
        response = self.client.get(reverse("ledger-import"))

        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, reverse("ledger-template"))

    def test_admin_upload_of_a_bad_workbook_shows_the_errors_and_saves_nothing(self) -> None:
        self.login(self.c.admin)

        response = self.client.post(
            reverse("ledger-import"), {"file": upload(full_ledger(BAD_PEOPLE))}
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="ledger-errors"')
        self.assertContains(response, "<tr><td>people</td><td>3</td><td>unit</td><td>", html=False)
        self.assertFalse(OrgUnit.all_objects.filter(code="QH-XT").exists())

    def test_admin_upload_of_a_good_workbook_shows_the_counts(self) -> None:
        self.login(self.c.admin)

        response = self.client.post(reverse("ledger-import"), {"file": upload(full_ledger())})

        self.assertContains(response, 'id="ledger-counts"')
        self.assertContains(response, "<tr><td>households</td><td>1</td><td>0</td><td>0</td></tr>")
        self.assertTrue(Household.objects.filter(code="H-XT1").exists())

    def test_a_dry_run_upload_saves_nothing(self) -> None:
        self.login(self.c.admin)

        response = self.client.post(
            reverse("ledger-import"), {"file": upload(full_ledger()), "dry_run": "on"}
        )

        self.assertContains(response, 'id="ledger-counts"')
        self.assertFalse(Household.all_objects.filter(code="H-XT1").exists())

    def test_unit_staff_may_not_import_units_as_their_pages_do_not_let_them(self) -> None:
        self.login(self.c.qingshan_staff)

        response = self.client.post(reverse("ledger-import"), {"file": upload(full_ledger())})

        self.assertContains(response, "<tr><td>units</td><td>1</td><td>code</td><td>")
        self.assertFalse(OrgUnit.all_objects.filter(code="QH-XT").exists())

    @override_settings(LEDGER_UPLOAD_MAX_BYTES=100)
    def test_a_file_over_the_size_limit_is_refused(self) -> None:
        self.login(self.c.admin)

        response = self.client.post(reverse("ledger-import"), {"file": upload(full_ledger())})

        self.assertNotContains(response, 'id="ledger-result"')
        self.assertTrue(response.context["form"].errors["file"])

    def test_a_file_that_is_not_a_ledger_is_a_form_error(self) -> None:
        self.login(self.c.admin)
        junk = SimpleUploadedFile("ledger.zip", b"not a zip")

        response = self.client.post(reverse("ledger-import"), {"file": junk})

        self.assertTrue(response.context["form"].errors["file"])


class LedgerTemplateDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_the_template_downloads_as_an_attachment_and_imports_cleanly(self) -> None:
        self.client.login(username="admin", password=PASSWORD)

        response = self.client.get(reverse("ledger-template"))

        self.assertEqual(response["Content-Type"], XLSX)
        self.assertIn("attachment", response["Content-Disposition"])
        workbook = io.BytesIO(response.content)
        self.assertIn("units", openpyxl.load_workbook(workbook).sheetnames)
        result = run_import(workbook, dry_run=False, filename="ledger-template.xlsx")
        self.assertEqual(result.errors, [])
        self.assertTrue(Household.objects.filter(code="EX-H1").exists())

    def test_an_administrator_uploads_the_template_unchanged(self) -> None:
        self.client.login(username="admin", password=PASSWORD)
        template = io.BytesIO(self.client.get(reverse("ledger-template")).content)

        response = self.client.post(reverse("ledger-import"), {"file": upload(template)})

        self.assertContains(response, 'id="ledger-result"')
        self.assertTrue(OrgUnit.objects.filter(code="EX").exists())
