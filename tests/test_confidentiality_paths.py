"""Every path data leaves by, with every role: a petition never reaches the unit or the person it
is about, and neither a petition nor an appeal reaches an account outside its scope.

One petition about 县委督查室 (a unit) and 王建国 (a county leader with an account), routed to
青山乡 and taken up at another leader's appointment reception, one appeal assigned to 青山乡,
deadlines overdue and escalated. Then, for each account:

- every URL of the site (enumerated from the resolver; `PATHS` says how to fill each one's
  arguments and which searches to run; the test fails when a URL is added without being
  listed here, or listed without existing), the admin's included;
- the inbox and every registered delivery channel (`CHANNELS_READ` says how each one is read:
  e-mail from Django's outbox, text messages and duty-group robot messages from a real HTTP
  server on 127.0.0.1 standing in for the gateway and the robots; the test fails when a channel
  is registered without being listed);
- the compliance drill-down, the exports (decoded), the PDFs (their text, by pdftotext), the
  ledger import's result page and the searches.

The markers are long, distinctive strings (never a few letters a random CSRF token could
contain), and the pages that should show them are checked to show them, so that the test
cannot pass by seeing nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.contrib import admin
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from directory.models import ImportJob, Role, User
from directory.services_ledger import job_upload
from petitions.appeals.services import appeal_assign
from petitions.matters.services import attachment_add
from petitions.models import Appointment, Reception
from petitions.roster.services import (
    MatterResult,
    appointment_consent,
    appointment_create,
    appointment_invite,
    appointment_record,
)
from reports.models import ReportJob
from rules.channels import CHANNELS
from rules.deliveries import deliveries_run
from rules.models import Delivery, DeliveryPreference, DutyGroup, Notification
from rules.reminders import reminders_deliver, reminders_scan
from tests.assistance.helpers import make_pairing
from tests.helpers import (
    build_county,
    make_household,
    make_link,
    make_person,
    make_unit,
    make_user,
)
from tests.peers import RecordingHTTPServer
from tests.petitions.appeal_helpers import at, make_appeal, setup_appeals
from tests.petitions.helpers import make_id_number, make_petition
from tests.proposals.helpers import make_proposal, make_session
from tests.reports.helpers import make_campaign, make_submission
from tests.visits.helpers import make_visit

D = dt.date
TODAY = D(2025, 12, 1)
MEDIA = tempfile.mkdtemp(prefix="minqing-confidentiality-media-")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# What must never leave towards the wrong account (long and distinctive on purpose).
REF = "XF2025-MQ7731"
PETITIONER = "司马保密"
CONTENT = "东风渠七号闸门漏水"
SUMMARY = "闸门漏水无人修"
PETITION_MARKERS = (REF, PETITIONER, CONTENT, SUMMARY)
APPEAL_TEXT = "西河桥栏杆断裂已久无人过问，请尽快修复。"
APPEAL_CONTACT = "欧阳匿名"


@dataclass
class Fixture:
    """The objects the paths are filled with."""

    c: Any
    petition: Any
    petitioner: Any
    attachment: Any
    reception: Any
    appointment: Any
    appeal: Any
    category: Any
    session: Any
    proposal: Any
    visit: Any
    pairing: Any
    submission: Any
    campaign: Any
    rule_code: str = "NAT-ACCEPT"


Variant = tuple[dict[str, Any], dict[str, str]]
One = [({}, {})]


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


#: How each URL is requested: its arguments and query strings (each a request). Objects are
#: those of the matter where the URL is about one; a URL about another kind of record gets one of
#: those (it must not carry the matter either). Searches run with the markers.
PATHS: dict[str, Callable[[Fixture], list[Variant]]] = {
    "login": lambda f: One,
    "logout": lambda f: One,
    "set_language": lambda f: One,
    "today": lambda f: One,
    "unit-list": lambda f: One,
    "person-list": lambda f: [({}, {}), ({}, {"q": PETITIONER})],
    "person-detail": lambda f: [(_pk(f.c.county_leader), {})],
    "household-list": lambda f: [({}, {}), ({}, {"q": PETITIONER})],
    "household-new": lambda f: One,
    "household-detail": lambda f: [(_pk(f.c.household_taoyuan), {})],
    "household-edit": lambda f: [(_pk(f.c.household_taoyuan), {})],
    "rule-list": lambda f: One,
    "rule-detail": lambda f: [({"rule_id": f.rule_code}, {})],
    "rule-edit": lambda f: [({"rule_id": f.rule_code}, {})],
    "calendar-list": lambda f: One,
    "calendar-year-new": lambda f: One,
    "calendar-year": lambda f: [({"year": 2025}, {})],
    "calendar-year-edit": lambda f: [({"year": 2025}, {})],
    "calendar-day-edit": lambda f: [({"year": 2025}, {})],
    "inbox": lambda f: One,
    "inbox-count": lambda f: One,
    "inbox-read-all": lambda f: One,
    "inbox-read": lambda f: [({"pk": n.pk}, {}) for n in Notification.objects.all()[:3]],
    "inbox-preferences": lambda f: One,
    "delivery-problems": lambda f: One,
    "delivery-send-again": lambda f: [(_pk(d), {}) for d in Delivery.objects.all()[:3]],
    "duty-group-list": lambda f: One,
    "duty-group-new": lambda f: One,
    "duty-group-edit": lambda f: [(_pk(group), {}) for group in DutyGroup.objects.all()],
    "deadline-board": lambda f: One,
    "ledger-import": lambda f: One,
    "ledger-template": lambda f: One,
    "ledger-job": lambda f: [(_pk(job), {}) for job in ImportJob.objects.all()],
    "ledger-job-mapping": lambda f: [(_pk(job), {}) for job in ImportJob.objects.all()],
    "ledger-job-preview": lambda f: [(_pk(job), {}) for job in ImportJob.objects.all()],
    "ledger-job-start": lambda f: [(_pk(job), {}) for job in ImportJob.objects.all()],
    "petition-list": lambda f: [({}, {}), ({}, {"q": REF}), ({}, {"q": PETITIONER})],
    "petition-register": lambda f: One,
    "petition-export": lambda f: One,
    "petition-detail": lambda f: [(_pk(f.petition), {})],
    "petition-history": lambda f: [(_pk(f.petition), {})],
    "petition-attachment": lambda f: [
        ({"pk": f.petition.pk, "attachment_pk": f.attachment.pk}, {})
    ],
    "petition-attachment-add": lambda f: [(_pk(f.petition), {})],
    "petition-reveal": lambda f: [
        ({"pk": f.petition.pk, "petitioner_pk": f.petitioner.pk, "field": "phone"}, {})
    ],
    "petition-step": lambda f: [
        ({"pk": f.petition.pk, "step": step}, {}) for step in ("accept", "extend", "charge")
    ],
    "roster-month": lambda f: [({}, {"month": "2025-11"})],
    "roster-export": lambda f: [({}, {"month": "2025-11"})],
    "roster-generate": lambda f: One,
    "roster-propose": lambda f: [({}, {"month": "2025-11"})],
    "reception-new": lambda f: One,
    "roster-absences": lambda f: One,
    "reception-detail": lambda f: [(_pk(f.reception), {})],
    "reception-fill": lambda f: [(_pk(f.reception), {})],
    "reception-substitute": lambda f: [(_pk(f.reception), {})],
    "reception-status": lambda f: [(_pk(f.reception), {})],
    "appointment-new": lambda f: [(_pk(f.reception), {})],
    "appointment-detail": lambda f: [(_pk(f.appointment), {})],
    "appointment-action": lambda f: [({"pk": f.appointment.pk, "action": "invite"}, {})],
    "my-roster": lambda f: One,
    "my-roster-ics": lambda f: One,
    "office-ledger": lambda f: One,
    "office-add": lambda f: [({"kind": "missed"}, {})],
    "office-done": lambda f: [({"kind": "missed", "pk": 1}, {})],
    "appeal-list": lambda f: [({}, {}), ({}, {"q": f.appeal.ref})],
    "appeal-new": lambda f: One,
    "appeal-export": lambda f: One,
    "appeal-detail": lambda f: [(_pk(f.appeal), {})],
    "appeal-step": lambda f: [({"pk": f.appeal.pk, "step": "reply"}, {})],
    "appeal-attachment": lambda f: [({"pk": f.appeal.pk, "attachment_pk": 1}, {})],
    "appeal-categories": lambda f: One,
    "appeal-category-new": lambda f: One,
    "appeal-category-edit": lambda f: [(_pk(f.category), {})],
    "appeal-bulletin": lambda f: One,
    "appeal-bulletin-day": lambda f: [({"day": "2025-11-24"}, {})],
    "appeal-bulletin-pdf": lambda f: [({"day": "2025-11-24"}, {})],
    "appeal-bulletin-produce": lambda f: [({"day": "2025-11-24"}, {})],
    "appeal-hotline": lambda f: One,
    "proposal-home": lambda f: One,
    "proposal-list": lambda f: One,
    "proposal-export": lambda f: One,
    "proposal-new": lambda f: One,
    "proposal-detail": lambda f: [(_pk(f.proposal), {})],
    "proposal-assign": lambda f: [(_pk(f.proposal), {})],
    "proposal-complex": lambda f: [(_pk(f.proposal), {})],
    "proposal-contact": lambda f: [(_pk(f.proposal), {})],
    "proposal-answer": lambda f: [(_pk(f.proposal), {})],
    "proposal-opinion": lambda f: [(_pk(f.proposal), {})],
    "proposal-feedback": lambda f: [(_pk(f.proposal), {})],
    "proposal-answer-document": lambda f: [({"pk": f.proposal.pk, "round_": 1}, {})],
    "proposal-mine": lambda f: One,
    "proposal-session-list": lambda f: One,
    "proposal-session-new": lambda f: One,
    "proposal-session-edit": lambda f: [(_pk(f.session), {})],
    "proposal-session-counts": lambda f: [(_pk(f.session), {})],
    "proposal-lists": lambda f: One,
    "proposal-list-item-new": lambda f: One,
    "proposal-list-item": lambda f: [({"pk": 1}, {})],
    "proposal-list-item-edit": lambda f: [({"pk": 1}, {})],
    "proposal-list-item-progress": lambda f: [({"pk": 1}, {})],
    "visit-list": lambda f: One,
    "visit-new": lambda f: One,
    "visit-round": lambda f: One,
    "visit-export": lambda f: One,
    "visit-household-search": lambda f: [({}, {"unit": str(f.c.taoyuan.pk), "q": "张"})],
    "visit-detail": lambda f: [(_pk(f.visit), {})],
    "visit-edit": lambda f: [(_pk(f.visit), {})],
    "visit-delete": lambda f: [(_pk(f.visit), {})],
    "visit-my-quotas": lambda f: One,
    "visit-quota-board": lambda f: One,
    "visit-person-quotas": lambda f: [(_pk(f.c.county_leader), {})],
    "meeting-list": lambda f: One,
    "assistance-mine": lambda f: One,
    "assistance-pairings": lambda f: One,
    "assistance-pairings-export": lambda f: One,
    "assistance-pairing-new": lambda f: One,
    "assistance-pairing": lambda f: [(_pk(f.pairing), {})],
    "assistance-pairing-end": lambda f: [(_pk(f.pairing), {})],
    "assistance-pairing-handover": lambda f: [(_pk(f.pairing), {})],
    "assistance-contact": lambda f: [(_pk(f.pairing), {})],
    "assistance-card": lambda f: [(_pk(f.pairing), {})],
    "assistance-unit-pairings": lambda f: One,
    "assistance-household": lambda f: [(_pk(f.c.household_taoyuan), {})],
    "assistance-event-new": lambda f: [(_pk(f.c.household_taoyuan), {})],
    "assistance-aid-new": lambda f: [(_pk(f.c.household_taoyuan), {})],
    "assistance-aid-correct": lambda f: [({"pk": 1}, {})],
    "assistance-events": lambda f: One,
    "assistance-village-event": lambda f: One,
    "assistance-problems": lambda f: One,
    "assistance-problem-new": lambda f: One,
    "assistance-problem": lambda f: [({"pk": 1}, {})],
    "assistance-problem-close": lambda f: [({"pk": 1}, {})],
    "assistance-analysis-month": lambda f: One,
    "assistance-analysis-quarter": lambda f: One,
    "reports-dashboard": lambda f: [({}, {"year": "2025"})],
    "reports-unit": lambda f: [({"code": f.c.qingshan.code}, {"year": "2025"})],
    "reports-person": lambda f: [({"code": f.c.county_leader.code}, {"year": "2025"})],
    # the drill-down of the matter's deadlines: its lead unit's rows and the reception's
    "reports-records": lambda f: [
        ({}, {"rule": rule, "subject": f.c.qingshan.code, "period": period})
        for rule, period in (
            ("NAT-ACCEPT", "2025"),
            ("NAT-ACCEPT", "2025-11"),
            ("NAT-OBJECT", "2025"),
            ("DA-R4", "2025"),
            ("TY-O2", "2025"),
        )
    ],
    "reports-export": lambda f: [({"fmt": fmt}, {"year": "2025"}) for fmt in ("csv", "json")],
    "reports-pdf": lambda f: One,
    "reports-job": lambda f: [(_pk(job), {}) for job in ReportJob.objects.all()],
    "reports-job-download": lambda f: [(_pk(job), {}) for job in ReportJob.objects.all()],
    "reports-submissions": lambda f: One,
    "reports-submission-new": lambda f: One,
    "reports-submission-detail": lambda f: [(_pk(f.submission), {})],
    "reports-submission-attachment": lambda f: [(_pk(f.submission), {})],
    "reports-campaigns": lambda f: One,
    "reports-campaign-new": lambda f: One,
    "reports-campaign": lambda f: [(_pk(f.campaign), {})],
    "reports-campaign-targets": lambda f: [(_pk(f.campaign), {})],
    "reports-campaign-group": lambda f: [(_pk(f.campaign), {})],
    "reports-campaign-codes": lambda f: [(_pk(f.campaign), {})],
    "reports-campaign-tally": lambda f: [
        ({"pk": f.campaign.pk, "group_pk": g.pk}, {}) for g in f.campaign.groups.all()
    ],
    "reports-campaign-export": lambda f: [(_pk(f.campaign), {})],
    "reports-campaign-state": lambda f: [({"pk": f.campaign.pk, "action": "close"}, {})],
    "public-roster": lambda f: One,
    "public-lobby": lambda f: One,
    "public-appeal-new": lambda f: One,
    "public-appeal-receipt": lambda f: One,
    "public-appeal-lookup": lambda f: One,
    "public-appeal-status": lambda f: One,
    "public-appeal-feedback": lambda f: One,
    "public-lists": lambda f: One,
    "reports-ballot": lambda f: One,
    "reports-ballot-vote": lambda f: One,
}


#: The SMS gateway and the duty groups' robots: one real HTTP server on 127.0.0.1 that records
#: what it is sent (started with the test class).
PEER = RecordingHTTPServer()


def address_of(name: str) -> str:
    return f"{name}@example.gov.cn"


def mobile_of(index: int) -> str:
    return f"139{index:08d}"


def _email_messages() -> list[tuple[list[str], str]]:
    return [(message.to, f"{message.subject}\n{message.body}") for message in mail.outbox]


def _text_messages() -> list[tuple[list[str], str]]:
    sent = [request.form() for request in PEER.received() if request.path == "/sms"]
    return [([form["mobile"]], form["content"]) for form in sent]


def _robot_messages() -> list[tuple[list[str], str]]:
    # A duty group is read by its unit's accounts: the robot's path names the unit.
    found = []
    for request in PEER.received():
        if request.path.startswith("/robot/"):
            body = request.json()
            text = body.get("text", {}).get("content", "") or json.dumps(body, ensure_ascii=False)
            found.append(([request.path.removeprefix("/robot/")], text))
    return found


#: How what each registered delivery channel sent is read: (recipient addresses, text) pairs,
#: the address being an e-mail address, a mobile number or a duty group's unit code.
CHANNELS_READ: dict[str, Callable[[], list[tuple[list[str], str]]]] = {
    "email": _email_messages,
    "sms": _text_messages,
    "webhook": _robot_messages,
}


def url_patterns() -> Iterator[tuple[str | None, str, URLPattern]]:
    """Every URL pattern of the site: (namespaced name or None, namespace, pattern)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str | None, str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                yield from walk(
                    pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
                )
            else:
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield name, namespace, pattern

    yield from walk(get_resolver().url_patterns, "")


