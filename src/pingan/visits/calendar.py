"""iCalendar (RFC 5545) export of bookings: one booking, or a visitor's feed.

Pure: plain entries in, bytes out, built with the `icalendar` library. Times are written in
UTC (the `Z` form, which every calendar reads and converts to the reader's zone); the UID is
the booking number at the platform's domain, so a re-import updates the entry instead of
adding one, and SEQUENCE grows with each change of state. No names: the facility, the
terminal, the booking number and its state are what a calendar needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Pingan//Detention video visits//ZH"
UID_DOMAIN = "visits.pingan"
# booking state → iCalendar STATUS (RFC 5545 §3.8.1.11)
STATUS = {
    "pending_approval": "TENTATIVE",
    "confirmed": "CONFIRMED",
    "in_call": "CONFIRMED",
    "completed": "CONFIRMED",
    "no_show": "CONFIRMED",
    "cancelled": "CANCELLED",
    "refused": "CANCELLED",
}
SEQUENCE = {"pending_approval": 0, "confirmed": 1, "cancelled": 2, "refused": 2}


@dataclass(frozen=True, slots=True)
class Entry:
    booking_no: str
    status: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    summary: str  # in the reader's words, e.g. "视频会见 · Video visit HJ20261207-0001"
    location: str  # facility name and address
    description: str  # terminal, kind, what to bring


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def event(entry: Entry, *, stamp: datetime) -> Event:
    ev = Event()
    ev.add("uid", f"{entry.booking_no}@{UID_DOMAIN}")
    ev.add("dtstamp", _utc(stamp))
    ev.add("created", _utc(entry.created_at))
    ev.add("dtstart", _utc(entry.starts_at))
    ev.add("dtend", _utc(entry.ends_at))
    ev.add("summary", entry.summary)
    ev.add("location", entry.location)
    ev.add("description", entry.description)
    ev.add("status", STATUS.get(entry.status, "CONFIRMED"))
    ev.add("sequence", SEQUENCE.get(entry.status, 1))
    ev.add("transp", "OPAQUE")
    return ev


def calendar(entries: Iterable[Entry], *, stamp: datetime, name: str) -> bytes:
    """A VCALENDAR with one VEVENT per entry (METHOD:PUBLISH: a feed, not an invitation)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(event(entry, stamp=stamp))
    return cal.to_ical()
