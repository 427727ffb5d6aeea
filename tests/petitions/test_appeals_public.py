"""The public appeal pages (no login): submit, receipt, look-up with code and key, feedback —
and the abuse checks: every bad submission is refused with a message and stores nothing.

Messages are asserted in English (the language cookie), error codes on the form."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
import unittest
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import translation

from petitions import throttle
from petitions.appeals import services as s
from petitions.appeals.forms import form_token
from petitions.models import Appeal, AppealAttachment, AppealStatus, AppealStep
from rules.calendar_seed import seed_from_package
from rules.models import CalendarDay, CalendarYear, Clock
from tests.helpers import build_county

from .appeal_helpers import TEXT, category, make_appeal, make_public_appeal, setup_appeals

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MEDIA = tempfile.mkdtemp(prefix="minqing-appeals-media-")
NEW = "/public/petitions/appeals/new/"


def png(name: str = "photo.png", size: int = 0) -> SimpleUploadedFile:
    body = PNG + b"\x00" * max(0, size - len(PNG))
    return SimpleUploadedFile(name, body, content_type="image/png")


class PublicTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        setup_appeals()
        cls.c = build_county()

    def setUp(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # the middleware activates English in this thread: give later tests the default back
        self.addCleanup(translation.deactivate)

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def payload(self, **overrides) -> dict:
        return appeal_payload(self.c, **overrides)


def appeal_payload(county, **overrides) -> dict:
    """What the public form posts, with a fresh form token."""
    data = {
        "category": category("construction").pk,
        "township": county.qingshan.pk,
        "text": TEXT,
        "contact_name": "刘群众",
        "contact_phone": "13812345678",
        "website": "",
        "form_token": form_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@override_settings(MEDIA_ROOT=MEDIA, APPEAL_MIN_FILL_SECONDS=0)
class SubmitTests(PublicTestCase):
    def test_the_form_opens_without_login_and_carries_a_hidden_honeypot(self) -> None:
        response = self.client.get(NEW)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="website"')
        self.assertContains(response, 'class="hp"')
        self.assertContains(response, 'name="form_token"')

    def test_a_citizen_gets_a_receipt_code_and_a_key_shown_once(self) -> None:
        response = self.client.post(NEW, self.payload(attachments=png()))
        self.assertRedirects(
            response, reverse("public-appeal-receipt"), fetch_redirect_response=False
        )
        appeal = Appeal.objects.get()
        receipt = self.client.get(reverse("public-appeal-receipt"))
        key = receipt.context["receipt"]["key"]
        self.assertContains(receipt, appeal.ref)
        self.assertContains(receipt, key)
        # only a hash is stored; the key never appears in a column
        self.assertNotIn(s.normalise_key(key), str(list(Appeal.objects.values_list())))
        self.assertTrue(appeal.key_matches(s.normalise_key(key)))
        self.assertRedirects(
            self.client.get(reverse("public-appeal-receipt")), reverse("public-appeal-lookup")
        )
        self.assertEqual(appeal.source, "online")
        self.assertEqual(appeal.receiving_unit, self.c.county)
        self.assertEqual(appeal.attachments.get().content_type, "image/png")
        self.assertEqual(Clock.objects.for_item(appeal).get().rule.rule_id, "TY-O2")

    def test_ten_bad_submissions_are_refused_with_clear_messages_and_store_nothing(self) -> None:
        cases = [
            ("empty", {"category": "", "township": "", "text": ""}, "text", "required",
             "This field is required."),
            ("too short", {"text": "救命"}, "text", "min_length", "at least 10 characters"),
            ("oversize text", {"text": "路" * 2001}, "text", "max_length", "at most 2000"),
            ("script tag", {"text": TEXT + "<script>alert(1)</script>"}, "text", "markup",
             "HTML tags and scripts are not accepted"),
            ("full-width tag", {"text": TEXT + "＜ｉｍｇ ｓｒｃ＝x＞"}, "text", "markup",
             "HTML tags and scripts are not accepted"),
            ("html in the name", {"contact_name": "<b>张三</b>"}, "contact_name", "markup",
             "HTML tags and scripts are not accepted"),
            ("oversize file", {"attachments": png(size=6 * 1024 * 1024)}, "attachments",
             "file_too_large", "the limit is 5.0"),
            ("disguised program", {"attachments": SimpleUploadedFile("a.png", b"MZ\x90\x00" * 20)},
             "attachments", None, "is not really a .png file"),
            ("too many files", {"attachments": [png(f"{n}.png") for n in range(4)]},
             "attachments", "too_many_files", "Attach at most 3 files."),
            ("honeypot", {"website": "http://spam.example"}, "__all__", "honeypot",
             "fill in only the visible fields"),
            ("no form token", {"form_token": ""}, "__all__", "expired", "The form had expired"),
            ("bad phone", {"contact_phone": "12345"}, "contact_phone", None, "phone"),
            ("many links", {"text": TEXT + " http://a.cn http://b.cn http://c.cn"}, "text",
             "links", "Too many web links"),
        ]  # fmt: skip
        files_before = set(Path(MEDIA).rglob("*"))
        for name, overrides, field, code, message in cases:
            with self.subTest(name):
                response = self.client.post(NEW, self.payload(**overrides))
                self.assertEqual(response.status_code, 400)
                errors = response.context["form"].errors.as_data()
                self.assertIn(field, errors)
                if code:
                    self.assertIn(code, [e.code for e in errors[field]])
                self.assertContains(response, message, status_code=400)
        # a flood from one address: its earlier appeals used up the window
        for _n in range(throttle.submissions_limit().count):
            throttle.hit(throttle.submissions_limit(), "127.0.0.1")
        response = self.client.post(NEW, self.payload())
        self.assertEqual(response.status_code, 429)
        self.assertContains(
            response, "Too many appeals have been sent from your network", status_code=429
        )
        self.assertEqual(Appeal.all_objects.count(), 0)
        self.assertEqual(AppealAttachment.objects.count(), 0)
        self.assertEqual(AppealStep.objects.count(), 0)
        self.assertEqual(Clock.objects.count(), 0)
        self.assertEqual(set(Path(MEDIA).rglob("*")), files_before)  # no file written

    @override_settings(APPEAL_MIN_FILL_SECONDS=3)
    def test_a_form_sent_within_seconds_of_opening_is_refused(self) -> None:
        response = self.client.post(NEW, self.payload())
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "too quickly", status_code=400)
        self.assertFalse(Appeal.objects.exists())

    @override_settings(APPEAL_SUBMISSIONS_PER_WINDOW=2)
    def test_an_address_may_send_a_few_appeals_then_must_wait(self) -> None:
        for _n in range(2):
            self.assertEqual(self.client.post(NEW, self.payload()).status_code, 302)
        response = self.client.post(NEW, self.payload())
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "try again in 60 minutes", status_code=429)
        self.assertEqual(Appeal.objects.count(), 2)
        other = self.client.post(NEW, self.payload(), REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 302)  # another address is not held up

    @override_settings(APPEAL_ATTEMPTS_PER_WINDOW=5)
    def test_a_script_probing_the_form_is_held_off_even_with_bad_posts(self) -> None:
        for _n in range(5):
            self.assertEqual(self.client.post(NEW, {"text": ""}).status_code, 400)
        self.assertEqual(self.client.post(NEW, self.payload()).status_code, 429)
        self.assertFalse(Appeal.objects.exists())

    def test_a_form_is_accepted_once_and_a_replay_is_refused(self) -> None:
        payload = self.payload()
        self.assertEqual(self.client.post(NEW, payload).status_code, 302)
        replay = self.client.post(NEW, payload)
        self.assertContains(replay, "This form has already been sent", status_code=400)
        self.assertEqual(Appeal.objects.count(), 1)
        # a form opened again carries a new token and is accepted
        self.assertEqual(self.client.post(NEW, self.payload()).status_code, 302)

    @override_settings(APPEAL_SUBMISSIONS_PER_WINDOW=2)
    def test_the_limits_are_counted_where_every_process_reads_them(self) -> None:
        from django.core.cache import cache

        from directory.models import RateCounter

        for _n in range(2):
            self.assertEqual(self.client.post(NEW, self.payload()).status_code, 302)
        cache.clear()  # another process, or this one restarted: nothing in memory
        self.assertEqual(self.client.post(NEW, self.payload()).status_code, 429)
        self.assertEqual(RateCounter.objects.get(key="appeal-submit:127.0.0.1").count, 2)
        self.assertEqual(Appeal.objects.count(), 2)

    @override_settings(APPEAL_SUBMISSIONS_PER_WINDOW=1)
    def test_a_refused_submission_uses_up_nothing(self) -> None:
        self.assertEqual(self.client.post(NEW, self.payload(text="短")).status_code, 400)
        self.assertEqual(throttle.used(throttle.submissions_limit(), "127.0.0.1"), 0)
        self.assertEqual(self.client.post(NEW, self.payload()).status_code, 302)


@unittest.skipUnless(
    connection.vendor == "postgresql", "requests racing in parallel need PostgreSQL's row locks"
)
@override_settings(
    MEDIA_ROOT=MEDIA,
    APPEAL_MIN_FILL_SECONDS=0,
    APPEAL_SUBMISSIONS_PER_WINDOW=5,
    APPEAL_ATTEMPTS_PER_WINDOW=100,
)
class RacingSubmissionsTests(TransactionTestCase):
    def setUp(self) -> None:
        seed_from_package(CalendarYear, CalendarDay)  # the flush removed the migration's rows
        setup_appeals()
        self.c = build_county()

    def test_a_limit_of_five_lets_exactly_five_through_when_eight_race(self) -> None:
        payloads = [appeal_payload(self.c) for _n in range(8)]
        barrier = threading.Barrier(len(payloads))
        codes: list[int] = []
        errors: list[BaseException] = []

        def post(payload: dict) -> None:
            try:
                client = Client()
                barrier.wait()
                codes.append(client.post(NEW, payload).status_code)
            except BaseException as exc:  # noqa: BLE001  (reported to the test thread)
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(p,)) for p in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(codes), [302] * 5 + [429] * 3)
        self.assertEqual(Appeal.objects.count(), 5)


@override_settings(MEDIA_ROOT=MEDIA)
class LookupTests(PublicTestCase):
    LOOKUP = "/public/petitions/appeals/lookup/"
    STATUS = "/public/petitions/appeals/status/"

    def reply(self, appeal: Appeal) -> None:
        s.appeal_assign(
            appeal=appeal,
            unit=self.c.qingshan,
            on=dt.date(2025, 9, 26),
            acting_user=self.c.petition_clerk,
            instruction="请青山乡核实处理",
        )
        s.appeal_reply(
            appeal=appeal,
            text="路灯已于9月29日修复。",
            on=dt.date(2025, 9, 29),
            acting_user=self.c.qingshan_staff,
        )

    @override_settings(FROZEN_TODAY="2025-09-30")
    def test_code_and_key_show_the_reply_and_unsatisfied_reopens_it(self) -> None:
        appeal, key = make_public_appeal(self.c)
        self.reply(appeal)
        response = self.client.post(self.LOOKUP, {"ref": appeal.ref.lower(), "key": key.lower()})
        self.assertRedirects(response, self.STATUS)
        status = self.client.get(self.STATUS)
        self.assertContains(status, "路灯已于9月29日修复。")
        self.assertContains(status, 'name="rating"')
        self.assertNotContains(status, "请青山乡核实处理")  # the internal instruction is not shown

        response = self.client.post(
            "/public/petitions/appeals/feedback/", {"rating": "不满意", "note": "晚上还是不亮"}
        )
        self.assertRedirects(response, self.STATUS)
        appeal.refresh_from_db()
        self.assertEqual((appeal.status, appeal.round), (AppealStatus.REOPENED, 2))
        status = self.client.get(self.STATUS)
        self.assertContains(status, "reopened")
        self.assertNotContains(status, 'name="rating"')

    def test_a_wrong_key_or_code_finds_nothing_and_guessing_is_held_off(self) -> None:
        appeal, key = make_public_appeal(self.c)
        for ref, guess in ((appeal.ref, "AAAA-BBBB-CCCC"), ("WS-20250926-XXXX", key)):
            response = self.client.post(self.LOOKUP, {"ref": ref, "key": guess})
            self.assertContains(response, "No appeal matches", status_code=404)
        self.assertRedirects(self.client.get(self.STATUS), self.LOOKUP)
        for _n in range(throttle.lookups_limit().count - 2):
            self.client.post(self.LOOKUP, {"ref": appeal.ref, "key": "AAAA-BBBB-CCCC"})
        response = self.client.post(self.LOOKUP, {"ref": appeal.ref, "key": key})
        self.assertContains(response, "Too many failed look-ups", status_code=429)

    def test_an_item_taken_in_by_staff_has_no_key_and_cannot_be_looked_up(self) -> None:
        appeal = make_appeal(self.c)
        self.assertEqual(appeal.key_hash, "")
        self.assertIsNone(s.lookup(appeal.ref, ""))
        self.assertIsNone(s.lookup(appeal.ref, "AAAABBBBCCCC"))

    @override_settings(APPEAL_LOOKUP_SESSION_SECONDS=-1)
    def test_the_status_page_needs_a_fresh_look_up(self) -> None:
        appeal, key = make_public_appeal(self.c)
        self.client.post(self.LOOKUP, {"ref": appeal.ref, "key": key})
        self.assertRedirects(self.client.get(self.STATUS), self.LOOKUP)
