"""The list pages' cheap rendering gives the markup Django's own templates give: the filter
forms written out in Python (directory.fields.FastFormRenderer) and a choice field's label
read from labels built once (SoftDeleteModel.get_FOO_display)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import TestCase
from django.utils import translation

from directory.fields import FAST_RENDERER, use_fast_selects
from directory.forms import HouseholdFilterForm
from directory.models import Household, HouseholdCategory, OrgUnit
from petitions.appeals.forms import AppealFilterForm
from petitions.matters.forms import PetitionFilterForm
from petitions.matters.models import Channel, Petition, PetitionStatus
from rules.views_reminders import BoardFilterForm
from tests.helpers import build_county
from visits.forms import VisitFilterForm
from visits.models import Visit, VisitKind


class _EveryWidget(forms.Form):
    required_css_class = "required"
    error_css_class = "error"
    name = forms.CharField(label="Name <b>", help_text="A <i>name</i>", max_length=10)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(required=False)
    flag = forms.BooleanField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    pick = forms.ChoiceField(required=False, choices=[("", "—"), ("a", "A & B")])
    many = forms.MultipleChoiceField(
        required=False, choices=[("x", "X")], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_fast_selects(self)


class FastFormRenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def assertSameMarkup(self, form: forms.Form) -> None:  # noqa: N802
        self.assertIs(form.renderer, FAST_RENDERER)
        fast = str(form.as_div())
        form.renderer = DjangoTemplates()
        form._errors = None  # error lists are built with the form's renderer
        self.assertHTMLEqual(fast, str(form.as_div()))

    def test_filter_forms_render_as_django_renders_them(self) -> None:
        user = self.c.petition_clerk
        units = OrgUnit.objects.visible_to(user)
        for data in (None, {"q": "x<y", "received_from": "2025-01-02", "state": "open"}):
            with self.subTest(data=data):
                self.assertSameMarkup(PetitionFilterForm(data, user=user))
                self.assertSameMarkup(AppealFilterForm(data))
                self.assertSameMarkup(VisitFilterForm(data))
                self.assertSameMarkup(HouseholdFilterForm(data, units=units))
                self.assertSameMarkup(BoardFilterForm(data, user=user))

    def test_an_unbound_filter_form_kept_per_language_is_the_markup_django_renders(
        self,
    ) -> None:
        user = self.c.petition_clerk
        for language in ("zh-hans", "en"):
            with translation.override(language), self.subTest(language=language):
                for make in (lambda d: PetitionFilterForm(d, user=user), VisitFilterForm):
                    kept = str(make(None).as_div())
                    self.assertEqual(str(make(None).as_div()), kept)
                    form = make(None)
                    form.renderer = DjangoTemplates()
                    self.assertHTMLEqual(kept, str(form.as_div()))
                    bound = str(make({"q": "张三"}).as_div())
                    self.assertIn('value="张三"', bound)
                    self.assertNotIn("张三", str(make(None).as_div()))

    def test_fields_with_errors_help_and_hidden_inputs_render_as_django_renders_them(
        self,
    ) -> None:
        for data in (
            None,
            {},
            {"name": "a" * 11, "day": "never", "count": "x", "flag": "on", "hidden": '"q"'},
            {"name": "ok", "pick": "a", "many": ["x"], "hidden": "h"},
        ):
            with self.subTest(data=data):
                form = _EveryWidget(data)
                form.is_valid() if data is not None else None
                self.assertSameMarkup(form)

    def test_a_bad_unit_in_a_filter_shows_its_error_as_django_shows_it(self) -> None:
        form = HouseholdFilterForm(
            {"village": "nowhere"}, units=OrgUnit.objects.visible_to(self.c.petition_clerk)
        )
        self.assertFalse(form.is_valid())
        self.assertSameMarkup(form)


class ChoiceLabelTests(TestCase):
    def test_a_choice_label_is_the_one_django_gives_in_each_language(self) -> None:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for status in PetitionStatus:
                    petition = Petition(status=status, channel=Channel.VISIT)
                    self.assertEqual(petition.get_status_display(), str(status.label))
                for kind in VisitKind:
                    self.assertEqual(Visit(kind=kind).get_kind_display(), str(kind.label))

    def test_a_value_outside_the_choices_is_shown_as_it_is(self) -> None:
        self.assertEqual(Petition(status="lost").get_status_display(), "lost")
        self.assertEqual(Household(categories="monitored").categories, "monitored")
        self.assertIn(HouseholdCategory.MONITORED.value, HouseholdCategory.values)


class ListingCellTests(TestCase):
    def test_row_links_are_the_reversed_urls(self) -> None:
        from django.urls import reverse

        from directory.listing import pk_urls

        for name in ("petition-detail", "appeal-detail", "visit-detail", "household-detail"):
            url = pk_urls(name)
            for pk in (1, 42, 8080808080, 123456789012):
                self.assertEqual(url(pk), reverse(name, args=[pk]))

    def test_dates_and_cut_texts_are_what_the_template_filters_gave(self) -> None:
        import datetime as dt

        from django.template import Context, Template
        from django.utils import timezone

        from directory.listing import date_text, truncated

        template = Template('{{ day|date:"DATE_FORMAT" }}|{{ text|truncatechars:5 }}')
        moment = timezone.make_aware(dt.datetime(2025, 12, 31, 23, 30), dt.UTC)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for day in (dt.date(2026, 1, 2), moment):
                    for text in ("短", "五个字正好", "这一句话超过了五个字", "e\u0301te\u0301"):
                        expected = template.render(Context({"day": day, "text": text}))
                        self.assertEqual(f"{date_text(day)}|{truncated(text, 5)}", expected)


class CompiledPageQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_a_query_compiled_once_gives_each_page_the_rows_its_queryset_gives(self) -> None:
        from directory.listing import values_for_ids

        def names(ids: list[int]) -> Any:
            units = OrgUnit.objects.filter(pk__in=ids, deleted_at__isnull=True)
            return units.order_by("path").values_list("pk", "name", "path")

        ids = list(OrgUnit.objects.order_by("-pk").values_list("pk", flat=True))
        pages = [ids[:3], ids[3:6], ids[6:8], [ids[0], ids[0], ids[-1]], ids[-2:]]
        for page in pages:
            with self.assertNumQueries(1):
                rows = values_for_ids("test unit names", names, page)
            self.assertEqual(rows, [tuple(row) for row in names(page)])
        with self.assertNumQueries(0):
            self.assertEqual(values_for_ids("test unit names", names, []), [])
