"""Licensed premises: register, attach cameras, record video checks, list the overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.auth.roles import Role
from tests.video.conftest import camera_body


def test_checks_move_the_due_date_and_overdue_premises_are_listed(client, accounts):
    c, o = accounts.headers(Role.COMMANDER), accounts.headers(Role.OFFICER)
    body = {
        "name": "康巴什宾馆",
        "kind": "hotel",
        "licence_no": "TZ-2026-001",
        "lon": 109.78,
        "lat": 39.6,
        "check_every_days": 1,
    }
    hotel = client.post("/api/v1/video/premises", json=body, headers=c).json()
    bar = client.post(
        "/api/v1/video/premises",
        headers=c,
        json={
            **body,
            "name": "夜色酒吧",
            "kind": "bar",
            "licence_no": None,
            "check_every_days": 30,
        },
    ).json()
    assert client.post("/api/v1/video/premises", json=body, headers=c).status_code == 409
    cam = client.post(
        "/api/v1/video/cameras",
        headers=c,
        json=camera_body(code="CAM-HT-01", area_code=None, premises_id=hotel["id"]),
    ).json()
    listed = client.get("/api/v1/video/premises?kind=hotel", headers=o).json()
    assert listed["total"] == 1 and listed["items"][0]["camera_ids"] == [cam["id"]]
    assert client.get("/api/v1/video/premises/overdue", headers=o).json() == []

    long_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    r = client.post(
        f"/api/v1/video/premises/{hotel['id']}/checks",
        headers=o,
        json={
            "result": "issues",
            "notes": "前台未登记两名住客身份",
            "camera_ids": [cam["id"]],
            "at": long_ago,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["officer"] == "officer1" and r.json()["result"] == "issues"
    overdue = client.get("/api/v1/video/premises/overdue", headers=o).json()
    assert [p["id"] for p in overdue] == [hotel["id"]]
    assert 1.9 < overdue[0]["overdue_days"] < 2.1 and overdue[0]["camera_ids"] == [cam["id"]]

    r = client.post(
        f"/api/v1/video/premises/{hotel['id']}/checks", headers=o, json={"result": "ok"}
    )
    assert r.status_code == 201
    assert client.get("/api/v1/video/premises/overdue", headers=o).json() == []
    history = client.get(f"/api/v1/video/premises/{hotel['id']}/checks", headers=o).json()
    assert [x["result"] for x in history["items"]] == ["ok", "issues"]
    assert bar["next_due_at"] > hotel["created_at"]


def test_bad_checks_are_refused_and_write_nothing(client, accounts):
    c, o = accounts.headers(Role.COMMANDER), accounts.headers(Role.OFFICER)
    hotel = client.post(
        "/api/v1/video/premises",
        headers=c,
        json={"name": "A", "kind": "hotel", "lon": 109.78, "lat": 39.6},
    ).json()
    other = client.post(
        "/api/v1/video/cameras", headers=c, json=camera_body(code="CAM-OTHER")
    ).json()
    url = f"/api/v1/video/premises/{hotel['id']}/checks"
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for body, code in [
        ({"result": "fine"}, "bad_result"),
        ({"result": "violation"}, "notes_required"),
        ({"result": "ok", "camera_ids": [other["id"]]}, "foreign_camera"),
        ({"result": "ok", "at": future}, "bad_time"),
    ]:
        r = client.post(url, json=body, headers=o)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert client.get(url, headers=o).json()["total"] == 0
    assert (
        client.post(
            "/api/v1/video/premises/999/checks", json={"result": "ok"}, headers=o
        ).status_code
        == 404
    )
    assert (
        client.post(url, json={"result": "ok"}, headers=accounts.headers(Role.AUDITOR)).status_code
        == 403
    )
    for bad in ({"kind": "casino"}, {"check_every_days": 0}, {"lat": 95}):
        body = {"name": "B", "kind": "hotel", "lon": 109.78, "lat": 39.6, **bad}
        assert client.post("/api/v1/video/premises", json=body, headers=c).status_code == 422
    assert client.get("/api/v1/video/premises", headers=o).json()["total"] == 1