def site_url_names() -> set[str]:
    return {name for name, namespace, _p in url_patterns() if name and namespace != "admin:"}


def admin_urls() -> list[str]:
    """Every admin URL: the index, each app index, and each registered model's pages."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        for name, args in (
            ("changelist", []),
            ("add", []),
            ("change", ["1"]),
            ("history", ["1"]),
            ("delete", ["1"]),
        ):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args))
    return sorted(set(urls))


def text_of(response: Any, test: TestCase) -> str:
    """What a response tells its reader: HTML and text as is, JSON with its characters, a
    workbook's cells, a PDF's text."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or body[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind or body[:5] == b"%PDF-":
        return pdf_text(body, test)
    text = body.decode("utf-8", errors="replace")
    if "json" in kind:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def pdf_text(body: bytes, test: TestCase) -> str:
    if shutil.which("pdftotext") is None:
        test.fail("pdftotext is missing: install Debian's poppler-utils")
    done = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True)
    return done.stdout.decode("utf-8", errors="replace")


def build() -> tuple[Fixture, dict[str, User | None]]:
    setup_appeals("national", "dongan")
    c = build_county()
    inspection = make_unit("县委督查室", "department", c.county, code="QH-DCS")
    # A county leader who sits in the government office: the matter is not about his unit.
    office = make_unit("县政府办公室", "department", c.county, code="QH-ZFB")
    deputy_leader_person = make_person("钱正", office, "county_leader", "county_level", "P-QZ")
    make_link(deputy_leader_person, c.qingshan, "linked_township")
    chengguan_head_user = make_user(
        "chengguan_head", c.chengguan, Role.LEADER, person=c.chengguan_head
    )
    accounts: dict[str, User | None] = {
        "anonymous": None,
        "clerk": c.petition_clerk,
        "supervisor": c.supervisor,
        "admin": c.admin,
        "qingshan": c.qingshan_staff,
        "deputy_leader": make_user(
            "deputy_leader", c.county, Role.LEADER, person=deputy_leader_person
        ),
        # the person and the unit the matter is about
        "subject_leader": c.leader,
        "subject_supervisor": make_user("dcs_supervisor", inspection, Role.SUPERVISOR),
        "subject_staff": make_user("dcs_staff", inspection, Role.UNIT_STAFF),
        # outside the matter's scope
        "chengguan": c.chengguan_staff,
        "chengguan_head": chengguan_head_user,
        "education": c.education_staff,
        "village": make_user("taoyuan_staff", c.taoyuan, Role.UNIT_STAFF),
        "no_unit": make_user("no_unit", None, Role.UNIT_STAFF),
    }
    for index, (name, user) in enumerate(accounts.items()):
        if user is not None:
            User.objects.filter(pk=user.pk).update(email=address_of(name))
            DeliveryPreference.objects.create(user=user, sms=True, mobile=mobile_of(index))
    # The office's ledger upload that names the matter: its mapping page shows sample values.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "petitions"
    sheet.append(["ref", "received", "channel", "petitioner", "township", "unit", "备注"])
    sheet.append([REF, "2025-11-03", "visit", PETITIONER, "QH-QS", "QH-QS", CONTENT])
    buffer = io.BytesIO()
    book.save(buffer)
    job_upload(
        upload=SimpleUploadedFile("信访台账.xlsx", buffer.getvalue()), acting_user=c.petition_clerk
    )
    # every unit with accounts (the unit complained about included) has a duty group
    for unit in {user.unit for user in accounts.values() if user is not None and user.unit}:
        DutyGroup.objects.create(unit=unit, webhook_url=f"{PEER.url}/robot/{unit.code}")

    petition = make_petition(
        c,
        received_on=D(2025, 11, 3),
        ref=REF,
        name=PETITIONER,
        id_number=make_id_number("19700101", serial=731),
        phone="13700007731",
        content=f"反映{CONTENT}，多次反映未果。",
        summary=SUMMARY,
        township=c.qingshan,
        subject_unit=inspection,
        subject_person=c.county_leader,
        lead_unit=c.qingshan,
    )
    attachment = attachment_add(
        petition=petition,
        upload=SimpleUploadedFile("letter.png", PNG, content_type="image/png"),
        acting_user=c.petition_clerk,
    )
    reception = Reception.objects.create(
        date=D(2025, 11, 20),
        part="day",
        kind="bureau_sitting",
        unit=c.county,
        person=deputy_leader_person,
    )
    appointment = appointment_create(
        reception=reception,
        petitions=[petition],
        consent_on=None,
        consent_note="",
        acting_user=c.petition_clerk,
    )
    appointment_consent(
        appointment=appointment, on=D(2025, 11, 18), note="同意", acting_user=c.petition_clerk
    )
    matter = appointment.matters.get()
    appointment_invite(
        matter=matter, on=D(2025, 11, 19), note="电话邀约", acting_user=c.petition_clerk
    )
    appointment_record(
        appointment=appointment,
        on=D(2025, 11, 20),
        heard=f"听取{CONTENT}的情况",
        results=[
            MatterResult(
                matter=matter,
                outcome="assigned",
                decision="限期答复",
                assigned_unit=c.qingshan,
                reply_days=5,
            )
        ],
        acting_user=c.petition_clerk,
    )
    appeal = make_appeal(
        c,
        received_at=at(2025, 11, 24),
        text=APPEAL_TEXT,
        contact_name=APPEAL_CONTACT,
        contact_phone="13700001234",
    )
    appeal_assign(appeal=appeal, unit=c.qingshan, on=D(2025, 11, 24), acting_user=c.petition_clerk)

    session = make_session()
    fixture = Fixture(
        c=c,
        petition=petition,
        petitioner=petition.petitioners.get(),
        attachment=attachment,
        reception=reception,
        appointment=Appointment.objects.get(pk=appointment.pk),
        appeal=appeal,
        category=appeal.category,
        session=session,
        proposal=make_proposal(
            session, [make_person("人大代表甲", c.qingshan, "deputy", code="P-DB1")]
        ),
        visit=make_visit(
            [deputy_leader_person],
            c.taoyuan,
            date=D(2025, 11, 21),
            households=[c.household_taoyuan],
        ),
        pairing=make_pairing(
            c.qingshan_secretary,
            make_household("孙五", c.taoyuan, "monitored", code="H-SW"),
            "monitored",
            D(2025, 1, 1),
        ),
        submission=make_submission(
            kind="annual_report", year=2025, unit=c.qingshan, submitted_on=D(2025, 11, 28)
        ),
        campaign=make_campaign("MQ-2025", c.county, units=[c.qingshan]),
    )
    return fixture, accounts


