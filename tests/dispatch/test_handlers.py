"""The domains' event handlers through the real outbox relay (in-process), on both stores:
a new P1 fight is auto-dispatched, a crowd build-up opens a crowding incident that is then
auto-dispatched, and a freed unit produces re-assignment suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.bus.registry import Registry
from pingan.bus.relay import Relay
from pingan.bus.transport import InProcessTransport
from pingan.dispatch.handlers import auto_dispatch_new_incident, suggest_on_free_unit
from pingan.incidents.handlers import crowd_alert
from tests.dispatch.test_dispatch_api import FOUNTAIN, SQUARE, unit_at
from tests.helpers import create_incident


@pytest.fixture
def relay(client, db):
    """The relay and in-process delivery `pingan serve` runs, with the domains' handlers."""
    reg = Registry()
    reg.add("dispatch.auto", ["incident.received"], auto_dispatch_new_incident)
    reg.add("dispatch.reassign", ["unit.status_changed"], suggest_on_free_unit)
    reg.add("incidents.crowd", ["crowd.level_changed", "crowd.early_warning"], crowd_alert)
    transport = InProcessTransport(db, reg)
    transport.register()
    yield Relay(db, transport)
    transport.close()


def test_a_p1_fight_is_auto_dispatched(client, accounts, relay):
    for i, (kind, where) in enumerate([("ptu", FOUNTAIN), ("ptu", SQUARE), ("patrol_car", SQUARE)]):
        unit_at(client, accounts, f"U{i}", kind, where)
    fight = create_incident(
        client, accounts.headers(Role.DISPATCHER), type="fight", lon=FOUNTAIN[0], lat=FOUNTAIN[1]
    )
    theft = create_incident(client, accounts.headers(Role.DISPATCHER), type="theft")
    relay.drain()
    h = accounts.headers(Role.DISPATCHER)
    done = client.get(f"/api/v1/incidents/{fight['id']}", headers=h).json()
    assert done["state"] == "dispatched" and len(done["assignments"]) == 3
    assert done["timeline"][-1]["actor"] == "auto-dispatch"
    assert client.get(f"/api/v1/incidents/{theft['id']}", headers=h).json()["state"] == "received"


def test_a_crowd_build_up_opens_a_crowding_incident_that_is_dispatched(client, accounts, relay):
    unit_at(client, accounts, "PTU-桥", "ptu", SQUARE)
    unit_at(client, accounts, "步-桥", "foot_patrol", SQUARE)
    start = datetime.now(UTC) - timedelta(seconds=700)
    for t in range(0, 700, 20):
        r = client.post(
            "/api/v1/crowd/readings",
            headers=accounts.headers(Role.OFFICER),
            json={
                "readings": [
                    {
                        "source_id": "gate-b3",
                        "area_code": "bridge_3",
                        "kind": "gate",
                        "at": (start + timedelta(seconds=t)).isoformat(),
                        "count": 7000 + 4 * t,
                    }
                ]
            },
        )
        assert r.status_code == 200
        relay.drain()
    page = client.get(
        "/api/v1/incidents?type=crowding", headers=accounts.headers(Role.DISPATCHER)
    ).json()
    assert page["total"] == 1
    inc = page["items"][0]
    assert inc["area_code"] == "bridge_3" and inc["source"] == "sensor"
    assert inc["priority"] <= 2 and inc["state"] == "dispatched"


def test_a_freed_unit_yields_reassignment_suggestions(client, accounts, relay, db):
    h = accounts.headers(Role.DISPATCHER)
    far = unit_at(client, accounts, "PTU-远", "ptu", SQUARE)
    near = unit_at(client, accounts, "PTU-近", "ptu", FOUNTAIN, on_duty=False)
    inc = create_incident(client, h, type="theft", lon=FOUNTAIN[0], lat=FOUNTAIN[1])
    client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [far["id"]]}, headers=h
    )
    client.put(f"/api/v1/units/{near['id']}/duty", json={"on_duty": True}, headers=h)
    relay.drain()
    with db.session() as s:
        events = (
            s.execute(
                select(OutboxEvent).where(OutboxEvent.type == "dispatch.reassignment_suggested")
            )
            .scalars()
            .all()
        )
    assert [e.payload["replaces_unit_id"] for e in events] == [far["id"]]
    assert events[0].payload["incident_id"] == inc["id"]
