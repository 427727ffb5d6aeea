from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from rules.clocks import clock_start
from rules.forms_rules import initial_value
from rules.kinds import BOOL, specs_for
from rules.models import Rule
from rules.packs import load_packs
from tests.helpers import build_county

ALL_PACKS = ["taoyuan", "hefei", "tianjin", "dongan", "cuiping", "national"]


def form_data(rule: Rule, **changes: object) -> dict[str, object]:
    """What the edit form posts when its initial values are submitted, with `changes`."""
    data: dict[str, object] = {}
    for spec in specs_for(rule.kind):
        value = initial_value(spec, rule.params.get(spec.name))
        if spec.type == BOOL:
            if value:
                data[spec.name] = "on"
        else:
            data[spec.name] = "" if value is None else value
    if rule.active:
        data["active"] = "on"
    data["short_title"] = rule.short_title
    data["change_reason"] = "annual review"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class RulePagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        load_packs(ALL_PACKS)

    def rule(self, rule_id: str) -> Rule:
        return Rule.objects.get(rule_id=rule_id)

    # -- who may see what ------------------------------------------------------------------

    def test_anonymous_visitor_is_sent_to_login_from_every_rules_page(self) -> None:
        for url in (
            reverse("rule-list"),
            reverse("rule-detail", args=["HF-R2a"]),
            reverse("rule-edit", args=["HF-R2a"]),
        ):
            response = self.client.get(url)
            self.assertRedirects(response, f"{reverse('login')}?next={url}", msg_prefix=url)

    def test_any_signed_in_user_reads_the_list_and_a_rule(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(reverse("rule-list")).status_code, 200)
        response = self.client.get(reverse("rule-detail", args=["HF-R2a"]))
        self.assertContains(response, "县（市）区党政领导班子成员每年至少接待群众来访12次。")
        self.assertContains(response, "001 §3")
        self.assertNotContains(response, reverse("rule-edit", args=["HF-R2a"]))

    def test_an_unknown_rule_gets_404(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(self.client.get(reverse("rule-detail", args=["XX-9"])).status_code, 404)

    def test_non_admin_gets_403_on_edit_and_changes_nothing(self) -> None:
        self.client.force_login(self.c.supervisor)
        url = reverse("rule-edit", args=["HF-R2a"])
        self.assertEqual(self.client.get(url).status_code, 403)
        rule = self.rule("HF-R2a")
        response = self.client.post(url, form_data(rule, count=1))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.rule("HF-R2a").params["count"], 12)

    def test_superuser_may_edit(self) -> None:
        self.c.supervisor.is_superuser = True
        self.c.supervisor.save()
        self.client.force_login(self.c.supervisor)
        self.assertEqual(self.client.get(reverse("rule-edit", args=["HF-R2a"])).status_code, 200)

    # -- the list ------------------------------------------------------------------------

    def test_list_shows_every_pack_with_its_rules(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("rule-list"))
        for rule_id in ("TY-R1", "HF-V4", "TJ-V1", "DA-R5", "CP-A4", "NAT-CONCLUDE"):
            self.assertContains(response, f">{rule_id}</a>")
        self.assertContains(response, "000 §11")

    def test_list_filters_by_pack_and_kind(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("rule-list"), {"pack": "hefei", "kind": "AMOUNT"})
        for rule_id in ("HF-V1a", "HF-V2a", "HF-V4"):
            self.assertContains(response, f">{rule_id}</a>")
        self.assertNotContains(response, ">HF-R2a</a>")
        self.assertNotContains(response, ">CP-A4</a>")

    def test_list_query_count_does_not_grow_with_the_rules(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        # session, user, the user's unit (page header) and the rules: 4 queries whether
        # 86 rules are shown or 3.
        with self.assertNumQueries(4):
            self.client.get(reverse("rule-list"))
        with self.assertNumQueries(4):
            self.client.get(reverse("rule-list"), {"pack": "hefei", "kind": "AMOUNT"})

    # -- editing -------------------------------------------------------------------------

    def test_edit_form_shows_the_current_values(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.get(reverse("rule-edit", args=["CP-A4"]))
        self.assertContains(response, "county_level: 800")

    def test_admin_edit_is_saved_with_its_reason_and_author_in_history(self) -> None:
        self.client.force_login(self.c.admin)
        rule = self.rule("HF-R2a")
        response = self.client.post(
            reverse("rule-edit", args=["HF-R2a"]),
            form_data(rule, count=15, change_reason="county sets a higher bar"),
        )
        self.assertRedirects(response, reverse("rule-detail", args=["HF-R2a"]))
        rule = self.rule("HF-R2a")
        self.assertEqual(rule.params["count"], 15)
        self.assertEqual(rule.pack_params["count"], 12)
        record = rule.history.first()
        self.assertEqual(record.history_change_reason, "county sets a higher bar")
        self.assertEqual(record.history_user, self.c.admin)

    def test_detail_shows_what_changed_who_and_why(self) -> None:
        self.client.force_login(self.c.admin)
        rule = self.rule("HF-R2a")
        self.client.post(
            reverse("rule-edit", args=["HF-R2a"]),
            form_data(rule, count=15, change_reason="county sets a higher bar"),
        )
        response = self.client.get(reverse("rule-detail", args=["HF-R2a"]))
        self.assertContains(response, "county sets a higher bar")
        self.assertContains(response, "&quot;count&quot;: 12")
        self.assertContains(response, "&quot;count&quot;: 15")
        self.assertContains(response, "load_rules hefei")

    def test_admin_deactivates_a_rule(self) -> None:
        self.client.force_login(self.c.admin)
        rule = self.rule("TY-R2")
        data = form_data(rule)
        del data["active"]
        self.client.post(reverse("rule-edit", args=["TY-R2"]), data)
        self.assertFalse(self.rule("TY-R2").active)

    def test_invalid_value_shows_an_inline_error_and_changes_nothing(self) -> None:
        self.client.force_login(self.c.admin)
        rule = self.rule("CP-A4")
        before = rule.history.count()
        response = self.client.post(
            reverse("rule-edit", args=["CP-A4"]),
            form_data(rule, by_rank="county_level: 800\ngeneral: 900"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "general")
        self.assertContains(response, "errorlist")
        self.assertEqual(self.rule("CP-A4").params["by_rank"]["county_level"], 800)
        self.assertEqual(self.rule("CP-A4").history.count(), before)

    def test_a_change_needs_a_reason(self) -> None:
        self.client.force_login(self.c.admin)
        rule = self.rule("HF-R2a")
        response = self.client.post(
            reverse("rule-edit", args=["HF-R2a"]), form_data(rule, count=15, change_reason="")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.rule("HF-R2a").params["count"], 12)

    def test_submitting_the_form_unchanged_keeps_every_kind_unedited(self) -> None:
        self.client.force_login(self.c.admin)
        for rule_id in ("TY-R2", "TY-V2", "HF-V3", "HF-V4", "HF-V6", "TJ-V1", "TY-P2", "CP-A4"):
            rule = self.rule(rule_id)
            self.client.post(reverse("rule-edit", args=[rule_id]), form_data(rule))
            self.assertFalse(self.rule(rule_id).is_edited, rule_id)
            self.assertEqual(self.rule(rule_id).history.count(), 1, rule_id)

    def test_a_deadline_change_recomputes_its_open_clocks(self) -> None:
        rule = self.rule("TY-O2")
        # Received Monday 2025-03-03: 5 working days → Monday 2025-03-10.
        clock = clock_start(
            rule=rule, item=self.c.household_taoyuan, step="reply", start=dt.date(2025, 3, 3)
        )
        self.assertEqual(clock.due, dt.date(2025, 3, 10))
        self.client.force_login(self.c.admin)
        response = self.client.post(reverse("rule-edit", args=["TY-O2"]), form_data(rule, amount=3))
        self.assertRedirects(response, reverse("rule-detail", args=["TY-O2"]))
        clock.refresh_from_db()
        self.assertEqual(clock.due, dt.date(2025, 3, 6))
