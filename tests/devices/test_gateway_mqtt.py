"""Over the real Mosquitto broker: telemetry in, commands out and acks back, on both stores."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from pingan.auth.roles import Role
from pingan.devices import service
from pingan.devices.models import DeviceCommand, PositionFix
from pingan.devices.protocol import Broadcast, Mission, Recording, Waypoint
from pingan.units.models import Unit

from .conftest import ADMIN, KANGBASHI, Device, device_settings, fix, register, wait_until


def test_telemetry_to_live_state_and_batched_store_writes(db, make_hub, mqtt_url):
    unit_id = register(db, "CAR-0101", unit=True)
    register(db, "UAV-0101", "drone")
    hub = make_hub(mqtt_url=mqtt_url)
    dev = Device(mqtt_url, "CAR-0101").connect()
    try:
        for k in range(20):
            dev.send("telemetry", fix(KANGBASHI[0] + k * 1e-4, ago=2 - k * 0.1), qos=0)
        dev.send("telemetry", fix(alt_m=80, battery_pct=64), serial="UAV-0101")
        wait_until(lambda: hub.counters.accepted["telemetry"] == 21, what="21 fixes")
        car = hub.live.get("CAR-0101")
        assert car.lon == pytest.approx(KANGBASHI[0] + 19e-4)
        assert hub.live.get("UAV-0101").alt_m == 80
        flushes = hub.flushes
        wait_until(lambda: hub.flushes > flushes, what="a store batch")
        with db.session() as session:
            unit = session.get(Unit, unit_id)
            kept = session.execute(select(func.count()).select_from(PositionFix)).scalar_one()
        assert unit.lon == pytest.approx(car.lon) and unit.position_at is not None
        assert 2 <= kept <= 5  # thinned by the trail rule (~164 m over 2 s for the car)
        assert hub.stats()["lag_ms"]["samples"] == 21
    finally:
        dev.close()


def test_commands_out_acks_in(db, make_hub, mqtt_url):
    register(db, "UAV-0201", "drone")
    register(db, "BC-0201", "body_camera")
    hub = make_hub(mqtt_url=mqtt_url)
    uav = Device(mqtt_url, "UAV-0201").connect(subscribe=True)
    cam = Device(mqtt_url, "BC-0201").connect(subscribe=True)
    try:
        with db.session() as session:
            mission = Mission(waypoints=[Waypoint(lon=KANGBASHI[0], lat=KANGBASHI[1], alt_m=90)])
            m = service.issue_command(session, ADMIN, "UAV-0201", mission, timeout_s=30)
            b = service.issue_command(
                session, ADMIN, "UAV-0201", Broadcast(text="人员密集，请有序通行"), timeout_s=30
            )
            r = service.issue_command(
                session, ADMIN, "BC-0201", Recording(action="start"), timeout_s=1
            )
        wait_until(lambda: len(uav.commands) == 2 and len(cam.commands) == 1, what="delivery")
        assert uav.commands[0]["command"]["waypoints"][0]["alt_m"] == 90
        assert uav.commands[1]["command"]["text"] == "人员密集，请有序通行"
        ack = lambda cid, result: json.dumps(  # noqa: E731
            {"ts": time.time(), "command_id": cid, "result": result}
        ).encode()
        uav.send("ack", ack(m.command_id, "done"))
        uav.send("ack", ack(b.command_id, "failed"))
        uav.send("ack", ack(r.command_id, "done"))  # another device's command: refused

        def states() -> dict[str, str]:
            with db.session() as session:
                rows = session.execute(select(DeviceCommand.command_id, DeviceCommand.state))
                return dict(rows.all())

        wait_until(
            lambda: (
                states() == {m.command_id: "acked", b.command_id: "failed", r.command_id: "timeout"}
            ),
            timeout=6,
            what="acked / failed / timeout",
        )
        assert hub.counters.rejected["unknown_command"] == 1
        with db.session() as session:
            sent = session.get(DeviceCommand, m.id)
        assert sent.sent_at is not None and sent.result == "done"
    finally:
        uav.close()
        cam.close()


@pytest.fixture
def dev_settings(mqtt_url):
    return device_settings(mqtt_url=mqtt_url)


def test_http_ingest_equals_the_mqtt_path(client, accounts, db, mqtt_url):
    """The same bytes give the same live state and the same refusals by either path."""
    register(db, "RB-0301", "patrol_robot")
    register(db, "RB-0302", "patrol_robot")
    hub = client.app.state.device_hub
    hub.registry_changed()
    assert hub.gateway.subscribed.wait(10)
    officer = accounts.headers(Role.OFFICER)
    dev = Device(mqtt_url, "RB-0301").connect()
    at = time.time() - 1
    messages = [
        (
            "telemetry",
            json.dumps({"ts": at, "lon": 109.781, "lat": 39.6, "battery_pct": 55}).encode(),
        ),
        ("status", json.dumps({"ts": at, "state": "busy", "battery_pct": 54}).encode()),
        ("telemetry", b"{not json"),
        ("telemetry", json.dumps({"ts": at, "lon": 109.781}).encode()),
        ("status", b"y" * 10_000),
        ("telemetry", json.dumps({"ts": at - 5, "lon": 100.0, "lat": 30.0}).encode()),  # older
    ]
    try:
        for channel, body in messages:
            before = hub.counters.snapshot()
            dev.send(channel, body)
            wait_until(
                lambda b=before: (
                    hub.counters.snapshot()["by_source"].get("mqtt", 0)
                    > b["by_source"].get("mqtt", 0)
                ),
                what="mqtt message counted",
            )
            mid = hub.counters.snapshot()
            client.post(f"/api/v1/devices/RB-0302/{channel}", content=body, headers=officer)
            after = hub.counters.snapshot()
            assert _delta(before, mid) == _delta(mid, after), channel
    finally:
        dev.close()
    views = {
        d["serial"]: d
        for d in client.get("/api/v1/devices/live", headers=officer).json()["devices"]
    }
    a, b = views["RB-0301"], views["RB-0302"]
    for key in ("lon", "lat", "fix_at", "battery_pct", "state", "freshness"):
        assert a[key] == b[key], key
    assert a["state"] == "busy" and a["battery_pct"] == 54 and a["lon"] == 109.781


def _delta(before: dict, after: dict) -> dict:
    out = {}
    for group in ("accepted", "rejected"):
        for k, v in after[group].items():
            if v != before[group].get(k, 0):
                out[f"{group}.{k}"] = v - before[group].get(k, 0)
    out["superseded"] = after["events"].get("superseded", 0) - before["events"].get("superseded", 0)
    return out
