"""Units: positions (with GCJ-02 and late fixes), duty status, listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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


def test_units_say_which_incident_they_are_on_and_since_when(client, accounts):
    """The status board's columns: the incident (id and case number), the assignment's state,
    and the moment of the last status change, moved by each change and kept by a fix."""
    disp = accounts.headers(Role.DISPATCHER)
    busy = create_unit(client, accounts.headers(Role.COMMANDER), "巡S01")
    free = create_unit(client, accounts.headers(Role.COMMANDER), "巡S02")
    assert busy["incident_id"] is None and busy["assignment_state"] is None
    inc = create_incident(client, disp)
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [busy["id"]]}, headers=disp
    )
    assert r.status_code == 200, r.text
    auditor = accounts.headers(Role.AUDITOR)  # the board is for auditors too
    items = {
        u["call_sign"]: u for u in client.get("/api/v1/units", headers=auditor).json()["items"]
    }
    on = items["巡S01"]
    assert (on["status"], on["incident_id"], on["case_number"], on["assignment_state"]) == (
        "dispatched", inc["id"], inc["case_number"], "dispatched",
    )  # fmt: skip
    assert on["status_at"] > busy["status_at"]
    assert (
        items["巡S02"]["incident_id"] is None and items["巡S02"]["status_at"] == free["status_at"]
    )
    bind(client, accounts, busy["id"])  # a fix does not move the status clock, and says the call
    fix = client.put(
        f"/api/v1/units/{busy['id']}/position",
        json={"lon": 109.781, "lat": 39.601},
        headers=accounts.headers(Role.OFFICER),
    ).json()
    assert (fix["incident_id"], fix["status_at"]) == (inc["id"], on["status_at"])
    client.post(
        f"/api/v1/incidents/{inc['id']}/units/{busy['id']}/acknowledge", json={}, headers=disp
    )
    one = client.get(f"/api/v1/units/{busy['id']}", headers=disp).json()
    assert (one["status"], one["assignment_state"]) == ("dispatched", "acknowledged")
    client.post(f"/api/v1/incidents/{inc['id']}/units/{busy['id']}/release", json={}, headers=disp)
    one = client.get(f"/api/v1/units/{busy['id']}", headers=disp).json()
    assert (one["status"], one["incident_id"], one["case_number"]) == ("available", None, None)
    assert one["status_at"] > on["status_at"]


def test_call_to_dispatch_targets_are_served_per_priority(client, accounts):
    r = client.get("/api/v1/catalogue/dispatch-targets", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 200
    targets = r.json()
    assert sorted(targets) == ["1", "2", "3", "4"]
    assert targets["1"] < targets["2"] < targets["3"] < targets["4"]  # urgent calls wait least


def test_dispatch_targets_file_must_cover_every_priority(tmp_path):
    from pingan.dispatch.dispatch_targets import dispatch_targets

    bad = tmp_path / "t.yaml"
    bad.write_text("version: 1\nseconds: {1: 60, 2: 90}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="each priority"):
        dispatch_targets(bad)
