"""The volunteer's placements as an iCalendar feed (RFC 5545), written by hand.

The writer (`escape_text`, `fold_line`, `calendar_document`) knows nothing of Django or of the
database; `placement_event` turns a placement, loaded with its need, programme, organisation and
host site, into an event without querying anything.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from programmes.models import Mode

from .models import Placement

CRLF = "\r\n"
# RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break.
MAX_LINE_OCTETS = 75
PRODUCT_ID = "-//GlobalIR//Volunteer placements//EN"
UID_DOMAIN = "globalir"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    first_day: datetime.date
    last_day: datetime.date  # inclusive; the feed writes the exclusive day after, as RFC 5545 wants
    summary: str
    stamp: datetime.datetime  # aware; when the event's information last changed
    location: str = ""
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.

    Other control characters are not allowed in TEXT and are dropped.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(char for char in value if char in "\n\t" or (ord(char) >= 0x20 and ord(char) != 0x7F))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuation lines starting with a space.

    Counted in UTF-8 octets, and never inside a multi-octet character (RFC 5545 §3.1).
    """
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the leading space of a continuation line counts
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def _date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: CalendarEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART;VALUE=DATE:{_date(event.first_day)}",
        f"DTEND;VALUE=DATE:{_date(event.last_day + datetime.timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        # URI values are not TEXT: they are written as they are.
        lines.append(f"URL:{event.url}")
    lines += ["STATUS:CONFIRMED", "TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def calendar_document(*, events: Iterable[CalendarEvent], name: str) -> str:
    """A complete VCALENDAR with `events`, CRLF line endings and folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)


# From placements


def placement_uid(placement: Placement) -> str:
    """Stable for the life of the placement, so calendar apps update the event instead of duplicating it."""
    return f"placement-{placement.pk}@{UID_DOMAIN}"


def placement_location(placement: Placement) -> str:
    site = placement.need.host_site
    if placement.mode == Mode.REMOTE or site is None:
        return _("Remote")
    return ", ".join(part for part in (site.name, site.city, str(site.country.name)) if part)


def placement_event(placement: Placement, *, url: str = "") -> CalendarEvent:
    """The calendar event of a placement loaded with application, need__programme__lead_organisation and
    need__host_site. `url` is where the volunteer manages it (the need's own page closes once it is filled)."""
    need = placement.need
    programme = need.programme
    description = "\n".join(
        [
            _("Programme: %(programme)s") % {"programme": programme.title},
            _("Organisation: %(organisation)s") % {"organisation": programme.lead_organisation.name},
            _("Mode: %(mode)s") % {"mode": placement.get_mode_display()},
        ]
    )
    # The information last changed when the placement was made or its application last moved on.
    stamp = max(placement.created_at, placement.application.updated_at)
    return CalendarEvent(
        uid=placement_uid(placement),
        first_day=placement.start_date,
        last_day=placement.end_date,
        summary=need.title,
        stamp=stamp,
        location=placement_location(placement),
        description=description,
        url=url,
    )


def placements_calendar(
    *, placements: Iterable[Placement], url: str = "", more_events: Iterable[CalendarEvent] = ()
) -> str:
    """The feed of a volunteer's placements, each linking to `url`, and `more_events` (their talks)."""
    return calendar_document(
        events=[*(placement_event(placement, url=url) for placement in placements), *more_events],
        name=_("My GlobalIR placements"),
    )
