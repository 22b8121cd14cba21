"""Units: positions (with GCJ-02 and late fixes), duty status, listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.auth.roles import Role
from pingan.geo.coords import haversine_m, wgs84_to_gcj02
from tests.helpers import bind, create_incident, create_unit


def test_position_updates_keep_the_newest_fix(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "步07", kind="foot_patrol")
    bind(client, accounts, unit["id"])
    officer = accounts.headers(Role.OFFICER)
    now = datetime.now(UTC)
    g = wgs84_to_gcj02(109.781, 39.601)
    r = client.put(
        f"/api/v1/units/{unit['id']}/position",
        json={"lon": g.lon, "lat": g.lat, "crs": "gcj02", "at": now.isoformat()},
        headers=officer,
    )
    assert r.status_code == 200
    assert haversine_m(r.json()["lon"], r.json()["lat"], 109.781, 39.601) < 0.05
    assert r.json()["position_age_s"] < 5
    old = (now - timedelta(minutes=1)).isoformat()
    r = client.put(
        f"/api/v1/units/{unit['id']}/position",
        json={"lon": 109.75, "lat": 39.59, "at": old},
        headers=officer,
    )
    assert abs(r.json()["lon"] - 109.781) < 1e-6  # the late fix did not overwrite


def test_duty_changes_respect_assignments(client, accounts):
    cmd, disp = accounts.headers(Role.COMMANDER), accounts.headers(Role.DISPATCHER)
    unit = create_unit(client, cmd, "巡B01")
    r = client.put(f"/api/v1/units/{unit['id']}/duty", json={"on_duty": False}, headers=disp)
    assert r.json()["status"] == "off_duty"
    inc = create_incident(client, disp)
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp
    )
    assert r.status_code == 409 and r.json()["code"] == "unit_unavailable"
    client.put(f"/api/v1/units/{unit['id']}/duty", json={"on_duty": True}, headers=disp)
    client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp
    )
    r = client.put(f"/api/v1/units/{unit['id']}/duty", json={"on_duty": False}, headers=disp)
    assert r.status_code == 409 and r.json()["code"] == "unit_busy"
    client.post(f"/api/v1/incidents/{inc['id']}/units/{unit['id']}/release", json={}, headers=disp)
    assert client.get(f"/api/v1/units/{unit['id']}", headers=disp).json()["status"] == "available"


def test_list_units_by_kind_and_status(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    create_unit(client, cmd, "P1", kind="ptu")
    create_unit(client, cmd, "D1", kind="drone")
    create_unit(client, cmd, "D2", kind="drone", on_duty=False)
    page = client.get("/api/v1/units?kind=drone&status=available", headers=cmd).json()
    assert [u["call_sign"] for u in page["items"]] == ["D1"]
    assert client.get("/api/v1/units?status=flying", headers=cmd).status_code == 422
