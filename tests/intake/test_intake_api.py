"""The intake form's read-only helpers: places, naming a point, units for a call not yet entered."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN, create_unit


def test_places_search_by_pinyin_initials_for_map_readers(client, accounts):
    for role in (Role.DISPATCHER, Role.VOLUNTEER, Role.AUDITOR):
        r = client.get(
            "/api/v1/geo/places", params={"q": "yypq", "limit": 2}, headers=accounts.headers(role)
        )
        assert r.status_code == 200, r.text
        first = r.json()[0]
        assert (first["code"], first["kind"], first["name_zh"]) == (
            "music_fountain", "key_area", "音乐喷泉",
        )  # fmt: skip
        assert len(r.json()) == 2
    assert client.get("/api/v1/geo/places", params={"q": "yypq"}).status_code == 401
    bad = client.get(
        "/api/v1/geo/places", params={"q": ""}, headers=accounts.headers(Role.DISPATCHER)
    )
    assert bad.status_code == 422


def test_place_name_of_a_point(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    hit = client.get("/api/v1/geo/places", params={"q": "经4路与"}, headers=disp).json()[0]
    r = client.get(
        "/api/v1/geo/place-name", params={"lon": hit["lon"], "lat": hit["lat"]}, headers=disp
    )
    assert r.status_code == 200
    assert r.json()["name_zh"] == hit["name_zh"] and r.json()["distance_m"] == 0
    r = client.get("/api/v1/geo/place-name", params={"lon": 116.4, "lat": 39.9}, headers=disp)
    assert r.status_code == 422


def test_recommendation_before_the_incident_exists(client, accounts):
    cmd, disp = accounts.headers(Role.COMMANDER), accounts.headers(Role.DISPATCHER)
    car = create_unit(client, cmd, "巡-1")
    ptu = create_unit(client, cmd, "PTU-1", kind="ptu")
    url = "/api/v1/intake/recommendation"
    params = {"type": "fight", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    r = client.get(url, params=params, headers=disp)
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["incident_id"] is None and rec["plan_type"] == "fight"
    assert set(rec["unit_ids"]) <= {car["id"], ptu["id"]} and rec["unit_ids"]
    assert all(p["eta_s"] > 0 for p in rec["picks"])
    assert client.get("/api/v1/incidents", headers=disp).json()["total"] == 0  # nothing stored
    for role in (Role.OFFICER, Role.CITIZEN, Role.AUDITOR):
        assert client.get(url, params=params, headers=accounts.headers(role)).status_code == 403
    bad = client.get(url, params={**params, "type": "nope"}, headers=disp)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_incident_type"
    low = client.get(url, params={**params, "priority": 4}, headers=disp)
    assert low.status_code == 200 and low.json()["plan_priority"] in (None, 4)
