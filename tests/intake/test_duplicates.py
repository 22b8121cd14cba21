"""Duplicate calls: open incidents near in place and time are offered; attaching is audited."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.roles import Role
from pingan.db.base import utcnow
from pingan.geo.coords import haversine_m
from pingan.incidents.duplicates import rules
from tests.helpers import FOUNTAIN, create_incident

DUP = "/api/v1/intake/duplicates"


def offered(client, headers, type_code, lon, lat) -> list[dict]:  # type: ignore[no-untyped-def]
    r = client.get(DUP, params={"type": type_code, "lon": lon, "lat": lat}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_same_type_nearby_is_offered_far_or_other_type_is_not(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    fight = create_incident(client, disp)
    theft = create_incident(client, disp, type="theft", summary="钱包被偷")
    near = (FOUNTAIN[0] + 0.002, FOUNTAIN[1])  # ~170 m east
    assert haversine_m(*near, *FOUNTAIN) < rules().default.distance_m
    got = offered(client, disp, "fight", *near)
    assert [d["incident"]["id"] for d in got] == [fight["id"]]
    assert got[0]["same_type"] is True and 150 < got[0]["distance_m"] < 200
    far = (FOUNTAIN[0] + 0.01, FOUNTAIN[1])  # ~860 m
    assert offered(client, disp, "fight", *far) == []
    assert [d["incident"]["id"] for d in offered(client, disp, "theft", *near)] == [theft["id"]]
    assert offered(client, disp, "lost_item", *near) == []


def test_same_family_is_offered_after_the_same_type(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    dispute = create_incident(client, disp, type="disturbance", summary="两人争吵")
    fight = create_incident(client, disp, lon=FOUNTAIN[0] + 0.001)
    got = offered(client, disp, "fight", *FOUNTAIN)
    assert [d["incident"]["id"] for d in got] == [fight["id"], dispute["id"]]
    assert [d["same_type"] for d in got] == [True, False]


def test_old_or_finished_incidents_are_not_offered(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    window = rules().default.window_s  # 30 min, inside the hour a call may be back-dated
    create_incident(
        client, disp, received_at=(utcnow() - timedelta(seconds=window + 60)).isoformat()
    )
    done = create_incident(client, disp)
    r = client.post(f"/api/v1/incidents/{done['id']}/cancel", json={"reason": "误报"}, headers=disp)
    assert r.status_code == 200
    assert offered(client, disp, "fight", *FOUNTAIN) == []


def test_duplicates_are_for_call_takers_and_check_their_input(client, accounts):
    params = {"type": "fight", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    for role in (Role.CITIZEN, Role.VOLUNTEER, Role.OFFICER, Role.AUDITOR):
        assert client.get(DUP, params=params, headers=accounts.headers(role)).status_code == 403
    disp = accounts.headers(Role.DISPATCHER)
    bad = client.get(DUP, params={**params, "type": "nope"}, headers=disp)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_incident_type"
    away = client.get(DUP, params={**params, "lon": 116.4, "lat": 39.9}, headers=disp)
    assert away.status_code == 422 and away.json()["code"] == "outside_service_area"


def test_attach_records_the_call_masked_with_an_audit_record(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/calls",
        json={"summary": "又有人报警说打起来了", "reporter_phone": "13700001234"},
        headers=disp,
    )
    assert r.status_code == 200, r.text
    detail = r.json()
    step = detail["timeline"][-1]
    assert step["kind"] == "call_attached" and step["note"] == "又有人报警说打起来了"
    assert step["data"] == {"caller": "137****1234", "call_number": 2}
    assert "13700001234" not in r.text
    assert detail["state"] == inc["state"] and detail["id"] == inc["id"]
    audit = client.get(
        "/api/v1/audit",
        params={"action": "incident.call_attached"},
        headers=accounts.headers(Role.AUDITOR),
    ).json()
    rows = [a for a in audit["items"] if a["action"] == "incident.call_attached"]
    assert len(rows) == 1 and rows[0]["actor"] == "dispatcher1"
    assert "13700001234" not in str(rows[0])
    again = client.post(
        f"/api/v1/incidents/{inc['id']}/calls", json={"summary": "第三个电话"}, headers=disp
    )
    assert again.json()["timeline"][-1]["data"] == {"caller": None, "call_number": 3}
    listed = client.get("/api/v1/incidents", headers=disp).json()
    assert listed["total"] == 1  # attached, not a new incident


def test_attach_is_refused_to_other_roles_and_on_finished_incidents(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    url = f"/api/v1/incidents/{inc['id']}/calls"
    for role in (Role.CITIZEN, Role.VOLUNTEER, Role.OFFICER, Role.AUDITOR, Role.ADMIN):
        r = client.post(url, json={"summary": "x"}, headers=accounts.headers(role))
        assert r.status_code == 403
    r = client.post(url, json={"summary": "x", "reporter_phone": "12"}, headers=disp)
    assert r.status_code == 422 and r.json()["code"] == "bad_phone"
    client.post(f"/api/v1/incidents/{inc['id']}/cancel", json={"reason": "误报"}, headers=disp)
    r = client.post(url, json={"summary": "x"}, headers=disp)
    assert r.status_code == 409
    r = client.post("/api/v1/incidents/999999/calls", json={"summary": "x"}, headers=disp)
    assert r.status_code == 404
