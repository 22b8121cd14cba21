"""Bad input gets a 4xx problem with a reason and writes nothing."""

from __future__ import annotations

import pytest

from pingan.auth.roles import Role
from tests.helpers import bind, counts, incident_body


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"type": "alien_landing"}, "unknown_incident_type"),
        ({"lon": 200.0}, "bad_coordinates"),
        ({"lat": -95.0}, "bad_coordinates"),
        ({"crs": "bd09"}, "validation_failed"),
        ({"reporter_phone": "12345"}, "bad_phone"),
        ({"reporter_id_number": "110105194912310021"}, "bad_id_number"),
        ({"reporter_id_number": "11010519491331002X"}, "bad_id_number"),
        ({"summary": "   "}, "empty_summary"),
        ({"priority": 9}, "validation_failed"),
        ({"received_at": "2026-07-28T20:00:00"}, "validation_failed"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "future_time"),
        ({"unexpected_field": 1}, "validation_failed"),
    ],
)
def test_bad_incident_reports_are_refused_and_write_nothing(client, accounts, override, code):
    before = counts(client, accounts)
    r = client.post(
        "/api/v1/incidents",
        json=incident_body(**override),
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == code
    assert problem["status"] == 422 and problem["title"] and problem["detail"]
    assert problem["type"].startswith("urn:pingan:problem:")
    assert counts(client, accounts) == before


def test_nan_coordinates_are_refused(client, accounts):
    body = '{"type":"theft","summary":"x","lon":NaN,"lat":39.6}'
    r = client.post(
        "/api/v1/incidents",
        content=body,
        headers={**accounts.headers(Role.DISPATCHER), "Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_malformed_json_is_422(client, accounts):
    r = client.post(
        "/api/v1/incidents",
        content=b"{not json",
        headers={**accounts.headers(Role.DISPATCHER), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"


def test_oversized_body_is_413_before_parsing(client, accounts):
    before = counts(client, accounts)
    r = client.post(
        "/api/v1/incidents",
        json=incident_body(summary="x" * 2_000_000),
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert counts(client, accounts) == before


def test_unknown_route_and_method_are_problems(client):
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert client.delete("/api/v1/incidents").status_code == 405


def test_bad_unit_input(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    r = client.post("/api/v1/units", json={"call_sign": "X1", "kind": "tank"}, headers=cmd)
    assert r.status_code == 422 and r.json()["code"] == "bad_unit_kind"
    r = client.post(
        "/api/v1/units", json={"call_sign": "X1", "kind": "ptu", "post_lon": 109.7}, headers=cmd
    )
    assert r.status_code == 422
    ok = client.post("/api/v1/units", json={"call_sign": "X1", "kind": "ptu"}, headers=cmd)
    assert ok.status_code == 201 and ok.json()["crew_size"] == 4
    r = client.post("/api/v1/units", json={"call_sign": "X1", "kind": "ptu"}, headers=cmd)
    assert r.status_code == 409
    uid = ok.json()["id"]
    bind(client, accounts, uid)  # the officer crews it, so the coordinates are what is refused
    officer = accounts.headers(Role.OFFICER)
    r = client.put(
        f"/api/v1/units/{uid}/position", json={"lon": 109.78, "lat": 91}, headers=officer
    )
    assert r.status_code == 422
    assert (
        client.put(
            "/api/v1/units/999/position", json={"lon": 109.78, "lat": 39.6}, headers=officer
        ).status_code
        == 404
    )


def test_dispatching_a_missing_or_duplicate_unit(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = client.post("/api/v1/incidents", json=incident_body(), headers=disp).json()
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [42]}, headers=disp
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [1, 1]}, headers=disp
    )
    assert r.status_code == 422
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=disp).json()
    assert detail["state"] == "received" and detail["assignments"] == []


@pytest.mark.parametrize("big", [2**31, 2**63, 2**64])
def test_ids_and_offsets_beyond_the_integer_columns_are_refused(client, accounts, big):
    disp = accounts.headers(Role.DISPATCHER)
    for path in (f"/api/v1/incidents/{big}", f"/api/v1/incidents?offset={big}"):
        r = client.get(path, headers=disp)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
    inc = client.post("/api/v1/incidents", json=incident_body(), headers=disp).json()
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [big]}, headers=disp
    )
    assert r.status_code == 422 and "unit_ids" in r.json()["detail"]
    # the store's connection is still fine afterwards
    assert client.get(f"/api/v1/incidents/{inc['id']}", headers=disp).status_code == 200


def test_nul_byte_in_login_is_refused_and_the_next_login_works(client, accounts):
    r = client.post("/api/v1/auth/login", json={"username": "admin\x001", "password": "x"})
    assert r.status_code == 422 and "U+0000" in r.json()["detail"]
    r = client.post(
        "/api/v1/auth/login", json={"username": "admin1", "password": "Correct-horse-9"}
    )
    assert r.status_code == 200


def test_control_characters_are_refused_except_line_breaks_in_free_text(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    before = counts(client, accounts)
    for field, value in (
        ("summary", "打架\x00"),
        ("address", "喷泉\n南侧"),
        ("reporter_name", "李\x07"),
    ):
        r = client.post("/api/v1/incidents", json=incident_body(**{field: value}), headers=disp)
        assert r.status_code == 422 and field in r.json()["detail"], r.text
    assert counts(client, accounts) == before
    ok = client.post(
        "/api/v1/incidents", json=incident_body(summary="两人冲突\n一人受伤\t已报120"), headers=disp
    )
    assert ok.status_code == 201 and ok.json()["summary"] == "两人冲突\n一人受伤\t已报120"


def test_nul_byte_in_a_query_parameter_is_refused(client, accounts):
    r = client.get("/api/v1/incidents?type=fight%00", headers=accounts.headers(Role.DISPATCHER))
    assert r.status_code == 422 and r.json()["code"] == "control_character"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "0001-01-01T00:00:00Z"])
def test_times_must_be_iso_text_in_a_sane_range(client, accounts, value):
    r = client.get(
        "/api/v1/incidents", params={"until": value}, headers=accounts.headers(Role.DISPATCHER)
    )
    assert r.status_code == 422 and "until" in r.json()["detail"], r.text


def test_chunked_body_over_the_limit_is_413_not_400(client, accounts):
    limit = client.app.state.settings.max_body_bytes

    def chunks():
        for _ in range(limit // 1000 + 2):
            yield b" " * 1000

    r = client.post(
        "/api/v1/incidents",
        content=chunks(),
        headers={**accounts.headers(Role.DISPATCHER), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


def test_405_lists_every_method_the_path_serves(client):
    r = client.delete("/api/v1/incidents")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}


def test_openapi_declares_problem_answers_and_integer_bounds(client):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/incidents/{incident_id}/dispatch"]["post"]
    for status in ("401", "403", "404", "409", "422", "429"):
        assert "application/problem+json" in operation["responses"][status]["content"]
    path_id = next(p for p in operation["parameters"] if p["name"] == "incident_id")
    assert path_id["schema"]["maximum"] == 2**31 - 1
    unit_ids = spec["components"]["schemas"]["DispatchRequest"]["properties"]["unit_ids"]
    assert unit_ids["items"]["maximum"] == 2**31 - 1
