"""Dispatch over HTTP on the sample city and both stores: recommend, assign, re-assign,
routes, isochrones, coverage and response reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely

from pingan.auth.roles import Role
from pingan.geo.city import load_key_areas, sample_paths
from tests.helpers import bind, create_incident, create_unit, report_fix

AREAS, _ = load_key_areas(sample_paths()[1])


def centre(code: str) -> tuple[float, float]:
    p = shapely.Polygon(AREAS[code].polygon).representative_point()
    return p.x, p.y


FOUNTAIN = centre("music_fountain")
SQUARE = centre("central_square")


def unit_at(client, accounts, call_sign, kind, where, **extra):
    return create_unit(
        client,
        accounts.headers(Role.COMMANDER),
        call_sign,
        kind=kind,
        post_lon=where[0],
        post_lat=where[1],
        **extra,
    )


@pytest.fixture
def fight(client, accounts):
    return create_incident(
        client, accounts.headers(Role.DISPATCHER), type="fight", lon=FOUNTAIN[0], lat=FOUNTAIN[1]
    )


def test_recommendation_fills_the_run_card_soonest_first_and_explains(client, accounts, fight):
    near = unit_at(client, accounts, "PTU-近", "ptu", (FOUNTAIN[0] + 0.002, FOUNTAIN[1]))
    far = unit_at(client, accounts, "PTU-远", "ptu", SQUARE)
    car = unit_at(client, accounts, "巡-1", "patrol_car", SQUARE)
    unit_at(client, accounts, "交-1", "traffic", SQUARE)  # fits no line of a fight's card
    r = client.get(
        f"/api/v1/incidents/{fight['id']}/recommendation", headers=accounts.headers(Role.DISPATCHER)
    )
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["plan_type"] == "fight" and rec["complete"]
    assert rec["unit_ids"][0] == near["id"]
    assert set(rec["unit_ids"]) == {near["id"], far["id"], car["id"]}
    etas = [p["eta_s"] for p in rec["picks"]]
    assert etas == sorted(etas) and all(e > 0 for e in etas)
    first = rec["picks"][0]
    assert "PTU-近" in first["text_zh"] and "ETA" in first["text_en"]
    # the dispatcher confirms: assign exactly what was recommended
    r = client.post(
        f"/api/v1/incidents/{fight['id']}/dispatch",
        json={"unit_ids": rec["unit_ids"]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200 and r.json()["state"] == "dispatched"


def test_unmet_requirements_and_refusals_are_explained(client, accounts, fight):
    unit_at(client, accounts, "步-1", "foot_patrol", (FOUNTAIN[0] + 0.001, FOUNTAIN[1]))
    create_unit(
        client,
        accounts.headers(Role.COMMANDER),
        "PTU-无位置",
        kind="ptu",
        post_lon=None,
        post_lat=None,
    )
    rec = client.get(
        f"/api/v1/incidents/{fight['id']}/recommendation", headers=accounts.headers(Role.DISPATCHER)
    ).json()
    assert rec["complete"] is False and rec["unmet"]
    assert all(u["text_zh"] and u["text_en"] for u in rec["unmet"])
    assert any("位置" in r["reason_zh"] for r in rec["refused"])


def test_stale_positions_fall_back_to_the_post(client, accounts, fight):
    unit = unit_at(client, accounts, "PTU-旧", "ptu", FOUNTAIN)
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    client.put(
        f"/api/v1/units/{unit['id']}/position",
        json={"lon": SQUARE[0], "lat": SQUARE[1], "at": old},
        headers=accounts.headers(Role.OFFICER),
    )
    rec = client.get(
        f"/api/v1/incidents/{fight['id']}/recommendation", headers=accounts.headers(Role.DISPATCHER)
    ).json()
    pick = next(p for p in rec["picks"] if p["unit_id"] == unit["id"])
    assert pick["from_post"] is True and "岗点" in pick["text_zh"]


def test_reassignment_to_a_sooner_freed_unit(client, accounts, fight):
    disp = accounts.headers(Role.DISPATCHER)
    far = unit_at(client, accounts, "PTU-远", "ptu", SQUARE)
    client.post(
        f"/api/v1/incidents/{fight['id']}/dispatch", json={"unit_ids": [far["id"]]}, headers=disp
    )
    near = unit_at(client, accounts, "PTU-近", "ptu", (FOUNTAIN[0] + 0.001, FOUNTAIN[1]))
    suggestions = client.get(f"/api/v1/units/{near['id']}/reassignments", headers=disp).json()
    assert [s["incident_id"] for s in suggestions] == [fight["id"]]
    s = suggestions[0]
    assert s["replaces_unit_id"] == far["id"] and s["freed_eta_s"] < s["current_eta_s"]
    r = client.post(
        f"/api/v1/incidents/{fight['id']}/reassign",
        json={"from_unit_id": far["id"], "to_unit_id": near["id"]},
        headers=disp,
    )
    assert r.status_code == 200, r.text
    kinds = [e["kind"] for e in r.json()["timeline"]]
    assert kinds[-2:] == ["reassigned", "unit_released"]
    assert client.get(f"/api/v1/units/{far['id']}", headers=disp).json()["status"] == "available"
    assert client.get(f"/api/v1/units/{near['id']}", headers=disp).json()["status"] == "dispatched"
    # the released unit is now the free one, and farther: no suggestion back
    assert client.get(f"/api/v1/units/{far['id']}/reassignments", headers=disp).json() == []
    r = client.post(
        f"/api/v1/incidents/{fight['id']}/reassign",
        json={"from_unit_id": near["id"], "to_unit_id": near["id"]},
        headers=disp,
    )
    assert r.status_code == 422


def test_route_and_eta_for_a_unit(client, accounts):
    unit = unit_at(client, accounts, "巡-1", "patrol_car", SQUARE)
    r = client.get(
        f"/api/v1/units/{unit['id']}/route",
        params={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "drive" and body["eta_s"] > 0 and body["length_m"] > 0
    assert body["geometry"]["type"] == "LineString" and len(body["geometry"]["coordinates"]) > 2
    for (lon, lat), code in (
        ((109.86, 39.60), "no_route"),
        ((116.4, 39.9), "outside_service_area"),
    ):
        r = client.get(  # off the network but in the service area; in another city
            f"/api/v1/units/{unit['id']}/route",
            params={"lon": lon, "lat": lat},
            headers=accounts.headers(Role.DISPATCHER),
        )
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    drone = unit_at(client, accounts, "无人机-1", "drone", SQUARE)
    r = client.get(
        f"/api/v1/units/{drone['id']}/route",
        params={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]},
        headers=accounts.headers(Role.DISPATCHER),
    ).json()
    assert r["mode"] == "fly" and r["geometry"] is None and r["eta_s"] > 45


def test_isochrones_grow_with_time(client, accounts):
    r = client.get(
        "/api/v1/geo/isochrones",
        params={"lon": SQUARE[0], "lat": SQUARE[1]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200
    feats = r.json()["features"]
    assert [f["properties"]["seconds"] for f in feats] == [60, 180, 300]
    areas = [shapely.geometry.shape(f["geometry"]).area for f in feats]
    assert areas[0] < areas[1] < areas[2]
    bad = client.get(
        "/api/v1/geo/isochrones",
        params={"lon": SQUARE[0], "lat": SQUARE[1], "mode": "boat"},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_mode"
    far = client.get(
        "/api/v1/geo/isochrones",
        params={"lon": 0.0, "lat": 0.0},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert far.status_code == 422


def test_coverage_of_key_areas(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    empty = client.get("/api/v1/dispatch/coverage", headers=disp).json()
    assert {a["area_code"] for a in empty} == set(AREAS)
    assert all(v == 0 for a in empty for v in a["share"].values())
    unit_at(client, accounts, "开锁-泉", "locksmith", FOUNTAIN)  # a company's van is no cover
    cov = client.get("/api/v1/dispatch/coverage", headers=disp).json()
    assert all(v == 0 for a in cov for v in a["share"].values())
    unit_at(client, accounts, "步-泉", "foot_patrol", FOUNTAIN)
    cov = {a["area_code"]: a for a in client.get("/api/v1/dispatch/coverage", headers=disp).json()}
    fountain = cov["music_fountain"]["share"]
    assert 0 < fountain["tier1"] <= fountain["tier3"] <= fountain["tier5"] <= 1


def test_city_and_key_areas_say_they_are_synthetic(client, accounts):
    h = accounts.headers(Role.CITIZEN)
    city = client.get("/api/v1/geo/city", headers=h).json()
    assert city["synthetic"] is True and "生成" in city["notice"]["zh"]
    fc = client.get("/api/v1/geo/key-areas", headers=h).json()
    assert len(fc["features"]) == len(AREAS)
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]


def test_response_report_from_stored_timestamps(client, accounts):
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    t0 = datetime.now(UTC) - timedelta(minutes=30)
    for i, secs in enumerate((50, 170, 400)):
        inc = create_incident(
            client, disp, type="theft", received_at=t0.isoformat(), summary=f"盗窃 {i}"
        )
        unit = unit_at(client, accounts, f"巡-{i}", "patrol_car", SQUARE)
        bind(client, accounts, unit["id"])
        base = f"/api/v1/incidents/{inc['id']}"
        client.post(
            f"{base}/dispatch",
            json={"unit_ids": [unit["id"]], "at": (t0 + timedelta(seconds=10)).isoformat()},
            headers=disp,
        )
        arrived = t0 + timedelta(seconds=secs)
        report_fix(client, officer, unit["id"], (inc["lon"], inc["lat"]), arrived)
        r = client.post(
            f"{base}/units/{unit['id']}/on-scene",
            json={"at": arrived.isoformat()},
            headers=officer,
        )
        assert r.status_code == 200, r.text
    create_incident(client, disp, type="lost_item", received_at=t0.isoformat())
    r = client.get(
        "/api/v1/reports/response", params={"by": "type"}, headers=accounts.headers(Role.COMMANDER)
    )
    assert r.status_code == 200
    rows = {row["group"]: row for row in r.json()["rows"]}
    theft = rows["theft"]
    assert theft["responded"] == theft["verified"] == 3 and theft["no_arrival"] == 0
    assert theft["overridden"] == theft["unverified"] == 0
    assert theft["within"] == {
        "tier1": pytest.approx(1 / 3),
        "tier3": pytest.approx(2 / 3),
        "tier5": pytest.approx(2 / 3),
    }
    assert theft["p50_s"] == 170
    assert rows["all"]["incidents"] == 4 and rows["lost_item"]["no_arrival"] == 1
    bad = client.get(
        "/api/v1/reports/response",
        params={"by": "colour"},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert bad.status_code == 422


def test_a_filed_locksmith_is_never_sent_to_an_incident(client, accounts):
    """A locksmith's van attends no incident type: an explicit dispatch is refused with its
    reason and the van stays free for the unlock service."""
    disp = accounts.headers(Role.DISPATCHER)
    van = unit_at(client, accounts, "开锁-派", "locksmith", FOUNTAIN)
    call = create_incident(client, disp, type="disturbance", lon=FOUNTAIN[0], lat=FOUNTAIN[1])
    r = client.post(f"/api/v1/incidents/{call['id']}/dispatch", json={"unit_ids": [van["id"]]},
                    headers=disp)  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unit_not_for_incidents"
    assert client.get(f"/api/v1/units/{van['id']}", headers=disp).json()["status"] == "available"
    assert client.get(f"/api/v1/incidents/{call['id']}", headers=disp).json()["assignments"] == []