#: who must never see the matter: the person and unit it is about, and everyone outside it
PETITION_DENIED = (
    "anonymous",
    "subject_leader",
    "subject_supervisor",
    "subject_staff",
    "chengguan",
    "chengguan_head",
    "education",
    "village",
    "no_unit",
)
#: who must never see the appeal (assigned to 青山乡; appeals name no subject)
APPEAL_DENIED = (
    "anonymous",
    "subject_staff",
    "chengguan",
    "chengguan_head",
    "education",
    "village",
    "no_unit",
)


@override_settings(
    MEDIA_ROOT=MEDIA,
    FROZEN_TODAY=TODAY,
    SMS_GATEWAY_URL=f"{PEER.url}/sms",
    SMS_GATEWAY_TEMPLATE="【{site}】{title}：{items}",
    SMS_GATEWAY_SUCCESS="",
)
class ConfidentialityOnEveryPathTests(TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        PEER.start()
        cls.addClassCleanup(PEER.stop)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls) -> None:
        cls.f, cls.accounts = build()
        cls.job = ImportJob.objects.get()

    # --- the lists are complete -------------------------------------------------------------

    def test_every_url_of_the_site_is_listed(self) -> None:
        names = site_url_names()
        self.assertEqual(
            sorted(names - set(PATHS)), [], "URLs not listed in PATHS: say how to request them"
        )
        self.assertEqual(sorted(set(PATHS) - names), [], "PATHS lists URLs that do not exist")
        unnamed = [
            str(p.pattern) for name, namespace, p in url_patterns() if not name and not namespace
        ]
        self.assertEqual(unnamed, [], "every URL outside the admin has a name")

    def test_every_delivery_channel_is_listed(self) -> None:
        self.assertEqual(
            sorted(CHANNELS),
            sorted(CHANNELS_READ),
            "a delivery channel is registered that this test does not read (CHANNELS_READ)",
        )

    # --- pages, exports, searches, drill-downs, history -------------------------------------

    def sweep(self) -> dict[str, dict[str, str]]:
        """{account: {request: text}} for every listed URL (and the admin's) and account."""
        self.run_reminders()
        seen: dict[str, dict[str, str]] = {}
        requests = [
            (reverse(name, kwargs=kwargs) + (f"?{_query(query)}" if query else ""), query)
            for name, variants in sorted(PATHS.items())
            for kwargs, query in variants(self.f)
        ] + [(url, {}) for url in admin_urls()]
        for account, user in self.accounts.items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            texts = seen.setdefault(account, {})
            for url, query in requests:
                response = self.client.get(url)
                self.assertLess(response.status_code, 500, (account, url))
                text = text_of(response, self) if response.status_code == 200 else ""
                if query:  # the search box and the page's own links repeat what was typed
                    text = text.replace(_query(query), "")
                    for value in query.values():
                        text = text.replace(f'value="{value}"', "")
                texts[url] = text
        return seen

    def test_no_page_export_search_or_drill_down_shows_the_matter_to_the_wrong_account(
        self,
    ) -> None:
        seen = self.sweep()
        leaks = [
            (account, url, marker)
            for account, texts in seen.items()
            for url, text in texts.items()
            for marker in self.denied_markers(account)
            if marker in text
        ]
        self.assertEqual(leaks, [])
        # The pages that should show the matter do: the sweep saw what it looks for.
        expected = {
            ("clerk", reverse("petition-detail", args=[self.f.petition.pk]), PETITIONER),
            ("clerk", reverse("petition-export"), REF),
            ("clerk", reverse("deadline-board"), REF),
            ("supervisor", reverse("deadline-board"), REF),
            ("qingshan", reverse("today"), REF),
            ("qingshan", reverse("inbox"), REF),
            ("deputy_leader", reverse("inbox"), REF),
            ("clerk", reverse("appointment-detail", args=[self.f.appointment.pk]), PETITIONER),
            ("clerk", reverse("reception-detail", args=[self.f.reception.pk]), CONTENT),
            ("qingshan", reverse("appeal-detail", args=[self.f.appeal.pk]), APPEAL_TEXT),
            ("qingshan", reverse("appeal-export"), "WS-2025"),
            (
                "supervisor",
                reverse("reports-records")
                + "?"
                + _query({"rule": "NAT-ACCEPT", "subject": "QH-QS", "period": "2025"}),
                REF,
            ),
            ("clerk", reverse("petition-list") + "?" + _query({"q": PETITIONER}), REF),
            ("clerk", reverse("ledger-job-mapping", args=[self.job.pk]), PETITIONER),
        }
        missing = [item for item in expected if item[2] not in seen[item[0]].get(item[1], "")]
        self.assertEqual(missing, [])

    def denied_markers(self, account: str) -> tuple[str, ...]:
        markers: tuple[str, ...] = ()
        if account in PETITION_DENIED:
            markers += PETITION_MARKERS
        if account in APPEAL_DENIED:
            markers += (self.f.appeal.ref, APPEAL_TEXT, APPEAL_CONTACT)
        return markers

    # --- reminders: the inbox and every channel -----------------------------------------------

    def run_reminders(self) -> None:
        reminders_scan(TODAY)
        reminders_deliver()
        deliveries_run()  # e-mail, text messages and the duty groups' robots

    def test_reminders_and_escalations_never_reach_the_wrong_account(self) -> None:
        self.run_reminders()
        inboxes: dict[str, str] = {}
        for account, user in self.accounts.items():
            if user is None:
                continue
            inboxes[account] = "\n".join(
                f"{n.title} {json.dumps(n.items, ensure_ascii=False)}"
                for n in Notification.objects.filter(user=user)
            )
        readers: dict[str, list[str]] = {}  # an address → the accounts that read it
        for index, (name, user) in enumerate(self.accounts.items()):
            if user is None:
                continue
            readers.setdefault(address_of(name), []).append(name)
            readers.setdefault(mobile_of(index), []).append(name)
            if user.unit_id:
                readers.setdefault(user.unit.code, []).append(name)  # the unit's duty group
        sent: dict[str, str] = {}
        for channel, read in CHANNELS_READ.items():
            for recipients, text in read():
                for address in recipients:
                    for account in readers[address]:
                        where = f"{channel}:{account}"
                        sent[where] = sent.get(where, "") + text
        leaks = [
            (where, marker)
            for where, text in [*inboxes.items(), *sent.items()]
            for marker in self.denied_markers(where.split(":")[-1])
            if marker in text
        ]
        self.assertEqual(leaks, [])
        # the matter's unit, the supervising office and the leader linked to the township
        # are reminded of it, in the inbox, by e-mail and by text message; the unit's duty group
        # too
        for account in ("qingshan", "supervisor", "deputy_leader"):
            self.assertIn(REF, inboxes[account], account)
            self.assertIn(REF, sent.get(f"email:{account}", ""), account)
            self.assertIn(REF, sent.get(f"sms:{account}", ""), account)
        self.assertIn(REF, sent.get("webhook:qingshan", ""))

    # --- PDFs -------------------------------------------------------------------------------

    def pdf_for(self, account: str, unit_code: str) -> str:
        self.client.force_login(self.accounts[account])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("reports-pdf"), {"year": 2025, "unit": unit_code, "signer": "签"}
            )
        if response.status_code == 302 and "/reports/jobs/" in response["Location"]:
            job = ReportJob.objects.filter(requested_by=self.accounts[account]).latest("pk")
            response = self.client.get(reverse("reports-job-download", args=[job.pk]))
        if response.status_code != 200:
            return ""
        return text_of(response, self)

    def test_year_end_pdfs_list_the_late_matter_only_to_those_who_may_see_it(self) -> None:
        self.assertIn(REF, self.pdf_for("supervisor", "QH-QS"))
        self.assertIn(REF, self.pdf_for("supervisor", ""))
        for account in ("subject_leader", "subject_supervisor"):
            self.assertFalse(REF in self.pdf_for(account, "QH-QS"), account)
        self.assertFalse(REF in self.pdf_for("subject_supervisor", ""))

    # --- the ledger import's result page -----------------------------------------------------

    def test_the_import_result_never_shows_the_matter(self) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "petitions"
        sheet.append(["ref", "received", "channel", "petitioner", "township", "unit"])
        sheet.append([REF, "2025-11-03", "visit", "张某", "QH-QS", "QH-QS"])
        buffer = io.BytesIO()
        book.save(buffer)
        for account in ("subject_staff", "chengguan", "education", "village"):
            self.client.force_login(self.accounts[account])
            upload = SimpleUploadedFile("ledger.xlsx", buffer.getvalue())
            response = self.client.post(reverse("ledger-import"), {"file": upload, "dry_run": "on"})
            text = text_of(response, self)
            for marker in (PETITIONER, CONTENT, SUMMARY):
                self.assertNotIn(marker, text, account)


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
