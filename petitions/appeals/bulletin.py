"""民情日报 (TY-O1): the daily bulletin of appeals for the county leaders.

The bulletin of working day D covers the appeals received from the previous working day up to
the day before D — on a normal day that is "yesterday"; on a Monday it covers Friday to Sunday,
after a holiday the whole holiday — so that every calendar day is in exactly one bulletin.
It shows: new appeals by category and by township, replies given (on time or late), replies
due on D, replies overdue on D and the items staff marked as notable.

`bulletin_data` computes it from the records (any past day, any number of times);
`bulletin_produce` keeps the figures on the day's `Bulletin` row and sends it once: the send is
claimed by a conditional UPDATE of `sent_at`, so two workers, or a produce repeated by hand,
never notify the leaders twice. The leaders' inbox notifications and their outside deliveries
(e-mail, text message, as each leader chose) are written in the claiming transaction and sent
by the delivery state machine (rules.deliveries): retried on failure, never twice.
`bulletin_run` is what the queue calls every hour.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from directory.base import codes_regex
from directory.models import Person, Post, Role, User
from directory.timeutil import today as local_today
from rules.deliveries import deliveries_run, notify_users
from rules.models import with_provisional_due
from rules.workdays import UnknownCalendarYear, WorkCalendar

from .models import Appeal, AppealReply, Bulletin

log = logging.getLogger(__name__)

#: TY-O1: the bulletin goes to the county party secretary and the county head
RECIPIENT_POSTS = (Post.COUNTY_SECRETARY, Post.COUNTY_LEADER)
LIST_LIMIT = 200  # items listed per section; the counts are always complete
FONT_PATH = Path(settings.BASE_DIR) / "reports" / "fonts" / "wqy-microhei.ttf"
RELATED = ("category", "township", "unit")


@dataclass
class BulletinData:
    day: dt.date
    first: dt.date
    last: dt.date
    new_total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_township: list[tuple[str, int]] = field(default_factory=list)
    replied: int = 0
    replied_on_time: int = 0
    due_today: list[Appeal] = field(default_factory=list)
    overdue: list[Appeal] = field(default_factory=list)
    overdue_total: int = 0
    notable: list[Appeal] = field(default_factory=list)
    new_items: list[Appeal] = field(default_factory=list)

    @property
    def replied_late(self) -> int:
        return self.replied - self.replied_on_time

    def figures(self) -> dict[str, Any]:
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "new": self.new_total,
            "by_category": self.by_category,
            "by_township": self.by_township,
            "replied": self.replied,
            "replied_on_time": self.replied_on_time,
            "due_today": len(self.due_today),
            "overdue": self.overdue_total,
            "notable": len(self.notable),
        }


def covered_days(day: dt.date, calendar: WorkCalendar | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) calendar days the bulletin of `day` covers: from the previous working day
    up to the day before."""
    calendar = calendar or WorkCalendar()
    first = day - dt.timedelta(days=1)
    while not calendar.is_workday(first):
        first -= dt.timedelta(days=1)
    return first, day - dt.timedelta(days=1)


def _counts(appeals: Any, name_field: str, order_field: str) -> list[tuple[str, int]]:
    rows = appeals.values(name_field, order_field).annotate(n=Count("pk")).order_by(order_field)
    return [(row[name_field] or "—", row["n"]) for row in rows]


def bulletin_data(day: dt.date, calendar: WorkCalendar | None = None) -> BulletinData:
    """The bulletin of `day`, computed from the records (a fixed number of queries)."""
    first, last = covered_days(day, calendar)
    data = BulletinData(day=day, first=first, last=last)
    new = Appeal.objects.received_between(first, last)
    data.by_category = _counts(new, "category__name", "category__sort_order")
    data.by_township = _counts(new, "township__name", "township__path")
    data.new_total = sum(n for _name, n in data.by_category)
    replies = AppealReply.objects.filter(
        replied_on__gte=first, replied_on__lte=last, appeal__deleted_at__isnull=True
    ).aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    data.replied, data.replied_on_time = replies["n"], replies["on_time"]
    open_appeals = with_provisional_due(Appeal.objects.open().select_related(*RELATED))
    data.due_today = list(open_appeals.filter(due=day).order_by("ref")[:LIST_LIMIT])
    overdue = open_appeals.filter(due__lt=day)
    data.overdue_total = overdue.count()
    data.overdue = list(overdue.order_by("due", "ref")[:LIST_LIMIT])
    data.notable = list(
        with_provisional_due(Appeal.objects.filter(notable=True))
        .filter(
            Q(notable_on__gte=first, notable_on__lte=last)
            | Q(received_on__gte=first, received_on__lte=last)
        )
        .select_related(*RELATED)
        .order_by("received_at")[:LIST_LIMIT]
    )
    data.new_items = list(
        with_provisional_due(new.select_related(*RELATED)).order_by("received_at")[:LIST_LIMIT]
    )
    return data


