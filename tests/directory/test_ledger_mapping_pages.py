"""The mapping flow in the browser's pages: upload, the proposed sheets and columns, the user's
correction (saved per unit), the preview of the first rows with problems marked, the import —
on the queue for big files, with a progress partial the job page polls."""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.ledger import Mapping
from directory.models import ImportJob, LedgerMapping, Role
from directory.models_ledger import ImportJobState
from directory.services_ledger import job_run, job_upload, write_progress
from tests.helpers import PASSWORD, build_county, make_user
from visits.models import Visit

from .ledger_helpers import messy_sheet, new_workbook, workbook_bytes

MEDIA = tempfile.mkdtemp(prefix="minqing-ledger-media-")
HEADER = ["走访日期", "走访干部", "去哪", "见了谁", "走访方式", "备注"]
ROWS = [
    ["2025-03-05", "李明", "桃园村", "张三", "入户走访", "上级督导"],
    ["2025-03-12", "李明", "柳溪村", "", "调研", ""],
    ["2025-03-19", "李明", "桃园村", "张三", "入户走访", "复查"],
]


def foreign_workbook(rows: list[list[Any]] = ROWS, name: str = "三月下基层") -> io.BytesIO:
    workbook = new_workbook()
    messy_sheet(workbook, name, HEADER, rows)
    return workbook_bytes(workbook, "青山乡三月.xlsx")


def plain_workbook() -> io.BytesIO:
    """A workbook whose titles say what each column is: it imports without a mapping."""
    workbook = new_workbook()
    header = ["走访日期", "走访干部", "走访地点", "走访对象", "走访方式"]
    messy_sheet(workbook, "2025年走访台账", header, [row[:5] for row in ROWS])
    return workbook_bytes(workbook)


def upload(data: io.BytesIO, name: str = "青山乡三月.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.getvalue())


@override_settings(MEDIA_ROOT=MEDIA)
class MappingPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        self.client.login(username="qingshan", password=PASSWORD)
        # messages are compared in English (the language switch's cookie)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def start_mapping(self, data: io.BytesIO | None = None) -> ImportJob:
        response = self.client.post(
            reverse("ledger-import"), {"file": upload(data or foreign_workbook()), "map": ""}
        )
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("ledger-job-mapping", args=[job.pk]))
        return job

    def mapping_data(self, response: Any, **changes: str) -> dict[str, str]:
        """The mapping form as proposed, with the given fields changed."""
        form = response.context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(changes)
        return {k: str(v) for k, v in data.items()}

    def column_field(self, response: Any, title: str) -> str:
        form = response.context["form"]
        for table in form.tables():
            for column, field in table["columns"]:
                if column.title == title:
                    return field.name
        raise AssertionError(f"no column {title}")


class MappingFlowTests(MappingPagesTestCase):
    def test_the_proposal_reads_titles_and_guesses_the_rest_from_the_values(self) -> None:
        job = self.start_mapping()

        response = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))

        form = response.context["form"]
        self.assertEqual(form["t0-sheet"].value(), "visits")
        self.assertEqual(form["t0-header"].value(), 3)
        proposed = {
            column.title: form[field.name].value() for column, field in form.tables()[0]["columns"]
        }
        self.assertEqual(
            proposed,
            {
                "序号": "",
                "走访日期": "date",
                "走访干部": "person",
                "去哪": "unit",
                "见了谁": "households",
                "走访方式": "kind",
                "备注": "heard",
            },
        )
        self.assertContains(response, "(guessed from the values)")

    def test_a_corrected_column_previews_and_imports_and_the_mapping_is_kept(self) -> None:
        job = self.start_mapping()
        page = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))
        data = self.mapping_data(
            page, **{self.column_field(page, "备注"): "", "save_as": "青山走访"}
        )

        response = self.client.post(reverse("ledger-job-mapping", args=[job.pk]), data)

        self.assertRedirects(response, reverse("ledger-job-preview", args=[job.pk]))
        preview = self.client.get(reverse("ledger-job-preview", args=[job.pk]))
        self.assertContains(preview, "2025-03-05")
        self.assertContains(preview, "桃园村")
        self.assertNotContains(preview, "上级督导")  # the column the user set aside
        self.assertFalse(Visit.objects.exists())  # a preview saves nothing
        started = self.client.post(reverse("ledger-job-start", args=[job.pk]), {"import": ""})
        self.assertRedirects(started, reverse("ledger-job", args=[job.pk]))
        page = self.client.get(reverse("ledger-job", args=[job.pk]))
        self.assertContains(
            page, "<tr><td>visits</td><td>3</td><td>0</td><td>0</td></tr>", html=False
        )
        self.assertEqual(Visit.objects.count(), 3)
        self.assertEqual(set(Visit.objects.values_list("heard", flat=True)), {""})
        saved = LedgerMapping.objects.get(unit=self.c.qingshan, name="青山走访")
        self.assertEqual(saved.mapping["tables"]["三月下基层"]["columns"]["备注"], "")
        again = self.client.post(reverse("ledger-job-start", args=[job.pk]), {"import": ""})
        self.assertRedirects(again, reverse("ledger-job", args=[job.pk]))
        self.assertEqual(Visit.objects.count(), 3)  # imported once

    def test_the_preview_marks_the_cell_at_fault(self) -> None:
        job = self.start_mapping(
            foreign_workbook([*ROWS[:1], ["2025-03-32", "李明", "桃园村", "", "入户走访", ""]])
        )
        page = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))
        self.client.post(reverse("ledger-job-mapping", args=[job.pk]), self.mapping_data(page))

        preview = self.client.get(
            reverse("ledger-job-preview", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )

        self.assertContains(preview, 'class="cell-error"')
        self.assertContains(preview, "YYYY-MM-DD")  # the date's message, in the page's language
        self.assertContains(preview, 'class="row-error"', count=1)

    def test_a_required_column_left_out_is_said_before_the_preview(self) -> None:
        job = self.start_mapping()
        page = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))
        data = self.mapping_data(page, **{self.column_field(page, "走访日期"): ""})

        response = self.client.post(reverse("ledger-job-mapping", args=[job.pk]), data)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "choose the columns that hold 日期")

    def test_choosing_another_sheet_proposes_its_columns_again(self) -> None:
        job = self.start_mapping()
        page = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))

        response = self.client.post(
            reverse("ledger-job-mapping", args=[job.pk]),
            self.mapping_data(page, **{"t0-sheet": "receptions"}),
        )

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form["t0-sheet"].value(), "receptions")
        self.assertIn(
            ("date", "日期（date） *"), form.fields[self.column_field(response, "走访日期")].choices
        )

    def test_a_saved_mapping_is_offered_at_the_next_upload_and_used(self) -> None:
        job = self.start_mapping()
        page = self.client.get(reverse("ledger-job-mapping", args=[job.pk]))
        self.client.post(
            reverse("ledger-job-mapping", args=[job.pk]),
            self.mapping_data(page, **{self.column_field(page, "备注"): "", "save_as": "青山走访"}),
        )
        saved = LedgerMapping.objects.get()

        form_page = self.client.get(reverse("ledger-import"))
        self.assertContains(form_page, "青山走访")
        april = foreign_workbook(name="四月下基层")
        response = self.client.post(
            reverse("ledger-import"), {"file": upload(april), "mapping": saved.pk}
        )

        self.assertContains(
            response, "<tr><td>visits</td><td>3</td><td>0</td><td>0</td></tr>", html=False
        )
        self.assertEqual(set(Visit.objects.values_list("heard", flat=True)), {""})


