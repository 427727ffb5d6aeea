"""The unit or person complained about never sees the petition: 404 on every URL of it, absent
from lists, search, counts and exports; routing to that unit is refused; full ID numbers and
phones are shown only on request, and each showing is logged."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.models import Role
from petitions.matters.services import attachment_add, petition_route
from petitions.models import Petition, PetitionerAccess
from tests.helpers import build_county, make_person, make_user

from .helpers import load_rule_packs, make_id_number, make_petition

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ID_NUMBER = make_id_number("19750315", serial=777)


class ConfidentialityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rule_packs()
        cls.c = build_county()
        c = cls.c
        # A petition about the township of 青山乡, handled by the county education bureau.
        cls.about_qingshan = make_petition(
            c,
            received_on=D(2025, 9, 1),
            subject_unit=c.qingshan,
            township=c.qingshan,
            lead_unit=c.education,
            id_number=ID_NUMBER,
            phone="13912345678",
            summary="反映乡政府",
        )
        cls.attachment = attachment_add(
            petition=cls.about_qingshan,
            upload=SimpleUploadedFile("letter.png", PNG, content_type="image/png"),
            acting_user=c.petition_clerk,
        )
        # A villager-group cadre of 桃园村 sits under 青山乡: the township's subtree.
        cls.village_staff = make_user("taoyuan", c.taoyuan, Role.UNIT_STAFF)
        # Another petition in 青山乡 that is not about the township: the township sees it.
        cls.other = make_petition(
            c,
            received_on=D(2025, 9, 2),
            township=c.qingshan,
            lead_unit=c.qingshan,
            summary="道路维修",
        )

    def urls(self, petition: Petition) -> list[str]:
        return [
            reverse("petition-detail", args=[petition.pk]),
            reverse("petition-history", args=[petition.pk]),
            reverse("petition-attachment", args=[petition.pk, self.attachment.pk]),
            reverse("petition-step", args=[petition.pk, "accept"]),
        ]

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for url in [
            *self.urls(self.about_qingshan),
            reverse("petition-list"),
            reverse("petition-export"),
        ]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn(reverse("login"), response["Location"])

    def test_complained_about_unit_gets_404_on_detail_history_attachment_and_steps(self) -> None:
        for user in (self.c.qingshan_staff, self.village_staff):
            self.client.force_login(user)
            for url in self.urls(self.about_qingshan):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))

    def test_handling_unit_sees_the_petition_and_its_attachment(self) -> None:
        self.client.force_login(self.c.education_staff)
        for url in self.urls(self.about_qingshan)[:3]:
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_complained_about_unit_does_not_find_it_in_the_list_search_or_export(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        listing = self.client.get(reverse("petition-list"))
        self.assertContains(listing, self.other.ref)
        self.assertNotContains(listing, self.about_qingshan.ref)
        search = self.client.get(reverse("petition-list"), {"q": "反映乡政府"})
        self.assertNotContains(search, self.about_qingshan.ref)
        by_id = self.client.get(reverse("petition-list"), {"q": ID_NUMBER})
        self.assertNotContains(by_id, self.about_qingshan.ref)
        export = self.client.get(reverse("petition-export"))
        refs = [row[0] for row in self._rows(export.content)]
        self.assertIn(self.other.ref, refs)
        self.assertNotIn(self.about_qingshan.ref, refs)

    def test_counts_leave_it_out(self) -> None:
        self.assertEqual(Petition.objects.visible_to(self.c.qingshan_staff).count(), 1)
        self.assertEqual(Petition.objects.visible_to(self.c.petition_clerk).count(), 2)

    def test_person_complained_about_never_sees_it_even_as_a_leader(self) -> None:
        c = self.c
        petition = make_petition(
            c,
            received_on=D(2025, 9, 3),
            township=c.qingshan,
            subject_person=c.county_leader,
            lead_unit=c.education,
        )
        self.assertIsNone(petition.subject_unit)  # a county leader: only the person is kept out
        self.client.force_login(c.leader)
        self.assertEqual(
            self.client.get(reverse("petition-detail", args=[petition.pk])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("petition-list")), petition.ref)

    def test_routing_to_the_unit_complained_about_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "青山乡"):
            petition_route(
                petition=self.about_qingshan,
                lead_unit=None,
                co_units=[self.c.qingshan],
                on=D(2025, 9, 2),
                acting_user=self.c.petition_clerk,
            )
        with self.assertRaises(ValidationError):
            make_petition(
                self.c,
                received_on=D(2025, 9, 4),
                subject_unit=self.c.chengguan,
                lead_unit=self.c.chengguan,
            )
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(
            reverse("petition-step", args=[self.about_qingshan.pk, "route"]),
            {"on": "2025-09-02", "co_units": [self.c.qingshan.pk]},
        )
        self.assertContains(response, "信访工作条例第30条")

    def test_lists_and_exports_mask_id_numbers_and_phones(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        listing = self.client.get(reverse("petition-list"))
        self.assertContains(listing, "139****5678")
        self.assertNotContains(listing, "13912345678")
        rows = self._rows(self.client.get(reverse("petition-export")).content)
        row = next(r for r in rows if r[0] == self.about_qingshan.ref)
        self.assertEqual(row[4], ID_NUMBER[:6] + "********" + ID_NUMBER[-4:])
        self.assertEqual(row[5], "139****5678")
        detail = self.client.get(reverse("petition-detail", args=[self.about_qingshan.pk]))
        self.assertNotContains(detail, ID_NUMBER)

    def test_showing_a_full_id_number_writes_an_access_log_row(self) -> None:
        petitioner = self.about_qingshan.petitioners.get()
        url = reverse("petition-reveal", args=[self.about_qingshan.pk, petitioner.pk, "id_number"])
        self.client.force_login(self.c.petition_clerk)
        self.assertEqual(self.client.get(url).status_code, 404)  # never by a plain GET
        response = self.client.post(url, HTTP_HX_REQUEST="true")
        self.assertContains(response, ID_NUMBER)
        log = PetitionerAccess.objects.get()
        self.assertEqual(
            (log.user, log.petitioner, log.field), (self.c.petition_clerk, petitioner, "id_number")
        )

    def test_staff_outside_the_lead_unit_may_not_reveal(self) -> None:
        petitioner = self.other.petitioners.get()
        url = reverse("petition-reveal", args=[self.other.pk, petitioner.pk, "phone"])
        self.client.force_login(self.c.education_staff)  # not routed this one: 404, not 403
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertFalse(PetitionerAccess.objects.exists())

    @staticmethod
    def _rows(content: bytes) -> list[tuple]:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return list(sheet.iter_rows(min_row=2, values_only=True))


class AttachmentCheckTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.petition = make_petition(cls.c)

    def test_a_renamed_web_page_is_refused(self) -> None:
        upload = SimpleUploadedFile(
            "photo.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg"
        )
        with self.assertRaisesMessage(ValidationError, "photo.jpg"):
            attachment_add(petition=self.petition, upload=upload, acting_user=self.c.petition_clerk)

    def test_other_types_are_refused(self) -> None:
        upload = SimpleUploadedFile(
            "run.exe", b"MZ\x90\x00", content_type="application/octet-stream"
        )
        with self.assertRaises(ValidationError):
            attachment_add(petition=self.petition, upload=upload, acting_user=self.c.petition_clerk)

    @override_settings(PETITION_ATTACHMENT_MAX_BYTES=32)
    def test_oversize_files_are_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "超过上限"):
            attachment_add(
                petition=self.petition,
                upload=SimpleUploadedFile("a.png", PNG),
                acting_user=self.c.petition_clerk,
            )


class LeaderScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()
        cls.linked = make_petition(cls.c, township=cls.c.qingshan)

    def test_naming_a_township_cadre_keeps_the_whole_township_out(self) -> None:
        petition = make_petition(
            self.c,
            township=self.c.qingshan,
            subject_person=self.c.qingshan_secretary,
            received_on=D(2025, 9, 26),
        )
        self.assertEqual(petition.subject_unit, self.c.qingshan)
        self.assertFalse(
            Petition.objects.visible_to(self.c.qingshan_staff).filter(pk=petition.pk).exists()
        )

    def test_a_township_leader_of_another_township_gets_404(self) -> None:
        head = make_person("钱镇长", self.c.chengguan, "township_head", code="P-QZZ")
        user = make_user("qzz", self.c.chengguan, Role.LEADER, person=head)
        self.client.force_login(user)
        self.assertEqual(
            self.client.get(reverse("petition-detail", args=[self.linked.pk])).status_code, 404
        )
