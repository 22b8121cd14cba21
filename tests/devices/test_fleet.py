"""The simulated fleet: deterministic plan, plausible movement near Kangbashi, commands."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from pingan.devices.fleet import Fleet, grid_streets, plan, to_lonlat
from pingan.devices.protocol import Channel, decode

from .conftest import register, wait_until


def test_plan_is_deterministic_and_mixes_kinds():
    p = plan(2000)
    assert p == plan(2000) and len({s for s, _ in p}) == 2000
    kinds = {k for _, k in p}
    assert kinds == {"smart_car", "body_camera", "radio", "patrol_robot", "drone"}
    assert p[0] == ("SIM-CAR-0001", "smart_car")


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return Fleet(plan(200), seed=3)


def test_devices_move_at_their_speed_near_kangbashi(fleet):
    x0, y0 = fleet.x.copy(), fleet.y.copy()
    battery = fleet.battery.copy()
    fleet.step(10.0)
    moved = np.hypot(fleet.x - x0, fleet.y - y0)
    assert np.all(moved <= fleet.speed * 10.0 + 1e-6)  # never faster than the device's speed
    assert np.median(moved / (fleet.speed * 10.0)) > 0.5
    assert np.all(fleet.battery < battery)
    for _ in range(120):
        fleet.step(5.0)
    lon, lat = to_lonlat(fleet.x, fleet.y)
    assert 109.68 < lon.min() < lon.max() < 109.88
    assert 39.54 < lat.min() < lat.max() < 39.68


def test_messages_follow_the_protocol(fleet):
    now = time.time()
    for i in (0, 199):
        t = decode(Channel.TELEMETRY, fleet.telemetry(i, now), max_bytes=8192)
        assert abs(t.ts.timestamp() - now) < 1e-3 and 0 <= t.heading_deg < 360
    assert decode(Channel.STATUS, fleet.status(150, now), max_bytes=8192).state == "busy"


def test_devices_answer_commands(fleet):
    drone = next(s for s, k in zip(fleet.serials, fleet.kinds, strict=True) if k == "drone")
    mission = {
        "command_id": "c1",
        "command": {
            "type": "mission",
            "waypoints": [{"lon": 109.79, "lat": 39.60}, {"lon": 109.80, "lat": 39.60}],
        },
    }
    ack = json.loads(fleet.command(drone, json.dumps(mission).encode(), time.time()))
    assert ack["result"] == "done" and ack["command_id"] == "c1"
    i = fleet.index[drone]
    assert to_lonlat(fleet.tx[i], fleet.ty[i])[0] == pytest.approx(109.79)
    radio = fleet.serials[fleet.kinds.index("radio")]
    refused = {"command_id": "c2", "command": {"type": "broadcast", "text": "x"}}
    assert json.loads(fleet.command(radio, json.dumps(refused).encode(), 0))["result"] == "rejected"
    assert fleet.command("not-ours", json.dumps(refused).encode(), 0) is None


def test_generated_grid_is_a_working_fallback():
    grid = grid_streets(250.0, 3)
    f = Fleet(plan(20), seed=1, streets={"drive": grid, "walk": grid})
    f.step(30.0)
    assert f.streets_source == "generated grid"
    on_street = (
        np.isclose(f.x % 250.0, 0) | np.isclose(f.y % 250.0, 0) | np.isclose(f.x % 250.0, 250)
    )
    walkers = [i for i, k in enumerate(f.kinds) if k in ("smart_car", "body_camera", "radio")]
    assert on_street[walkers].all()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_simulator_over_the_broker_into_the_gateway(db, make_hub, mqtt_url):
    from pingan.devices.cli import register_fleet
    from pingan.devices.simulator import simulate

    devices = plan(50, "T")
    assert register_fleet(db, devices) == 50
    hub = make_hub(mqtt_url=mqtt_url)
    report = simulate(Fleet(devices), mqtt_url, hz=5, duration_s=1.0, status_every_s=0.5)
    assert 230 <= report.telemetry <= 260 and report.status >= 50
    wait_until(
        lambda: hub.counters.accepted["telemetry"] == report.telemetry,
        what="every simulated fix accepted",
    )
    assert not hub.counters.rejected
    assert hub.stats()["live"]["live"] == 50
    assert register(db, "X-1") == 0 and register_fleet(db, devices) == 0
