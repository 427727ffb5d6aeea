"""The reason for not accepting a petition is asked only when the decision is "not accepted"."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from petitions.matters.forms import AcceptForm


class AcceptReasonTests(SimpleTestCase):
    def test_the_decision_is_a_choice_ticked_accepted_and_the_reason_is_marked(self) -> None:
        html = str(AcceptForm(petition=None, user=None).as_div())
        self.assertIn('type="radio" name="accepted" value="1"', html)
        self.assertRegex(html, r'value="1"[^>]*checked')
        self.assertIn('data-shown-when="refused"', html)

    def test_the_style_sheet_hides_the_reason_while_accepted_is_ticked(self) -> None:
        css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
        self.assertIn(
            'form:has(input[name="accepted"][value="1"]:checked) '
            'div:has(> [data-shown-when="refused"])',
            css,
        )
