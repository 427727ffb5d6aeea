"""The year-end PDF: embedded Chinese font subsets, every unit name and rule id in its text,
the command and the download give the same report, the jurisdiction report is queued."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings

from directory.access import console_reader
from directory.models import OrgUnit
from reports.models import JobState, ReportJob, SubmissionKind
from reports.pdf import report_context
from rules.clocks import clock_complete, clock_start
from rules.models import Rule
from rules.packs import available_packs, load_packs
from tests.helpers import build_county, make_unit
from tests.reports.helpers import close, enter_paper, make_campaign, make_submission

D = dt.date
MEDIA = tempfile.mkdtemp(prefix="minqing-reports-media-")


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with every compressed stream inflated (fonts sit in object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def poppler(test: TestCase, tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        # The PDF checks are the point of these tests: fail, never skip (make test installs it).
        test.fail(
            f"{tool} is missing: install Debian's poppler-utils (apt-get install poppler-utils)"
        )
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def build_year(c) -> None:
    load_packs(available_packs())
    rule = Rule.objects.get(rule_id="TY-O2")
    late = clock_start(
        rule=rule,
        item=c.household_taoyuan,
        step="reply",
        start=D(2025, 3, 3),
        unit=c.qingshan,
        label="网上诉求 2025-031",
    )
    clock_complete(clock=late, done_on=D(2025, 3, 20))
    make_submission(
        kind=SubmissionKind.ANNUAL_REPORT, year=2025, unit=c.qingshan, submitted_on=D(2025, 12, 10)
    )
    campaign = make_campaign("C-PDF", c.county, units=[c.chengguan, c.qingshan])
    enter_paper(campaign, "deputy", {"QH-CG": (8, 2, 0), "QH-QS": (5, 3, 2)})
    close(campaign)


@override_settings(MEDIA_ROOT=MEDIA)
class CompliancePdfTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        build_year(cls.c)
        cls.dir = Path(tempfile.mkdtemp(prefix="minqing-pdf-"))
        cls.path = cls.dir / "r.pdf"
        call_command(
            "compliance_pdf",
            "--year",
            "2025",
            "--output",
            str(cls.path),
            "--today",
            "2026-01-10",
            "--signer",
            "董建平",
            stdout=io.StringIO(),
        )
        cls.pdf = cls.path.read_bytes()

    def test_fonts_are_embedded_subsets_of_the_shipped_chinese_font(self) -> None:
        objects = pdf_objects(self.pdf)
        self.assertIn(b"/FontFile2", objects)
        self.assertTrue(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+MQ-Sans", objects))

        lines = poppler(self, "pdffonts", str(self.path)).splitlines()[2:]
        self.assertTrue(lines)
        for line in lines:
            name, *_middle = line.split()
            self.assertRegex(name, r"^[A-Z]{6}\+MQ-Sans")
            self.assertIn("CID TrueType", line)
            self.assertRegex(line, r"Identity-H\s+yes\s+yes\s+yes")

    def test_text_holds_every_unit_name_and_every_rule_id_in_force(self) -> None:
        text = re.sub(r"\s+", "", poppler(self, "pdftotext", str(self.path), "-"))
        for name in OrgUnit.objects.values_list("name", flat=True):
            self.assertIn(name, text)
        for rule_id in Rule.objects.active().values_list("rule_id", flat=True):
            self.assertIn(rule_id, text)
        self.assertIn("董建平", text)
        self.assertIn("网上诉求2025-031", text)  # the late item behind a short DEADLINE row
        self.assertIn("C-PDF", text)  # the evaluation result

    def test_a_one_unit_report_holds_that_unit_only(self) -> None:
        # How long it takes is measured by `manage.py benchmark`, not here.
        call_command(
            "compliance_pdf",
            "--year",
            "2025",
            "--unit",
            "QH-QS",
            "--output",
            str(self.dir / "u.pdf"),
            stdout=io.StringIO(),
        )
        text = poppler(self, "pdftotext", str(self.dir / "u.pdf"), "-")
        self.assertIn("青山乡", text)
        self.assertNotIn("县教育局", text)

    def test_a_one_unit_report_lists_the_late_items_of_its_own_units_only(self) -> None:
        def late_labels(unit: OrgUnit) -> set[str]:
            context = report_context(
                year=2025, unit=unit, signer="", today=D(2026, 1, 10), reader=console_reader()
            )
            return {
                record.label
                for section in context["sections"]
                for item in section.rows
                for record in item.late
            }

        self.assertIn("网上诉求 2025-031", late_labels(self.c.qingshan))
        self.assertNotIn("网上诉求 2025-031", late_labels(self.c.chengguan))

    def test_the_download_button_gives_the_commands_report(self) -> None:
        call_command(
            "compliance_pdf",
            "--year",
            "2025",
            "--unit",
            "QH-QS",
            "--output",
            str(self.dir / "cmd.pdf"),
            stdout=io.StringIO(),
        )
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post("/reports/pdf/", {"year": 2025, "unit": "QH-QS", "signer": ""})

        self.assertEqual(response["Content-Type"], "application/pdf")
        (self.dir / "web.pdf").write_bytes(response.content)
        self.assertEqual(
            poppler(self, "pdftotext", str(self.dir / "web.pdf"), "-"),
            poppler(self, "pdftotext", str(self.dir / "cmd.pdf"), "-"),
        )

    def test_a_unit_outside_the_scope_cannot_be_reported(self) -> None:
        self.client.force_login(self.c.chengguan_staff)
        response = self.client.post("/reports/pdf/", {"year": 2025, "unit": "QH-QS"})

        self.assertRedirects(response, "/reports/")
        self.assertFalse(ReportJob.objects.exists())


@override_settings(MEDIA_ROOT=MEDIA)
class QueuedReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        build_year(cls.c)
        for n in range(8):  # a bigger jurisdiction: more sections, more pages
            make_unit(f"第{n}镇", "township", cls.c.county, code=f"QH-T{n}")

    def test_the_jurisdiction_report_is_queued_and_offered_when_done(self) -> None:
        self.client.force_login(self.c.supervisor)
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(
                "/reports/pdf/", {"year": 2025, "unit": "", "signer": "督查室"}
            )
        job = ReportJob.objects.get()

        # The request only queued the job: nothing is rendered in it.
        self.assertRedirects(response, f"/reports/jobs/{job.pk}/")
        self.assertEqual((job.state, job.progress), (JobState.QUEUED, 0))
        self.assertContains(self.client.get(f"/reports/jobs/{job.pk}/"), 'hx-trigger="every 2s"')

        for callback in callbacks:  # the queue runs in sync mode in tests
            callback()
        job.refresh_from_db()
        self.assertEqual((job.state, job.progress), (JobState.DONE, 100))
        self.assertGreater(job.pages, 3)
        page = self.client.get(f"/reports/jobs/{job.pk}/")
        self.assertContains(page, f"/reports/jobs/{job.pk}/download/")
        download = self.client.get(f"/reports/jobs/{job.pk}/download/")
        self.assertEqual(b"".join(download.streaming_content)[:5], b"%PDF-")

    def test_a_job_runs_once_even_when_delivered_twice(self) -> None:
        from reports.services import report_job_run

        job = ReportJob.objects.create(year=2025, scope_unit=self.c.taoyuan, unit=self.c.taoyuan)
        self.assertTrue(report_job_run(job.pk))
        self.assertFalse(report_job_run(job.pk))

    def test_a_job_whose_worker_died_is_taken_over_once_stale(self) -> None:
        from django.utils import timezone

        from reports.services import STALE_AFTER, report_job_run

        started = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
        job = ReportJob.objects.create(
            year=2025,
            scope_unit=self.c.taoyuan,
            unit=self.c.taoyuan,
            state=JobState.RUNNING,
            started_at=started,
        )
        fresh = ReportJob.objects.create(
            year=2025, scope_unit=self.c.taoyuan, state=JobState.RUNNING, started_at=timezone.now()
        )

        self.assertTrue(report_job_run(job.pk))
        self.assertFalse(report_job_run(fresh.pk))
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.DONE)

    def test_permission_triple_on_a_job(self) -> None:
        job = ReportJob.objects.create(
            year=2025,
            scope_unit=self.c.qingshan,
            unit=self.c.qingshan,
            requested_by=self.c.qingshan_staff,
        )
        url = f"/reports/jobs/{job.pk}/"
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")
        self.client.force_login(self.c.chengguan_staff)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_unit_staff_cannot_queue_the_whole_jurisdiction(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.client.post("/reports/pdf/", {"year": 2025, "unit": ""})

        self.assertFalse(ReportJob.objects.exists())
