"""Cameras over HTTP on both stores: register, change, retire; bad input is a 4xx and
writes nothing (no camera, no audit record)."""

from __future__ import annotations

import pytest

from pingan.auth.roles import Role
from tests.video.conftest import camera_body


def _totals(client, accounts) -> tuple[int, int]:
    cams = client.get("/api/v1/video/cameras", headers=accounts.headers(Role.AUDITOR)).json()
    aud = client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).json()
    return cams["total"], aud["total"]


def test_register_change_and_retire_a_camera(client, accounts, onnx_model):
    h = accounts.headers(Role.COMMANDER)
    body = camera_body(
        gb28181_id="34020000001320000001", forbidden_zones=[[[0, 0], [100, 0], [100, 100]]]
    )
    r = client.post("/api/v1/video/cameras", json=body, headers=h)
    assert r.status_code == 201, r.text
    cam = r.json()
    assert cam["detector"] == "hog" and cam["status"] == "active" and cam["version"] == 1
    assert cam["roi"] == body["roi"] and cam["area_code"] == "central_square"
    dup = client.post("/api/v1/video/cameras", json=body, headers=h)
    assert dup.status_code == 409
    r = client.patch(
        f"/api/v1/video/cameras/{cam['id']}",
        headers=h,
        json={"detector": "onnx", "model_path": str(onnx_model)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["detector"] == "onnx" and r.json()["version"] == 2
    r = client.get(f"/api/v1/video/cameras/{cam['id']}", headers=accounts.headers(Role.OFFICER))
    assert r.json()["model_path"] == str(onnx_model)
    assert (
        client.post(
            "/api/v1/video/cameras",
            json=camera_body(code="X"),
            headers=accounts.headers(Role.OFFICER),
        ).status_code
        == 403
    )
    r = client.delete(f"/api/v1/video/cameras/{cam['id']}", headers=h)
    assert r.json()["status"] == "retired"
    again = client.patch(f"/api/v1/video/cameras/{cam['id']}", headers=h, json={"name": "新"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"area_code": "moon_base"}, "unknown_area"),
        ({"roi": [[0, 0], [700, 0], [700, 480]]}, "bad_roi"),
        ({"roi": [[0, 0], [10, 10]]}, "bad_roi"),
        ({"roi": [[0, 0], [100, 100], [100, 0], [0, 100]]}, "bad_roi"),  # bow tie
        ({"forbidden_zones": [[[0, 0], [10, 0], [10, 900]]]}, "bad_roi"),
        ({"floor_area_m2": -5}, "bad_floor_area"),
        ({"floor_area_m2": 0}, "bad_floor_area"),
        ({"frame_width": 0}, "bad_frame"),
        ({"gb28181_id": "1234"}, "bad_device_id"),
        ({"detector": "onnx"}, "bad_model"),
        ({"detector": "onnx", "model_path": "/nonexistent/m.onnx"}, "bad_model"),
        ({"source": "ftp://cam/1.jpg"}, "bad_source"),
        ({"lon": 500.0}, "bad_coordinates"),
        ({"premises_id": 999}, "unknown_premises"),
        ({"gathering_count": 0}, "bad_threshold"),
    ],
)
def test_bad_camera_input_is_refused_and_writes_nothing(client, accounts, change, code):
    before = _totals(client, accounts)
    r = client.post(
        "/api/v1/video/cameras",
        json=camera_body(**change),
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert _totals(client, accounts) == before
