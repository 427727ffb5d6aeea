from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from rules.models import Rule
from rules.packs import PackError, _definition, load_packs, rule_update
from tests.helpers import build_county

FIVE_PACKS = ["taoyuan", "hefei", "tianjin", "dongan", "cuiping"]

# Every rule id of /work/shared/RULES.md with its kind (— rows are PRACTICE), copied here so
# that the test does not depend on the shared folder.
RULES_MD: dict[str, str] = {
    "TY-R1": "QUOTA", "TY-R2": "ROSTER", "TY-R3": "ROSTER",
    "HF-R1a": "QUOTA", "HF-R1b": "QUOTA", "HF-R2a": "QUOTA", "HF-R2b": "QUOTA",
    "HF-R3": "ROSTER", "HF-R4a": "QUOTA", "HF-R4b": "QUOTA", "HF-R4c": "QUOTA",
    "DA-R1": "ROSTER", "DA-R2": "QUOTA", "DA-R3": "ROSTER", "DA-R4": "DEADLINE",
    "DA-R5": "ROSTER", "TJ-R1": "ROSTER", "TJ-R2": "SUBMISSION",
    "TY-C1": "DEADLINE", "TY-C2": "DEADLINE", "TY-C3": "PRACTICE", "TY-C4": "SUBMISSION",
    "TJ-H1a": "ROSTER", "TJ-H1b": "ROSTER", "TJ-H1c": "ROSTER", "TJ-H2": "SUBMISSION",
    "HF-H1": "DEADLINE",
    "TY-O1": "SUBMISSION", "TY-O2": "DEADLINE", "HF-O1": "DEADLINE",
    "TY-P1": "DEADLINE", "TY-P2": "DEADLINE", "TY-P3": "DEADLINE", "TY-P4": "QUOTA",
    "TJ-P1": "DEADLINE", "TJ-P2": "PRACTICE",
    "TY-V1": "QUOTA", "TY-V2": "COVERAGE", "TY-V3a": "COVERAGE", "TY-V3b": "COVERAGE",
    "TY-V4": "COVERAGE", "HF-V1a": "AMOUNT", "HF-V1b": "QUOTA", "HF-V2a": "AMOUNT",
    "HF-V2b": "QUOTA", "HF-V3": "LIMIT", "HF-V4": "AMOUNT", "HF-V5a": "SUBMISSION",
    "HF-V5b": "SUBMISSION", "HF-V5c": "QUOTA", "HF-V6": "ROSTER", "HF-V7": "COVERAGE",
    "HF-V8": "QUOTA", "HF-V9a": "QUOTA", "HF-V9b": "QUOTA", "TJ-V1": "AMOUNT",
    "TY-A1": "COVERAGE", "TY-A2a": "COVERAGE", "TY-A2b": "COVERAGE",
    "HF-A1a": "QUOTA", "HF-A1b": "QUOTA", "HF-A1c": "QUOTA", "HF-A2": "DEADLINE",
    "CP-A1": "COVERAGE", "CP-A2a": "COVERAGE", "CP-A2b": "COVERAGE", "CP-A3": "DEADLINE",
    "CP-A4": "AMOUNT", "CP-A5": "PRACTICE",
    "HF-S1": "DEADLINE", "CP-S1": "SUBMISSION", "TY-L1": "DEADLINE",
    "TY-Y1": "SUBMISSION", "TY-Y2": "PRACTICE", "HF-Y1": "PRACTICE", "CP-Y1": "PRACTICE",
}  # fmt: skip

NATIONAL: dict[str, str] = {
    "NAT-REGISTER": "DEADLINE",
    "NAT-ACCEPT": "DEADLINE",
    "NAT-OBJECT": "DEADLINE",
    "NAT-CONCLUDE": "DEADLINE",
    "NAT-REVIEW-ASK": "DEADLINE",
    "NAT-REVIEW-ANSWER": "DEADLINE",
    "NAT-RECHECK-ASK": "DEADLINE",
    "NAT-RECHECK-ANSWER": "DEADLINE",
    "NAT-GROUP-REPS": "LIMIT",
    "NAT-CONFIDENTIAL": "PRACTICE",
}


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_rules", *args, stdout=out)
    return out.getvalue()


def history_rows() -> int:
    return Rule.history.count()


