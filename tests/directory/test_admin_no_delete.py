"""The admin offers no hard delete: every registered ModelAdmin — the product's, auth's groups,
django-q's schedules and task results — is enumerated and refuses deletion, one by one and as
the "delete selected" action."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django_q.models import Schedule

from assistance.models import Festival
from directory.services import account_create
from proposals.models import LiaisonOffice
from tests.helpers import build_county


class NoDeleteInTheAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.root = account_create(
            username="root", password="root-pass-123", unit=None, roles=[], is_superuser=True
        )
        call_command("setup_schedules", stdout=StringIO())
        Group.objects.create(name="值班员")
        Festival.objects.create(name="端午节", date=dt.date(2026, 6, 19))
        LiaisonOffice.objects.create(unit=cls.c.county, body="congress")

    def request(self):
        request = RequestFactory().get("/django-admin/")
        request.user = self.root
        return request

    def test_the_models_of_the_finding_are_registered_and_covered(self) -> None:
        for model in (Schedule, Group, Festival, LiaisonOffice):
            self.assertIn(model, admin.site._registry)

    def test_no_registered_model_admin_offers_delete(self) -> None:
        self.assertGreater(len(admin.site._registry), 10)
        for model, model_admin in admin.site._registry.items():
            with self.subTest(model=model._meta.label):
                request = self.request()
                self.assertFalse(model_admin.has_delete_permission(request))
                self.assertNotIn("delete_selected", model_admin.get_actions(request))
                for inline in model_admin.get_inline_instances(request):
                    self.assertFalse(inline.has_delete_permission(request))

    def test_the_delete_page_of_every_model_with_a_row_is_refused(self) -> None:
        self.client.force_login(self.root)
        tried = 0
        for model in admin.site._registry:
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                continue
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
            with self.subTest(model=opts.label):
                self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
                self.assertTrue(model._default_manager.filter(pk=obj.pk).exists())
                tried += 1
        self.assertGreaterEqual(tried, 8)

    def test_the_deadline_scan_schedule_survives_a_bulk_delete(self) -> None:
        self.client.force_login(self.root)
        schedules = list(Schedule.objects.values_list("pk", flat=True))
        response = self.client.post(
            reverse("admin:django_q_schedule_changelist"),
            {"action": "delete_selected", "_selected_action": schedules, "post": "yes"},
        )
        self.assertLess(response.status_code, 500)
        self.assertEqual(Schedule.objects.count(), len(schedules))
        self.assertTrue(Schedule.objects.filter(name="deadline-scan").exists())
