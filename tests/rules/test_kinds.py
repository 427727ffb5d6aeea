from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from rules.kinds import GENERAL, describe_params, validate_params


class QuotaParamsTests(SimpleTestCase):
    def test_good_quota_params_are_cleaned(self) -> None:
        cleaned, errors = validate_params(
            "QUOTA", {"activity": " reception ", "count": "12", "qualifiers": "morning; workday"}
        )
        self.assertEqual(errors, {})
        self.assertEqual(
            cleaned,
            {"activity": "reception", "count": 12, "qualifiers": ["morning", "workday"]},
        )

    def test_unknown_parameter_is_an_error_naming_it(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": 1, "cuont": 2})
        self.assertIn("cuont", errors)
        self.assertIn("cuont", errors["cuont"][0])

    def test_text_for_a_whole_number_is_an_error_naming_the_parameter(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": "many"})
        self.assertEqual(list(errors), ["count"])
        self.assertIn("(count)", errors["count"][0])

    def test_a_boolean_is_not_a_whole_number(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": True})
        self.assertIn("count", errors)

    def test_a_negative_count_is_rejected(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": -1})
        self.assertIn("count", errors)

    def test_a_missing_required_parameter_is_an_error(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"count": 3})
        self.assertIn("activity", errors)

    def test_quota_needs_a_count_or_a_percentage(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "case_visit"})
        self.assertIn(GENERAL, errors)
        cleaned, errors = validate_params(
            "QUOTA", {"activity": "case_visit", "percent": 30, "percent_of": "charged_case"}
        )
        self.assertEqual(errors, {})
        self.assertEqual(cleaned["percent"], 30)

    def test_a_count_of_zero_is_a_count(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": 0})
        self.assertEqual(errors, {})

    def test_minimum_above_maximum_is_rejected(self) -> None:
        _cleaned, errors = validate_params("QUOTA", {"activity": "x", "count": 3, "max_count": 2})
        self.assertIn("max_count", errors)

    def test_by_post_keys_must_be_posts(self) -> None:
        _cleaned, errors = validate_params(
            "QUOTA", {"activity": "x", "count": 1, "by_post": {"mayor": 3}}
        )
        self.assertIn("by_post", errors)
        self.assertIn("mayor", errors["by_post"][0])


class AmountParamsTests(SimpleTestCase):
    def test_by_rank_dict_is_cleaned_to_numbers(self) -> None:
        cleaned, errors = validate_params(
            "AMOUNT",
            {"measure": "aid_yuan", "by_rank": {"county_level": "800.00", "staff": 200}},
        )
        self.assertEqual(errors, {})
        self.assertEqual(cleaned["by_rank"], {"county_level": 800, "staff": 200})

    def test_by_rank_rejects_an_unknown_rank(self) -> None:
        _cleaned, errors = validate_params(
            "AMOUNT", {"measure": "aid_yuan", "by_rank": {"general": 800}}
        )
        self.assertIn("by_rank", errors)

    def test_by_rank_rejects_a_negative_amount(self) -> None:
        _cleaned, errors = validate_params(
            "AMOUNT", {"measure": "aid_yuan", "by_rank": {"staff": -5}}
        )
        self.assertIn("by_rank", errors)
        self.assertIn("staff", errors["by_rank"][0])

    def test_by_rank_must_be_a_mapping(self) -> None:
        _cleaned, errors = validate_params("AMOUNT", {"measure": "aid_yuan", "by_rank": [800]})
        self.assertIn("by_rank", errors)

    def test_a_decimal_share_is_kept_as_a_number(self) -> None:
        cleaned, errors = validate_params(
            "AMOUNT", {"measure": "grassroots_share", "minimum": "0.3333"}
        )
        self.assertEqual(errors, {})
        self.assertEqual(cleaned["minimum"], 0.3333)

    def test_amount_needs_a_minimum_of_some_form(self) -> None:
        _cleaned, errors = validate_params("AMOUNT", {"measure": "stay_days"})
        self.assertIn(GENERAL, errors)


class OtherKindsTests(SimpleTestCase):
    def test_coverage_scope_must_be_a_known_choice(self) -> None:
        _cleaned, errors = validate_params("COVERAGE", {"scope": "planets", "min_visits": 1})
        self.assertIn("scope", errors)

    def test_coverage_household_mix_accepts_alternatives(self) -> None:
        cleaned, errors = validate_params(
            "COVERAGE",
            {
                "scope": "villages",
                "min_households": 3,
                "household_mix": ["party_member", "monitored|alleviated", "other"],
            },
        )
        self.assertEqual(errors, {})
        self.assertEqual(cleaned["household_mix"][1], "monitored|alleviated")

    def test_coverage_household_mix_rejects_an_unknown_category(self) -> None:
        _cleaned, errors = validate_params(
            "COVERAGE", {"scope": "villages", "min_households": 3, "household_mix": ["rich"]}
        )
        self.assertIn("household_mix", errors)

    def test_percent_above_100_is_rejected(self) -> None:
        _cleaned, errors = validate_params("COVERAGE", {"scope": "households", "percent": 150})
        self.assertIn("percent", errors)

    def test_deadline_switches_get_their_defaults(self) -> None:
        cleaned, errors = validate_params(
            "DEADLINE",
            {"start_event": "a", "end_event": "b", "amount": 7, "unit": "days"},
        )
        self.assertEqual(errors, {})
        self.assertIs(cleaned["roll_to_workday"], True)
        self.assertIs(cleaned["item_sets_limit"], False)

    def test_deadline_amount_needs_its_unit(self) -> None:
        _cleaned, errors = validate_params(
            "DEADLINE", {"start_event": "a", "end_event": "b", "amount": 7}
        )
        self.assertIn("unit", errors)

    def test_deadline_unit_must_be_a_duration_unit(self) -> None:
        _cleaned, errors = validate_params(
            "DEADLINE", {"start_event": "a", "end_event": "b", "amount": 7, "unit": "fortnights"}
        )
        self.assertIn("unit", errors)

    def test_a_switch_must_be_true_or_false(self) -> None:
        _cleaned, errors = validate_params(
            "ROSTER", {"slot": "hotline", "days": "workday", "excusable": "yes"}
        )
        self.assertIn("excusable", errors)

    def test_roster_weekday_is_0_to_6(self) -> None:
        _cleaned, errors = validate_params(
            "ROSTER", {"slot": "office_day", "days": "weekday", "weekday": 7}
        )
        self.assertIn("weekday", errors)

    def test_submission_due_date_is_month_and_day(self) -> None:
        cleaned, errors = validate_params("SUBMISSION", {"document": "report", "due": "12-31"})
        self.assertEqual((cleaned["due"], errors), ("12-31", {}))
        _cleaned, errors = validate_params("SUBMISSION", {"document": "report", "due": "13-01"})
        self.assertIn("due", errors)

    def test_practice_takes_no_parameters(self) -> None:
        self.assertEqual(validate_params("PRACTICE", {}), ({}, {}))
        _cleaned, errors = validate_params("PRACTICE", {"count": 1})
        self.assertIn("count", errors)

    def test_an_unknown_kind_is_an_error(self) -> None:
        _cleaned, errors = validate_params("WISH", {})
        self.assertIn(GENERAL, errors)

    def test_empty_optional_values_are_left_out(self) -> None:
        cleaned, _errors = validate_params(
            "QUOTA", {"activity": "x", "count": 1, "qualifiers": "", "by_post": {}}
        )
        self.assertEqual(cleaned, {"activity": "x", "count": 1})


class DescribeParamsTests(SimpleTestCase):
    def test_parameters_in_words_name_values_and_skip_default_switches(self) -> None:
        with translation.override("en"):
            words = self._words()
        self.assertIn("5", words)
        self.assertIn("working days", words)
        self.assertNotIn("rest day", words)

    @staticmethod
    def _words() -> str:
        return describe_params(
            "DEADLINE",
            {
                "start_event": "a",
                "end_event": "b",
                "amount": 5,
                "unit": "workdays",
                "roll_to_workday": True,
                "item_sets_limit": False,
            },
        )