class LoadAllPacksTests(TestCase):
    def test_the_five_packs_load_every_rule_id_of_rules_md_with_its_kind(self) -> None:
        run(*FIVE_PACKS)
        loaded = dict(Rule.objects.values_list("rule_id", "kind"))
        self.assertEqual(loaded, RULES_MD)

    def test_the_national_pack_adds_the_statutory_petition_limits(self) -> None:
        run(*FIVE_PACKS, "national")
        loaded = dict(Rule.objects.values_list("rule_id", "kind"))
        self.assertEqual(loaded, RULES_MD | NATIONAL)
        self.assertEqual(
            set(Rule.objects.filter(pack="national").values_list("rule_id", flat=True)),
            set(NATIONAL),
        )

    def test_every_rule_of_every_pack_has_a_short_name(self) -> None:
        run(*FIVE_PACKS, "national")
        short = dict(Rule.objects.values_list("rule_id", "short_title"))
        self.assertEqual([rule_id for rule_id, name in short.items() if not name], [])
        self.assertEqual(short["NAT-ACCEPT"], "受理告知时限")
        self.assertTrue(all(len(name) <= 12 for name in short.values()))

    def test_a_reworded_short_name_survives_a_reload_but_not_a_reset(self) -> None:
        run("national")
        rule = Rule.objects.get(rule_id="NAT-OBJECT")
        rule_update(
            rule=rule,
            params=rule.params,
            active=True,
            short_title="异议期限",
            reason="wording",
            acting_user=None,
        )
        run("national")
        self.assertEqual(Rule.objects.get(rule_id="NAT-OBJECT").short_title, "异议期限")
        run("national", "--reset")
        self.assertEqual(Rule.objects.get(rule_id="NAT-OBJECT").short_title, "异议提出时限")

    def test_the_first_load_reports_what_it_created(self) -> None:
        output = run("dongan")
        self.assertIn("dongan: created 5, updated 0, unchanged 0, kept edited 0", output)
        self.assertNotIn("nothing changed", output)

    def test_a_second_load_changes_nothing_and_writes_no_history(self) -> None:
        run(*FIVE_PACKS, "national")
        before = history_rows()
        output = run(*FIVE_PACKS, "national")
        self.assertIn("nothing changed", output)
        self.assertIn("hefei: created 0, updated 0, unchanged 30, kept edited 0", output)
        self.assertEqual(history_rows(), before)

    def test_an_unknown_pack_is_refused_with_the_valid_names(self) -> None:
        with self.assertRaisesMessage(CommandError, "Unknown rule pack: shanghai") as caught:
            run("taoyuan", "shanghai")
        for name in [*FIVE_PACKS, "national"]:
            self.assertIn(name, str(caught.exception))
        self.assertFalse(Rule.objects.exists())

    def test_history_records_which_pack_load_created_the_rule(self) -> None:
        run("taoyuan")
        record = Rule.objects.get(rule_id="TY-R1").history.get()
        self.assertEqual(record.history_change_reason, "load_rules taoyuan")


