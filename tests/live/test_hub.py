"""The live hub: numbering, replay after a cursor, resync when it cannot, relay repeats."""

from __future__ import annotations

from datetime import UTC, datetime

from pingan.bus.outbox import Event
from pingan.live.hub import Cursor, LiveHub


def _event(outbox_id: int, type_: str = "incident.received") -> Event:
    return Event(
        f"e{outbox_id}", type_, "incident", "1", outbox_id, {"incident_id": 1},
        datetime(2026, 7, 28, tzinfo=UTC), outbox_id,
    )  # fmt: skip


def test_replays_exactly_what_follows_the_cursor() -> None:
    hub = LiveHub()
    hub.publish([_event(1), _event(2), _event(3)])
    after = hub.after(Cursor(hub.epoch, 1))
    assert after is not None and [e.seq for e in after] == [2, 3]
    assert hub.after(Cursor(hub.epoch, 3)) == []


def test_a_relay_repeat_is_not_numbered_twice() -> None:
    hub = LiveHub()
    hub.publish([_event(1), _event(2)])
    hub.publish([_event(2), _event(3)])  # the relay sent a batch again after a failed mark
    events = hub.after(Cursor(hub.epoch, 0))
    assert events is not None
    assert [e.data["event_id"] for e in events] == ["e1", "e2", "e3"]


def test_unknown_or_expired_cursors_ask_for_a_resync() -> None:
    hub = LiveHub(capacity=3)
    hub.publish([_event(i) for i in range(1, 6)])  # 1 and 2 fell out of the ring
    assert hub.after(None) is None
    assert hub.after(Cursor("another-process", 4)) is None
    assert hub.after(Cursor(hub.epoch, 1)) is None  # 2 is gone: replaying would leave a gap
    assert [e.seq for e in hub.after(Cursor(hub.epoch, 2)) or []] == [3, 4, 5]
    assert hub.after(Cursor(hub.epoch, 99)) is None  # from the future: another hub's numbers


def test_cursor_parsing_and_frames() -> None:
    assert Cursor.parse("ab12:7") == Cursor("ab12", 7)
    assert Cursor.parse("garbage") is None and Cursor.parse(None) is None
    hub = LiveHub()
    hub.publish([_event(1)])
    frame = (hub.after(Cursor(hub.epoch, 0)) or [])[0].frame(hub.epoch)
    assert frame.startswith(f"id: {hub.epoch}:1\nevent: incident.received\ndata: {{")
    assert frame.endswith("\n\n")