class JobTests(MappingPagesTestCase):
    @override_settings(LEDGER_INLINE_MAX_BYTES=0)
    def test_a_big_file_is_imported_on_the_queue(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("ledger-import"), {"file": upload(plain_workbook())}
            )

        job = ImportJob.objects.get()
        self.assertRedirects(
            response, reverse("ledger-job", args=[job.pk]), fetch_redirect_response=False
        )
        job.refresh_from_db()
        self.assertEqual(job.result["errors"], [])
        self.assertEqual((job.state, job.saved), (ImportJobState.DONE, True))
        self.assertEqual(Visit.objects.count(), 3)
        page = self.client.get(reverse("ledger-job", args=[job.pk]))
        self.assertContains(page, 'id="ledger-counts"')
        self.assertNotContains(
            page, f'hx-get="{reverse("ledger-job", args=[job.pk])}"'
        )  # no more polling

    def test_the_status_partial_shows_the_progress_while_the_import_runs(self) -> None:
        job = job_upload(upload=upload(foreign_workbook()), acting_user=self.c.qingshan_staff)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJobState.RUNNING)
        write_progress(job.pk, 40_000, 150_000)

        partial = self.client.get(reverse("ledger-job", args=[job.pk]), HTTP_HX_REQUEST="true")

        self.assertNotContains(partial, "<html")
        self.assertContains(partial, '<progress id="ledger-progress" value="40000" max="150000">')
        self.assertContains(partial, 'hx-trigger="every 1s"')

    def test_a_job_is_run_once_however_often_its_task_is_delivered(self) -> None:
        job = job_upload(upload=upload(plain_workbook()), acting_user=self.c.qingshan_staff)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJobState.QUEUED)

        self.assertTrue(job_run(job.pk))
        self.assertFalse(job_run(job.pk))
        self.assertEqual(Visit.objects.count(), 3)

    def test_a_failed_job_says_why(self) -> None:
        job = job_upload(upload=upload(foreign_workbook()), acting_user=self.c.qingshan_staff)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJobState.QUEUED, mapping=Mapping().as_json()
        )
        job.file.storage.delete(job.file.name)

        job_run(job.pk)

        job.refresh_from_db()
        self.assertEqual(job.state, ImportJobState.FAILED)
        self.assertTrue(job.message)


class JobAccessTests(MappingPagesTestCase):
    def test_anonymous_out_of_scope_and_allowed(self) -> None:
        job = job_upload(upload=upload(foreign_workbook()), acting_user=self.c.qingshan_staff)
        urls = [
            reverse(name, args=[job.pk])
            for name in ("ledger-job", "ledger-job-mapping", "ledger-job-preview")
        ]
        self.client.logout()
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 302)
        self.client.login(username="chengguan", password=PASSWORD)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("ledger-job-start", args=[job.pk])).status_code, 404
        )
        make_user("leader-only", self.c.county, Role.LEADER)
        self.client.login(username="leader-only", password=PASSWORD)
        self.assertEqual(self.client.get(urls[0]).status_code, 403)
        self.client.login(username="qingshan", password=PASSWORD)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 200)
