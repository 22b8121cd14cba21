"""Video patrol counts reach the crowd picture: a camera's density, scaled to the key area,
is fused with the area's other sources; a suspect frame adds nothing (never "empty")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pingan.auth.roles import Role
from pingan.bus.registry import Registry
from pingan.bus.relay import Relay
from pingan.bus.transport import InProcessTransport
from pingan.crowd.handlers import fuse_camera_count, reading_from_observation
from pingan.video import scenes
from tests.video.conftest import CROWD_FEET, camera_body, write

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def observation(**over) -> dict:
    base = {
        "camera_code": "CAM-1",
        "area_code": "central_square",
        "at": NOW.isoformat(),
        "count": 12,
        "density_ppm2": 4.8,
        "floor_area_m2": 2.5,
        "suspect": False,
    }
    return base | over


def test_density_is_scaled_to_the_whole_area() -> None:
    r = reading_from_observation(observation(), usable_area_m2=1000.0)
    assert r is not None
    assert (r.source_id, r.kind, r.area_code, r.at) == (
        "video:CAM-1",
        "video",
        "central_square",
        NOW,
    )
    assert r.count == pytest.approx(4800.0)


@pytest.mark.parametrize(
    "over",
    [
        {"suspect": True, "count": None, "density_ppm2": None},  # a broken frame is not zero
        {"area_code": None},  # a premises camera watches no key area
        {"density_ppm2": None},  # a partial view with no density cannot stand for the area
    ],
)
def test_no_reading_when_the_observation_cannot_stand_for_the_area(over) -> None:
    assert reading_from_observation(observation(**over), usable_area_m2=1000.0) is None


def test_a_camera_without_floor_area_counts_as_it_is() -> None:
    obs = observation(density_ppm2=None, floor_area_m2=None)
    assert reading_from_observation(obs, usable_area_m2=1000.0).count == 12


@pytest.fixture
def relay(client, db):
    reg = Registry()
    reg.add("crowd.video", ["video.observation"], fuse_camera_count)
    transport = InProcessTransport(db, reg)
    transport.register()
    yield Relay(db, transport)
    transport.close()


def test_a_patrol_observation_is_fused_into_the_area(client, accounts, relay, tmp_path) -> None:
    h = accounts.headers(Role.COMMANDER)
    body = camera_body(source=write(tmp_path / "crowd.jpg", scenes.scene(CROWD_FEET)))
    assert client.post("/api/v1/video/cameras", json=body, headers=h).status_code == 201
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 truncated")
    dead = camera_body(code="CAM-SQ-02", source=str(broken))
    assert client.post("/api/v1/video/cameras", json=dead, headers=h).status_code == 201

    step = client.post("/api/v1/video/patrol/run", json={}, headers=h)
    assert step.status_code == 200, step.text
    relay.drain()

    areas = {a["area_code"]: a for a in client.get("/api/v1/crowd/areas", headers=h).json()}
    square = areas["central_square"]
    assert square["fresh_sources"] == 1  # the readable camera only; the broken one adds nothing
    assert square["density_ppm2"] == pytest.approx(4.8, rel=0.01)
    assert square["count"] == pytest.approx(4.8 * square["usable_area_m2"], rel=0.01)
    # known, not "unknown": a new level is announced only after its minimum duration holds
    assert square["level"] == "normal" and square["silent_sources"] == []