class ThresholdTests(TestCase):
    """The thresholds of RULES.md, spot-checked per kind."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_packs([*FIVE_PACKS, "national"])

    def params(self, rule_id: str) -> dict:
        return Rule.objects.get(rule_id=rule_id).params

    def test_quota_thresholds(self) -> None:
        self.assertEqual(self.params("HF-R2a")["count"], 12)
        self.assertEqual(self.params("HF-R1a")["count"], 6)
        self.assertEqual(self.params("TY-P4")["count"], 2)
        self.assertEqual(self.params("HF-R4c")["percent"], 30)
        self.assertEqual(
            (self.params("HF-R4a")["count"], self.params("HF-R4a")["max_count"]), (1, 2)
        )

    def test_amounts_by_post_and_by_rank(self) -> None:
        by_post = self.params("HF-V4")["by_post"]
        self.assertEqual(
            (by_post["county_leader"], by_post["unit_head"], by_post["township_secretary"]),
            (60, 60, 70),
        )
        self.assertEqual(
            self.params("CP-A4")["by_rank"],
            {"county_level": 800, "section_chief": 600, "deputy_section": 400, "staff": 200},
        )
        self.assertAlmostEqual(self.params("TJ-V1")["minimum"], 1 / 3, places=3)

    def test_deadline_durations(self) -> None:
        def limit(rule_id: str) -> tuple:
            params = self.params(rule_id)
            return params["amount"], params["unit"]

        self.assertEqual(limit("TY-O2"), (5, "workdays"))
        self.assertEqual(limit("TY-C1"), (1, "workdays"))
        self.assertEqual(limit("CP-A3"), (3, "workdays"))
        self.assertEqual(limit("TY-P1"), (7, "days"))
        self.assertEqual(limit("TY-P2"), (3, "months"))
        self.assertEqual(self.params("TY-P2")["complex_amount"], 6)
        self.assertEqual(limit("TY-P3"), (1, "months"))
        self.assertEqual(limit("NAT-OBJECT"), (5, "workdays"))
        conclude = self.params("NAT-CONCLUDE")
        self.assertEqual(
            (conclude["amount"], conclude["extension_amount"], conclude["max_extensions"]),
            (60, 30, 1),
        )

    def test_limits_by_post(self) -> None:
        # 001 §2: the city party secretary (and deputies) ≤ 5 people and 2 cars, other city
        # leaders ≤ 4 people and 1 car
        stay = self.params("HF-V3")
        self.assertEqual(stay["by_post"], {"city_secretary": 5, "city_leader": 4})
        self.assertEqual(stay["second_by_post"], {"city_secretary": 2, "city_leader": 1})
        self.assertEqual(self.params("NAT-GROUP-REPS")["max"], 5)

    def test_every_measured_personal_rule_names_its_posts(self) -> None:
        unnamed = Rule.objects.filter(
            kind__in=["QUOTA", "COVERAGE", "AMOUNT", "LIMIT", "SUBMISSION"], subject_posts=""
        )
        self.assertEqual(list(unnamed.values_list("rule_id", flat=True)), [])

    def test_the_city_rules_name_the_city_posts(self) -> None:
        def posts(rule_id: str) -> set[str]:
            return set(Rule.objects.get(rule_id=rule_id).subject_post_list)

        city = {"city_secretary", "city_leader"}
        self.assertEqual(posts("HF-R1a"), city)
        self.assertEqual(posts("HF-R1b"), city)
        self.assertEqual(posts("HF-V6"), {"city_secretary"})
        self.assertEqual(self.params("HF-V6")["per"], "city")
        self.assertEqual(posts("HF-V5b"), {"county_secretary", "city_unit_head"})
        self.assertEqual(posts("HF-V8"), city | {"county_secretary", "county_leader"})
        self.assertEqual(
            (self.params("HF-V8")["count"], self.params("HF-V8")["by_post"]),
            (20, {"city_secretary": 10, "city_leader": 10}),
        )

    def test_practices_have_no_parameters(self) -> None:
        practices = Rule.objects.filter(kind="PRACTICE")
        self.assertEqual(practices.count(), 7)
        self.assertTrue(all(rule.params == {} for rule in practices))


class ReloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.county = build_county()
        load_packs(["hefei"])

    def rule(self) -> Rule:
        return Rule.objects.get(rule_id="HF-R2a")

    def edit_count(self, count: int) -> None:
        rule = self.rule()
        rule_update(
            rule=rule,
            params={**rule.params, "count": count},
            active=rule.active,
            reason="county sets a higher bar",
            acting_user=self.county.admin,
        )

    def test_an_admin_edit_survives_a_reload(self) -> None:
        self.edit_count(15)
        output = run("hefei")
        self.assertEqual(self.rule().params["count"], 15)
        self.assertIn("kept edited 1", output)
        self.assertIn("kept edited parameters (use --reset to replace): HF-R2a", output)
        self.assertIn("nothing changed", output)

    def test_reset_restores_the_pack_value(self) -> None:
        self.edit_count(15)
        output = run("hefei", "--reset")
        rule = self.rule()
        self.assertEqual(rule.params["count"], 12)
        self.assertFalse(rule.is_edited)
        self.assertIn("updated 1", output)
        self.assertEqual(rule.history.first().history_change_reason, "load_rules hefei --reset")

    def test_a_changed_pack_value_updates_an_unedited_rule(self) -> None:
        # As if the rule had been loaded from an older pack that said 10.
        old = {"activity": "reception", "count": 10}
        Rule.objects.filter(rule_id="HF-R2a").update(params=old, pack_params=old)
        output = run("hefei")
        rule = self.rule()
        self.assertEqual((rule.params["count"], rule.pack_params["count"]), (12, 12))
        self.assertIn("hefei: created 0, updated 1, unchanged 29, kept edited 0", output)

    def test_a_changed_pack_value_updates_only_pack_params_of_an_edited_rule(self) -> None:
        Rule.objects.filter(rule_id="HF-R2a").update(
            params={"activity": "reception", "count": 15},
            pack_params={"activity": "reception", "count": 10},
        )
        run("hefei")
        rule = self.rule()
        self.assertEqual((rule.params["count"], rule.pack_params["count"]), (15, 12))

    def test_a_deactivated_rule_stays_inactive(self) -> None:
        rule = self.rule()
        rule_update(
            rule=rule, params=rule.params, active=False, reason="not used here", acting_user=None
        )
        run("hefei", "--reset")
        self.assertFalse(self.rule().active)

    def test_descriptive_fields_follow_the_pack(self) -> None:
        Rule.objects.filter(rule_id="HF-R2a").update(title="old title", source="old")
        run("hefei")
        rule = self.rule()
        self.assertEqual(rule.title, "县级领导每年接待群众来访不少于12次")
        self.assertEqual(rule.source, "001 §3")


class InvalidPackTests(TestCase):
    def test_a_rule_with_bad_parameters_is_reported_with_the_parameter(self) -> None:
        raw = {
            "rule_id": "XX-1",
            "kind": "QUOTA",
            "title": "t",
            "period": "year",
            "params": {"activity": "reception", "count": "twelve"},
        }
        _definition_, errors = _definition("hefei", 1, raw)
        self.assertTrue(any("(count)" in error for error in errors))

    def test_unknown_posts_kinds_and_periods_are_reported(self) -> None:
        raw = {"rule_id": "XX-1", "kind": "WISH", "title": "t", "period": "decade",
               "subject_posts": ["emperor"]}  # fmt: skip
        _definition_, errors = _definition("hefei", 1, raw)
        self.assertEqual(len(errors), 4)  # kind, period, post, and the unknown kind's params

    def test_a_measured_rule_naming_no_posts_is_a_pack_error(self) -> None:
        for kind, params in (
            ("QUOTA", {"activity": "reception", "count": 6}),
            ("COVERAGE", {"scope": "villages", "min_households": 3}),
            ("AMOUNT", {"measure": "stay_days", "minimum": 5}),
            ("LIMIT", {"attribute": "entourage", "max": 4}),
            ("SUBMISSION", {"document": "research_report"}),
        ):
            with self.subTest(kind=kind):
                raw = {"rule_id": "XX-1", "kind": kind, "title": "t", "period": "year",
                       "subject_posts": [], "params": params}  # fmt: skip
                _definition_, errors = _definition("hefei", 1, raw)
                self.assertEqual(len(errors), 1, errors)
                self.assertIn("subject_posts", errors[0])
                self.assertIn(kind, errors[0])

    def test_a_roster_or_deadline_of_a_unit_may_name_no_posts(self) -> None:
        for kind, params in (
            ("ROSTER", {"slot": "township_duty", "days": "workday", "per": "township"}),
            ("DEADLINE", {"start_event": "a", "end_event": "b", "amount": 5, "unit": "days"}),
        ):
            with self.subTest(kind=kind):
                raw = {"rule_id": "XX-1", "kind": kind, "title": "t", "period": "item",
                       "params": params}  # fmt: skip
                self.assertEqual(_definition("hefei", 1, raw)[1], [])

    def test_load_rules_reports_a_rule_naming_no_posts_and_writes_nothing(self) -> None:
        import json
        import shutil
        import tempfile
        from pathlib import Path
        from unittest import mock

        from rules import packs

        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        for name in packs.available_packs():
            shutil.copy(packs.PACKS_DIR / f"{name}.json", folder)
        data = json.loads((folder / "hefei.json").read_text(encoding="utf-8"))
        data["rules"][0]["subject_posts"] = []  # HF-R1a, as the pack once had it
        (folder / "hefei.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        with (
            mock.patch.object(packs, "PACKS_DIR", folder),
            self.assertRaisesMessage(CommandError, "hefei HF-R1a"),
        ):
            run("taoyuan", "hefei")
        self.assertFalse(Rule.objects.exists())

    def test_an_unknown_pack_aborts_before_anything_is_written(self) -> None:
        with self.assertRaises(PackError):
            load_packs(["hefei", "nowhere"])
        self.assertFalse(Rule.objects.exists())
