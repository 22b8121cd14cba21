"""`GET /live/stream` over HTTP: role filtering, resuming by Last-Event-ID, no relay → 503."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pingan.auth.roles import Role
from pingan.bus.outbox import Event


def _events(first: int, n: int, type_: str = "incident.received") -> list[Event]:
    return [
        Event(f"e{i}", type_, "incident", str(i), 1, {"incident_id": i},
              datetime(2026, 7, 28, tzinfo=UTC), i)
        for i in range(first, first + n)
    ]  # fmt: skip


def _frames(text: str) -> list[dict]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "event" in fields:
            out.append({**fields, "data": json.loads(fields.get("data", "{}"))})
    return out


def test_stream_resumes_after_the_last_event_id(client, accounts):
    hub = client.app.state.live.attach()
    hub.publish(_events(1, 3))
    headers = accounts.headers(Role.DISPATCHER)
    first = _frames(client.get("/api/v1/live/stream?until_idle=0.2", headers=headers).text)
    assert first[0]["event"] == "resync"  # no cursor: load the snapshot, then follow
    hub.publish(_events(4, 2))
    resumed = _frames(
        client.get(
            "/api/v1/live/stream?until_idle=0.2",
            headers={**headers, "Last-Event-ID": first[0]["id"]},
        ).text
    )
    assert [f["data"]["event_id"] for f in resumed] == ["e4", "e5"]
    again = _frames(
        client.get(
            "/api/v1/live/stream?until_idle=0.2",
            headers={**headers, "Last-Event-ID": resumed[0]["id"]},
        ).text
    )
    assert [f["data"]["event_id"] for f in again] == ["e5"]  # no duplicate, no gap


def test_roles_see_only_the_families_they_may_read(client, accounts):
    hub = client.app.state.live.attach()
    hub.publish(_events(1, 1, "device.alert") + _events(2, 1, "incident.received"))
    cursor = f"{hub.epoch}:0"
    url = f"/api/v1/live/stream?until_idle=0.2&cursor={cursor}"
    volunteer = _frames(client.get(url, headers=accounts.headers(Role.VOLUNTEER)).text)
    commander = _frames(client.get(url, headers=accounts.headers(Role.COMMANDER)).text)
    assert [f["event"] for f in volunteer] == ["incident.received"]
    assert [f["event"] for f in commander] == ["device.alert", "incident.received"]
    assert client.get(url, headers=accounts.headers(Role.CITIZEN)).status_code == 403


def test_without_a_relay_in_the_process_the_stream_says_so(client, accounts):
    r = client.get("/api/v1/live/stream", headers=accounts.headers(Role.DISPATCHER))
    assert r.status_code == 503 and r.json()["code"] == "live_unavailable"
