"""The HTTP ingest path: live state, batched store writes, refusals counted, on both stores."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.devices.models import Device, PositionFix
from pingan.devices.protocol import topic
from pingan.units.models import Unit

from .conftest import KANGBASHI, fix, register

API = "/api/v1/devices"


def hub(client):
    return client.app.state.device_hub


def test_telemetry_reaches_live_state_then_the_store_in_a_batch(client, accounts, db):
    unit_id = register(db, "CAR-0001", unit=True)
    hub(client).registry_changed()
    officer = accounts.headers(Role.OFFICER)
    for k in range(5):
        r = client.post(
            f"{API}/CAR-0001/telemetry",
            content=fix(KANGBASHI[0] + k * 1e-3, ago=5 - k, speed_mps=9.5, battery_pct=70),
            headers=officer,
        )
        assert r.status_code == 202, r.text
    live = client.get(f"{API}/live", headers=officer).json()
    (car,) = live["devices"]
    assert car["lon"] == KANGBASHI[0] + 4e-3 and car["freshness"] == "live"
    assert live["units"][0]["unit_id"] == unit_id and live["counts"]["live"] == 1
    hub(client).flush()
    with db.session() as session:
        device = session.execute(select(Device)).scalar_one()
        unit = session.get(Unit, unit_id)
        fixes = session.execute(select(PositionFix).order_by(PositionFix.at)).scalars().all()
    assert device.lon == car["lon"] and device.battery_pct == 70
    assert (unit.lon, unit.lat) == (car["lon"], car["lat"])
    assert len(fixes) == 5  # 86 m apart: every one kept
    assert fixes[0].lon_e6 == round(KANGBASHI[0] * 1e6) and fixes[0].speed_dms == 95
    track = client.get(f"{API}/CAR-0001/track", headers=officer).json()
    assert [round(p["lon"], 6) for p in track] == [
        round(KANGBASHI[0] + k * 1e-3, 6) for k in range(5)
    ]


def test_refusals_have_problem_details_and_are_counted(client, accounts, db):
    register(db, "RD-0001", "radio")
    hub(client).registry_changed()
    officer = accounts.headers(Role.OFFICER)
    cases = [
        ("NOPE-1", "telemetry", fix(), 404, "unknown_device"),
        ("RD-0001", "telemetry", b"{oops", 422, "malformed_json"),
        ("RD-0001", "telemetry", b'{"ts":1,"lon":500,"lat":0}', 422, "invalid_message"),
        ("RD-0001", "telemetry", fix(ago=-3600), 422, "bad_time"),
        ("RD-0001", "telemetry", b"x" * 9000, 413, "oversized"),
        (
            "RD-0001",
            "ack",
            json.dumps({"ts": time.time(), "command_id": "nope", "result": "done"}).encode(),
            404,
            "unknown_command",
        ),
    ]
    for serial, channel, body, status, code in cases:
        r = client.post(f"{API}/{serial}/{channel}", content=body, headers=officer)
        assert r.status_code == status, (code, r.text)
        assert r.json()["code"] == code
    stats = client.get(f"{API}/gateway/stats", headers=accounts.headers(Role.AUDITOR)).json()
    assert stats["rejected"] == {
        "unknown_device": 1,
        "malformed_json": 1,
        "invalid_message": 1,
        "bad_time": 1,
        "oversized": 1,
        "unknown_command": 1,
    }
    assert stats["by_source"] == {"http": 6} and stats["mqtt"] == {"configured": False}


def test_status_and_alert(client, accounts, db):
    register(db, "RB-0009", "patrol_robot")
    hub(client).registry_changed()
    officer = accounts.headers(Role.OFFICER)
    status = {"ts": time.time(), "state": "charging", "battery_pct": 35}
    assert client.post(f"{API}/RB-0009/status", json=status, headers=officer).status_code == 202
    alert = {
        "ts": time.time(),
        "type": "crowd_density",
        "level": "critical",
        "count": 2300,
        "lon": KANGBASHI[0],
        "lat": KANGBASHI[1],
    }
    assert client.post(f"{API}/RB-0009/alert", json=alert, headers=officer).status_code == 202
    live = client.get(f"{API}/live", headers=officer).json()["devices"][0]
    assert (live["state"], live["battery_pct"], live["freshness"]) == ("charging", 35, "unknown")
    with db.session() as session:
        event = session.execute(
            select(OutboxEvent).where(OutboxEvent.type == "device.alert")
        ).scalar_one()
    assert event.payload["count"] == 2300 and event.payload["level"] == "critical"


def test_positions_outside_the_service_area_are_refused_and_counted(client, accounts, db):
    register(db, "CAR-0002")
    hub(client).registry_changed()
    officer = accounts.headers(Role.OFFICER)
    far = [(0.0, 0.0), (180.0, 90.0)]
    for lon, lat in far:
        r = client.post(f"{API}/CAR-0002/telemetry", content=fix(lon, lat), headers=officer)
        assert r.status_code == 422 and r.json()["code"] == "outside_service_area", r.text
        assert "服务范围" in r.json()["detail"]
        alert = {"ts": time.time(), "type": "sos", "level": "critical", "lon": lon, "lat": lat}
        r = client.post(f"{API}/CAR-0002/alert", json=alert, headers=officer)
        assert r.status_code == 422 and r.json()["code"] == "outside_service_area", r.text
    for lon, lat in far:  # the MQTT path counts the same refusal and never raises
        hub(client).ingestor.on_mqtt(topic("CAR-0002", "telemetry"), fix(lon, lat))
    stats = client.get(f"{API}/gateway/stats", headers=accounts.headers(Role.AUDITOR)).json()
    assert stats["rejected"] == {"outside_service_area": 6}
    (car,) = client.get(f"{API}/live", headers=officer).json()["devices"]
    assert car["lon"] is None and car["lat"] is None  # no position was taken


def test_a_mission_leaving_the_service_area_is_refused(client, accounts):
    client.post(
        API, json={"serial": "UAV-0001", "kind": "drone"}, headers=accounts.headers(Role.COMMANDER)
    )
    waypoints = [{"lon": KANGBASHI[0], "lat": KANGBASHI[1]}, {"lon": 0.0, "lat": 0.0}]
    mission = {"command": {"type": "mission", "waypoints": waypoints}}
    disp = accounts.headers(Role.DISPATCHER)
    r = client.post(f"{API}/UAV-0001/commands", json=mission, headers=disp)
    assert r.status_code == 422 and r.json()["code"] == "outside_service_area", r.text
    listed = client.get(f"{API}/UAV-0001/commands", headers=disp).json()
    assert listed["items"] == []
