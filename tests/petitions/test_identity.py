"""ID numbers (GB 11643 check character), phones and masking."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase

from directory.ledger import run_import, template_workbook
from petitions.identity import mask_id_number, mask_phone, validate_id_number, validate_phone
from petitions.models import Petition, Reception
from tests.petitions.helpers import load_rule_packs

# A published specimen number whose check character is X.
SPECIMEN = "11010519491231002X"


class IdNumberTests(SimpleTestCase):
    def test_a_valid_number_with_check_character_x_passes(self) -> None:
        validate_id_number(SPECIMEN)
        validate_id_number(SPECIMEN.lower())

    def test_a_mistyped_digit_fails_the_check(self) -> None:
        with self.assertRaisesMessage(ValidationError, "校验码不符"):
            validate_id_number("110105194912310021")

    def test_a_date_of_birth_that_does_not_exist_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "出生日期不存在"):
            validate_id_number("110105194902300021")

    def test_fifteen_digit_numbers_are_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "18"):
            validate_id_number("110105491231002")

    def test_phones_mobile_and_landline(self) -> None:
        validate_phone("13812345678")
        validate_phone("0731-84123456")
        with self.assertRaises(ValidationError):
            validate_phone("12345")

    def test_masking_keeps_region_and_last_four(self) -> None:
        self.assertEqual(mask_id_number(SPECIMEN), "110105********002X")
        self.assertEqual(mask_phone("13812345678"), "138****5678")


class TemplateWorkbookTests(TestCase):
    def test_the_template_examples_import_a_petition_and_a_reception(self) -> None:
        load_rule_packs()
        result = run_import(
            io.BytesIO(template_workbook()), dry_run=False, filename="template.xlsx"
        )
        self.assertEqual(result.errors, [])
        petition = Petition.objects.get(ref="XF2025-EX1")
        self.assertEqual(petition.status, "answered")
        self.assertEqual(Reception.objects.get().person.code, "EX-P1")
