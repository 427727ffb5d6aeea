"""One numbering scheme (README "Numbering"): <PREFIX>-<KIND>-<YEAR>-<NUMBER>, the prefix the
county's administrator sets (else its code). The registration form, the public appeal form and
its receipt, staff intake, the ledger import (a row without a reference) and the proposal form
all draw from the same series; a ledger's own references are kept. On PostgreSQL, registrations
at the same moment never draw the same number."""

from __future__ import annotations

import datetime as dt
import io
import threading
import unittest

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import translation

from directory import numbering
from directory.ledger import run_import
from directory.models import RefCounter
from directory.services import unit_save
from petitions.models import Appeal, Petition
from tests.helpers import build_county
from tests.petitions.appeal_helpers import make_appeal, make_public_appeal, setup_appeals
from tests.petitions.helpers import make_petition
from tests.petitions.test_appeals_public import NEW, appeal_payload
from tests.petitions.test_pages import registration

D = dt.date


def workbook(sheet: str, header: list[str], rows: list[list[object]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in [header, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = f"{sheet}.xlsx"
    return buffer


class NumberingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def setUp(self) -> None:
        self.addCleanup(translation.deactivate)

    def test_the_registration_form_numbers_petitions_by_county_kind_and_year(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        self.client.post(reverse("petition-register"), registration(self.c))
        self.assertEqual(Petition.objects.get().ref, "QH-XF-2025-000001")
        second = make_petition(self.c, received_on=D(2025, 10, 8))
        next_year = make_petition(self.c, received_on=D(2026, 1, 5))
        self.assertEqual(second.ref, "QH-XF-2025-000002")
        self.assertEqual(next_year.ref, "QH-XF-2026-000001")

    def test_the_administrator_sets_the_prefix_on_the_county_and_only_there(self) -> None:
        county = self.c.county
        county.ref_prefix = "QINGHE"
        unit_save(unit=county, reason="prefix")
        self.assertEqual(make_petition(self.c).ref, "QINGHE-XF-2025-000001")
        appeal = make_appeal(self.c)
        self.assertEqual(appeal.ref, "QINGHE-WS-2025-000001")
        township = self.c.qingshan
        township.ref_prefix = "QS"
        with self.assertRaises(ValidationError):
            unit_save(unit=township, reason="a township has no series of its own")
        for bad in ("qh", "QH-1", "A" * 13):
            county.ref_prefix = bad
            with self.assertRaises(ValidationError, msg=bad):
                county.full_clean()

    def test_the_public_receipt_is_the_number_staff_see_and_opens_only_with_its_key(
        self,
    ) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with override_settings(APPEAL_MIN_FILL_SECONDS=0):
            self.client.post(NEW, appeal_payload(self.c))
        appeal = Appeal.objects.get()
        self.assertEqual(appeal.ref, f"QH-WS-{appeal.received_on.year}-000001")
        receipt = self.client.get(reverse("public-appeal-receipt"))
        self.assertContains(receipt, appeal.ref)
        key = receipt.context["receipt"]["key"]
        lookup = reverse("public-appeal-lookup")
        self.assertEqual(self.client.post(lookup, {"ref": appeal.ref, "key": key}).status_code, 302)
        # the next number is easy to guess, but opens nothing without its own key
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        other, _key = make_public_appeal(self.c, received_at=appeal.received_at)
        response = self.client.post(lookup, {"ref": other.ref, "key": key})
        self.assertContains(response, "No appeal matches", status_code=404)

    def test_staff_intake_and_the_public_form_share_one_series(self) -> None:
        first = make_appeal(self.c)
        second, _key = make_public_appeal(self.c)
        self.assertEqual([first.ref, second.ref], ["QH-WS-2025-000001", "QH-WS-2025-000002"])

    def test_a_ledger_row_without_a_reference_is_numbered_and_one_with_keeps_its_own(self) -> None:
        header = ["ref", "received", "channel", "petitioner", "township", "unit", "summary"]
        rows = [
            ["XF-OLD-17", "2025-03-03", "来信", "王老户", "QH-QS", "QH-QS", "宅基地纠纷"],
            ["", "2025-03-04", "来信", "李新户", "QH-QS", "QH-QS", "征地补偿"],
            [None, "2025-03-05", "来电", "赵三户", "QH-QS", "QH-QS", "工资拖欠"],
        ]
        result = run_import(workbook("petitions", header, rows), dry_run=False)
        self.assertEqual(result.errors, [])
        self.assertEqual(
            sorted(Petition.objects.values_list("ref", flat=True)),
            ["QH-XF-2025-000001", "QH-XF-2025-000002", "XF-OLD-17"],
        )
        header = ["ref", "received", "platform", "category", "unit"]
        rows = [
            ["12345-0001", "2025-03-03 09:30", "12345", "城乡建设", "QH-QS"],
            ["", "2025-03-04 10:00", "12345", "城乡建设", "QH-QS"],
        ]
        result = run_import(workbook("appeals", header, rows), dry_run=False)
        self.assertEqual(result.errors, [])
        self.assertEqual(
            sorted(Appeal.objects.values_list("ref", flat=True)),
            ["12345-0001", "QH-WS-2025-000001"],
        )

    def test_a_dry_run_gives_its_numbers_back(self) -> None:
        header = ["ref", "received", "channel", "petitioner", "township", "unit", "summary"]
        rows = [["", "2025-03-04", "来信", "李新户", "QH-QS", "QH-QS", "征地补偿"]]
        result = run_import(workbook("petitions", header, rows), dry_run=True)
        self.assertEqual(result.errors, [])
        self.assertFalse(Petition.objects.exists())
        self.assertEqual(make_petition(self.c, received_on=D(2025, 3, 6)).ref, "QH-XF-2025-000001")

    def test_a_number_a_ledger_already_used_is_skipped(self) -> None:
        make_petition(self.c, ref="QH-XF-2025-000002")
        numbers = [make_petition(self.c).ref for _n in range(2)]
        self.assertEqual(numbers, ["QH-XF-2025-000001", "QH-XF-2025-000003"])

    def test_a_series_is_one_counter_row(self) -> None:
        for _n in range(3):
            make_petition(self.c)
        self.assertEqual(
            list(RefCounter.objects.values_list("scope", "last")), [("QH-XF-2025-", 3)]
        )


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
class ConcurrentNumberingTests(TransactionTestCase):
    """Two registrations at once, 20 rounds, on two connections (two web workers): every
    number is given once, none is skipped."""

    ROUNDS = 20

    def setUp(self) -> None:
        from rules.calendar_seed import seed_from_package
        from rules.models import CalendarDay, CalendarYear

        seed_from_package(CalendarYear, CalendarDay)
        setup_appeals()
        self.c = build_county()

    def race(self, make: object) -> list[str]:
        barrier = threading.Barrier(2, timeout=60)
        refs: list[str] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def worker() -> None:
            try:
                for _n in range(self.ROUNDS):
                    barrier.wait()
                    ref = make()  # type: ignore[operator]
                    with lock:
                        refs.append(ref)
            except BaseException as exc:  # reported to the test thread
                barrier.abort()
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        return refs

    def test_two_petitions_registered_at_once_never_share_a_number(self) -> None:
        refs = self.race(lambda: make_petition(self.c).ref)
        expected = [f"QH-XF-2025-{n:06d}" for n in range(1, 2 * self.ROUNDS + 1)]
        self.assertEqual(sorted(refs), expected)

    def test_two_appeals_received_at_once_never_share_a_number(self) -> None:
        refs = self.race(lambda: make_public_appeal(self.c)[0].ref)
        expected = [f"QH-WS-2025-{n:06d}" for n in range(1, 2 * self.ROUNDS + 1)]
        self.assertEqual(sorted(refs), expected)

    def test_the_first_numbers_of_a_new_series_are_drawn_at_once_without_collision(
        self,
    ) -> None:
        # every round a new year: both threads create the series' counter row at once
        years = iter([iter(range(2000, 2000 + self.ROUNDS)) for _side in (0, 1)])
        per_thread: dict[int, object] = {}

        def make() -> str:
            ident = threading.get_ident()
            if ident not in per_thread:
                per_thread[ident] = next(years)
            year = next(per_thread[ident])  # type: ignore[call-overload]
            return numbering.next_ref(numbering.PETITION, unit=self.c.county, on=year)

        refs = self.race(make)
        expected = sorted(
            f"QH-XF-{year}-{n:06d}" for year in range(2000, 2000 + self.ROUNDS) for n in (1, 2)
        )
        self.assertEqual(sorted(refs), expected)