# --- sending ----------------------------------------------------------------------------------------


def recipients() -> list[User]:
    """The county leaders' accounts: leader role, a person holding a county leading post."""
    people = Person.objects.with_post(*RECIPIENT_POSTS).values("pk")
    return list(
        User.objects.filter(
            is_active=True, roles__regex=codes_regex(Role.LEADER), person__in=people
        ).order_by("pk")
    )


def _title(day: dt.date) -> str:
    return _("Daily bulletin of appeals (民情日报), %(day)s") % {
        "day": formats.date_format(day, "DATE_FORMAT")
    }


def _summary(data: BulletinData) -> str:
    return _(
        "New appeals: %(new)s; replied: %(replied)s (late: %(late)s); due today: %(due)s; "
        "overdue: %(overdue)s; notable: %(notable)s."
    ) % {
        "new": data.new_total,
        "replied": data.replied,
        "late": data.replied_late,
        "due": len(data.due_today),
        "overdue": data.overdue_total,
        "notable": len(data.notable),
    }


def bulletin_send(bulletin: Bulletin, data: BulletinData) -> int:
    """Notify the county leaders' inboxes once; returns the number notified (0 if already sent)."""
    with transaction.atomic():
        # The claim: only the run that turns sent_at from empty to set goes on.
        claimed = Bulletin.objects.filter(pk=bulletin.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            return 0
        users = recipients()
        url = reverse("appeal-bulletin-day", args=[bulletin.day.isoformat()])
        with translation.override(settings.LANGUAGE_CODE):
            title, text = _title(bulletin.day), _summary(data)
        notify_users(users, title=title, items=[{"text": text, "url": url}])
        Bulletin.objects.filter(pk=bulletin.pk).update(recipients=len(users))
    bulletin.refresh_from_db()
    return len(users)


def bulletin_produce(
    *, day: dt.date, acting_user: Any = None, send: bool = True
) -> tuple[Bulletin, int]:
    """Compile the bulletin of `day` (again, if it was), and send it unless it has been sent.
    Returns the row and the number of leaders notified by this call."""
    data = bulletin_data(day)
    with transaction.atomic():
        bulletin, _created = Bulletin.objects.select_for_update().get_or_create(
            day=day, defaults={"first_day": data.first, "last_day": data.last}
        )
        bulletin.first_day, bulletin.last_day = data.first, data.last
        bulletin.figures = data.figures()
        bulletin.produced_at = timezone.now()
        bulletin.produced_by = acting_user
        bulletin.times_produced += 1
        bulletin.save()
    notified = bulletin_send(bulletin, data) if send else 0
    return bulletin, notified


def bulletin_run(now: dt.datetime | None = None) -> dict[str, Any]:
    """The scheduled job (hourly): on a working day, from BULLETIN_HOUR on, produce and send the
    day's bulletin unless it has been sent already."""
    moment = timezone.localtime(now) if now is not None else timezone.localtime()
    day = moment.date() if now is not None else local_today()
    try:
        if not WorkCalendar().is_workday(day):
            return {"day": day.isoformat(), "skipped": "rest day"}
    except UnknownCalendarYear as exc:
        log.warning("daily bulletin not produced: %s", exc)
        return {"day": day.isoformat(), "skipped": "unknown calendar year"}
    if moment.hour < int(getattr(settings, "BULLETIN_HOUR", 7)):
        return {"day": day.isoformat(), "skipped": "too early"}
    if Bulletin.objects.filter(day=day, sent_at__isnull=False).exists():
        return {"day": day.isoformat(), "skipped": "already sent"}
    _bulletin, notified = bulletin_produce(day=day)
    sent = deliveries_run() if notified else {}
    return {"day": day.isoformat(), "notified": notified, **sent}


# --- PDF ----------------------------------------------------------------------------------------------


def bulletin_pdf(data: BulletinData, language: str | None = None) -> bytes:
    """The bulletin as a PDF, with the shipped Chinese font embedded (no system font needed)."""
    from weasyprint import HTML

    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(
            "petitions/appeals/bulletin_pdf.html",
            {"data": data, "font_url": FONT_PATH.as_uri(), "generated": timezone.localtime()},
        )
    return HTML(string=html, base_url=str(FONT_PATH.parent)).write_pdf()
