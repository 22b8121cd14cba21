"""A patrol step end to end on both stores: frame → count → observation → outbox event →
crowding incident → auto-dispatch; a broken camera is suspect, never empty."""

from __future__ import annotations

from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.video import scenes
from tests.dispatch.test_dispatch_api import SQUARE, unit_at
from tests.dispatch.test_handlers import relay  # noqa: F401 - the relay fixture
from tests.video.conftest import CROWD_FEET, camera_body, write


def _camera(client, accounts, **body) -> dict:
    r = client.post(
        "/api/v1/video/cameras", json=camera_body(**body), headers=accounts.headers(Role.COMMANDER)
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_gathering_opens_a_crowding_incident_that_is_dispatched(
    client,
    accounts,
    db,
    relay,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    unit_at(client, accounts, "PTU-广场", "ptu", SQUARE)
    unit_at(client, accounts, "步-广场", "foot_patrol", SQUARE)
    crowd = _camera(
        client, accounts, source=write(tmp_path / "crowd.jpg", scenes.scene(CROWD_FEET))
    )
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 truncated")
    dead = _camera(client, accounts, code="CAM-SQ-02", source=str(broken))
    h = accounts.headers(Role.DISPATCHER)
    r = client.post("/api/v1/video/patrol/run", json={}, headers=h)
    assert r.status_code == 200, r.text
    step = r.json()
    by_cam = {o["camera_id"]: o for o in step["checked"]}
    seen = by_cam[crowd["id"]]
    assert seen["count"] == 12 and seen["density_ppm2"] == 4.8 and seen["level"] == "orange"
    assert [e["gat_code"] for e in seen["events"]] == ["11"]
    assert seen["incident_id"] in step["incidents"] and len(step["incidents"]) == 1
    silent = by_cam[dead["id"]]
    assert silent["suspect"] and silent["count"] is None and silent["level"] == "unknown"
    assert silent["reason"] == "frame_undecodable" and silent["incident_id"] is None

    relay.drain()
    inc = client.get(f"/api/v1/incidents/{seen['incident_id']}", headers=h).json()
    assert inc["type_code"] == "crowding" and inc["source"] == "video_analytics"
    assert inc["area_code"] == "central_square" and inc["priority"] == 2
    assert inc["state"] == "dispatched" and inc["assignments"]

    with db.session() as session:
        events = (
            session.execute(select(OutboxEvent).where(OutboxEvent.type == "video.observation"))
            .scalars()
            .all()
        )
        payloads = {e.payload["camera_id"]: e.payload for e in events}
    assert payloads[crowd["id"]]["count"] == 12 and payloads[dead["id"]]["suspect"] is True

    # checked again at once: the open incident is reused, not duplicated
    again = client.post(
        "/api/v1/video/patrol/run", json={"camera_ids": [crowd["id"]]}, headers=h
    ).json()
    assert again["incidents"] == [seen["incident_id"]]
    page = client.get("/api/v1/incidents?type=crowding", headers=h).json()
    assert page["total"] == 1
    obs = client.get(f"/api/v1/video/observations?camera_id={crowd['id']}", headers=h).json()
    assert obs["total"] == 2


def test_the_rota_checks_only_due_cameras_and_intrusion_opens_a_suspicious_incident(
    client, accounts, tmp_path
):
    img = write(tmp_path / "gate.jpg", scenes.scene([(120, 400), (520, 400)]))
    cam = _camera(
        client,
        accounts,
        source=img,
        area_code="museum",
        forbidden_zones=[[[0, 300], [250, 300], [250, 480], [0, 480]]],
    )
    h = accounts.headers(Role.DISPATCHER)
    first = client.post("/api/v1/video/patrol/run", json={}, headers=h).json()
    assert [o["camera_id"] for o in first["checked"]] == [cam["id"]]
    seen = first["checked"][0]
    assert seen["count"] == 2 and [e["kind"] for e in seen["events"]] == ["intrusion"]
    inc = client.get(f"/api/v1/incidents/{seen['incident_id']}", headers=h).json()
    assert inc["type_code"] == "suspicious" and inc["state"] == "received"  # waits for a person
    second = client.post("/api/v1/video/patrol/run", json={}, headers=h).json()
    assert second["checked"] == []  # checked in this window already
    rota = client.get("/api/v1/video/rota?minutes=120", headers=h).json()
    row = rota["cameras"][0]
    assert row["camera_id"] == cam["id"] and row["visits"] >= 4 and row["late_visits"] == 0
    assert (
        client.post("/api/v1/video/patrol/run", json={"camera_ids": [999]}, headers=h).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/video/patrol/run", json={}, headers=accounts.headers(Role.OFFICER)
        ).status_code
        == 403
    )
