"""The closed loop over HTTP on both stores: timeline, response time, refused steps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN, bind, create_incident, create_unit, report_fix


def test_full_lifecycle_records_every_step(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    officer = accounts.headers(Role.OFFICER)
    received = datetime.now(UTC) - timedelta(minutes=10)
    inc = create_incident(client, disp, received_at=received.isoformat())
    assert re.fullmatch(r"JQ\d{8}-\d{4}", inc["case_number"])
    assert inc["priority"] == 1 and inc["state"] == "received"
    assert inc["reporter_phone_masked"] == "139****5678"
    assert "13912345678" not in str(inc)
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡A01")
    bind(client, accounts, unit["id"])
    base = f"/api/v1/incidents/{inc['id']}"

    r = client.post(
        f"{base}/dispatch",
        json={"unit_ids": [unit["id"]], "at": (received + timedelta(seconds=20)).isoformat()},
        headers=disp,
    )
    assert r.status_code == 200, r.text and r.json()["state"] == "dispatched"
    report_fix(client, officer, unit["id"], FOUNTAIN, received + timedelta(seconds=145))
    for step, secs in (("acknowledge", 30), ("en-route", 40), ("on-scene", 150)):
        r = client.post(
            f"{base}/units/{unit['id']}/{step}",
            json={"at": (received + timedelta(seconds=secs)).isoformat()},
            headers=officer,
        )
        assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "on_scene"
    assert body["response_seconds"] == 150 and body["response_tier"] == "tier3"
    assert client.get(f"/api/v1/units/{unit['id']}", headers=disp).json()["status"] == "on_scene"

    r = client.post(f"{base}/resolve", json={"outcome": "双方已调解"}, headers=officer)
    assert r.json()["state"] == "resolved"
    assert client.get(f"/api/v1/units/{unit['id']}", headers=disp).json()["status"] == "available"
    r = client.post(f"{base}/close", json={"note": "结案"}, headers=disp)
    assert r.status_code == 200 and r.json()["state"] == "closed"

    timeline = r.json()["timeline"]
    assert [e["kind"] for e in timeline] == [
        "received",
        "dispatched",
        "acknowledged",
        "en_route",
        "on_scene",
        "resolved",
        "closed",
    ]
    assert [e["seq"] for e in timeline] == list(range(1, 8))
    assert all(e["actor"] for e in timeline)
    times = [e["at"] for e in timeline]
    assert times == sorted(times)


def test_an_illegal_transition_is_409_with_its_reason(client, accounts):
    """What a refused step leaves unchanged: tests/incidents/test_refused_steps.py."""
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    r = client.post(f"/api/v1/incidents/{inc['id']}/close", json={}, headers=disp)
    assert r.status_code == 409
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "illegal_transition" and "已接警" in problem["detail"]
    en = client.post(
        f"/api/v1/incidents/{inc['id']}/close", json={}, headers={**disp, "Accept-Language": "en"}
    ).json()
    assert en["detail"] == "cannot close an incident that is received; allowed from: resolved"


def test_unit_steps_never_go_backwards(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡A02")
    base = f"/api/v1/incidents/{inc['id']}"
    client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp)
    report_fix(client, disp, unit["id"], FOUNTAIN)
    assert (
        client.post(f"{base}/units/{unit['id']}/on-scene", json={}, headers=disp).status_code == 200
    )
    r = client.post(f"{base}/units/{unit['id']}/acknowledge", json={}, headers=disp)
    assert r.status_code == 409
    r = client.post(f"{base}/units/999/acknowledge", json={}, headers=disp)
    assert r.status_code == 404


def test_second_unit_and_merge(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    cmd = accounts.headers(Role.COMMANDER)
    first = create_incident(client, disp)
    dup = create_incident(client, disp, summary="同一冲突的重复报警")
    u1, u2 = (
        create_unit(client, cmd, "PTU-1", kind="ptu"),
        create_unit(client, cmd, "步-1", kind="foot_patrol"),
    )
    base = f"/api/v1/incidents/{first['id']}"
    client.post(f"{base}/dispatch", json={"unit_ids": [u1["id"]]}, headers=disp)
    r = client.post(f"{base}/dispatch", json={"unit_ids": [u2["id"]]}, headers=disp)
    assert r.status_code == 200 and len(r.json()["assignments"]) == 2
    r = client.post(
        f"/api/v1/incidents/{dup['id']}/merge", json={"into_id": first["id"]}, headers=disp
    )
    assert r.status_code == 200 and r.json()["state"] == "merged"
    assert r.json()["merged_into_id"] == first["id"]
    r = client.post(
        f"/api/v1/incidents/{first['id']}/merge", json={"into_id": dup["id"]}, headers=disp
    )
    assert r.status_code == 409


def test_case_numbers_are_unique_and_sequential(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    numbers = [create_incident(client, disp)["case_number"] for _ in range(3)]
    suffixes = [int(n.split("-")[1]) for n in numbers]
    assert suffixes == [1, 2, 3]


def test_gcj02_input_is_stored_as_wgs84(client, accounts):
    from pingan.geo.coords import haversine_m, wgs84_to_gcj02

    g = wgs84_to_gcj02(109.7835, 39.5993)
    inc = create_incident(
        client, accounts.headers(Role.DISPATCHER), lon=g.lon, lat=g.lat, crs="gcj02"
    )
    assert haversine_m(inc["lon"], inc["lat"], 109.7835, 39.5993) < 0.05


def test_list_filters_and_paging(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    for i in range(3):
        create_incident(client, disp, type="theft", summary=f"盗窃{i}")
    create_incident(client, disp, type="lost_item", area_code="lakeside")
    page = client.get("/api/v1/incidents?type=theft&limit=2", headers=disp).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    page = client.get("/api/v1/incidents?area=lakeside", headers=disp).json()
    assert [i["type_code"] for i in page["items"]] == ["lost_item"]
    page = client.get("/api/v1/incidents?state=closed", headers=disp).json()
    assert page["total"] == 0
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = client.get("/api/v1/incidents", params={"since": future}, headers=disp)
    assert r.json()["total"] == 0
    assert client.get("/api/v1/incidents?state=bogus", headers=disp).status_code == 422


def test_citizen_sees_only_own_reports(client, accounts):
    citizen = accounts.headers(Role.CITIZEN)
    mine = create_incident(
        client, citizen, type="lost_item", source="citizen_app", summary="在湖边丢了黑色钱包"
    )
    other = create_incident(client, accounts.headers(Role.DISPATCHER))
    page = client.get("/api/v1/incidents", headers=citizen).json()
    assert [i["id"] for i in page["items"]] == [mine["id"]]
    assert client.get(f"/api/v1/incidents/{other['id']}", headers=citizen).status_code == 404
    r = client.post("/api/v1/incidents", json={**_body(), "source": "call_110"}, headers=citizen)
    assert r.status_code == 422


def _body():
    from tests.helpers import incident_body

    return incident_body()


def test_reporter_contact_is_unmasked_only_for_dispatch_and_audited(client, accounts):
    inc = create_incident(
        client, accounts.headers(Role.DISPATCHER), reporter_id_number="11010519491231002X"
    )
    assert inc["reporter_id_masked"] == "1101**********002X"
    r = client.get(
        f"/api/v1/incidents/{inc['id']}/reporter", headers=accounts.headers(Role.DISPATCHER)
    )
    assert r.json()["reporter_phone"] == "13912345678"
    assert r.json()["reporter_id_number"] == "11010519491231002X"
    audit = client.get(
        "/api/v1/audit?action=incident.read_pii", headers=accounts.headers(Role.AUDITOR)
    ).json()
    assert audit["total"] == 1 and audit["items"][0]["actor"] == "dispatcher1"
    r = client.get(
        f"/api/v1/incidents/{inc['id']}/reporter", headers=accounts.headers(Role.OFFICER)
    )
    assert r.status_code == 403
