"""A leader's duties as an iCalendar file (RFC 5545), for phone and desktop calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from .models import DayPart, Reception

# Office hours of a duty (local time): when the calendar entry starts and ends.
HOURS = {
    DayPart.AM: (dt.time(8, 30), dt.time(12, 0)),
    DayPart.PM: (dt.time(14, 30), dt.time(17, 30)),
    DayPart.DAY: (dt.time(8, 30), dt.time(17, 30)),
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _utc(day: dt.date, time: dt.time) -> str:
    local = timezone.make_aware(dt.datetime.combine(day, time), timezone.get_current_timezone())
    return local.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_text(receptions: Iterable[Reception], *, host: str = "minqing") -> str:
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//minqing//reception roster//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for reception in receptions:
        start, end = HOURS.get(reception.part, HOURS[DayPart.DAY])
        lines += [
            "BEGIN:VEVENT",
            f"UID:reception-{reception.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(reception.date, start)}",
            f"DTEND:{_utc(reception.date, end)}",
            f"SUMMARY:{_escape(str(reception.get_kind_display()))}",
            f"LOCATION:{_escape(reception.unit.name)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
