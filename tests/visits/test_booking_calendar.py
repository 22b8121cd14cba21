"""iCalendar export (RFC 5545): what is written is read back by the same library, with the
times in UTC, one stable UID per booking and the state as STATUS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from pingan.auth.roles import Role
from pingan.visits import calendar
from tests.visits.booking_rows import (
    API,
    NOW,
    bj,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

START = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def _entry(**kw) -> calendar.Entry:
    fields = {
        "booking_no": "HJ20261208-0001",
        "status": "confirmed",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=30),
        "created_at": START - timedelta(days=2),
        "summary": "视频会见 HJ20261208-0001",
        "location": "测试看守所, 康巴什区",
        "description": "家属会见; 终端 F1",
        **kw,
    }
    return calendar.Entry(**fields)


def test_one_entry_reads_back() -> None:
    data = calendar.calendar([_entry()], stamp=NOW, name="HJ20261208-0001")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"\r\n" in data
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and str(cal["METHOD"]) == "PUBLISH"
    [ev] = cal.walk("VEVENT")
    assert ev.decoded("DTSTART") == START
    assert ev.decoded("DTEND") == START + timedelta(minutes=30)
    assert ev.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(ev["UID"]) == "HJ20261208-0001@visits.pingan"
    assert str(ev["STATUS"]) == "CONFIRMED" and str(ev["SUMMARY"]).startswith("视频会见")
    assert b"DTSTART:20261210T020000Z" in data


def test_states_map_to_rfc_5545_status() -> None:
    data = calendar.calendar(
        [
            _entry(booking_no="A", status="pending_approval"),
            _entry(booking_no="B", status="cancelled"),
        ],
        stamp=NOW,
        name="feed",
    )
    events = Calendar.from_ical(data).walk("VEVENT")
    assert [(str(e["UID"]), str(e["STATUS"])) for e in events] == [
        ("A@visits.pingan", "TENTATIVE"),
        ("B@visits.pingan", "CANCELLED"),
    ]
    assert [int(e["SEQUENCE"]) for e in events] == [0, 2]


def test_the_booking_and_the_feed_over_the_api(world) -> None:
    h = world.h(Role.CITIZEN)
    a = world.book(starts_at=bj(2, 10).isoformat()).json()
    b = world.book(relation_id=world.ids["rel_family_jls"], starts_at=bj(1, 14).isoformat())
    b = b.json()
    r = world.client.get(f"{API}/bookings/{a['id']}/calendar.ics", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert f'filename="{a["booking_no"]}.ics"' in r.headers["content-disposition"]
    [ev] = Calendar.from_ical(r.content).walk("VEVENT")
    assert ev.decoded("DTSTART") == bj(2, 10) and str(ev["STATUS"]) == "TENTATIVE"
    assert "测试监管场所KSS1" in str(ev["LOCATION"]) and "张三" not in r.text

    feed = world.client.get(f"{API}/bookings/mine/calendar.ics", headers=h)
    uids = {str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert uids == {f"{a['booking_no']}@visits.pingan", f"{b['booking_no']}@visits.pingan"}

    desk = world.client.get(f"{API}/bookings/{a['id']}/calendar.ics", headers=world.h(Role.OFFICER))
    assert desk.status_code == 200
    stranger = world.client.get(
        f"{API}/bookings/{a['id']}/calendar.ics", headers=world.h(Role.LAWYER)
    )
    assert stranger.status_code == 404
    en = world.client.get(
        f"{API}/bookings/{a['id']}/calendar.ics", headers={**h, "Accept-Language": "en"}
    )
    [ev] = Calendar.from_ical(en.content).walk("VEVENT")
    assert str(ev["SUMMARY"]) == f"Video visit {a['booking_no']}"
