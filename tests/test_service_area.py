"""Places outside the city's service area are refused by every domain that takes a point:
a 422 problem with the same code and a reason, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.deployment.service import configured_posts
from pingan.errors import ValidationFailed
from pingan.geo.area import ServiceArea
from pingan.geo.city import load_city
from pingan.geo.input import validated_point
from tests.helpers import FOUNTAIN, create_unit, incident_body
from tests.services.conftest import GUARDIAN_ID, ago, found_body, lost_body
from tests.video.conftest import camera_body

FAR = [(0.0, 0.0), (180.0, 90.0)]  # (lon, lat): the null island and the north-east corner
S = "/api/v1/services"


def missing_body(lon: float, lat: float) -> dict[str, Any]:
    return {
        "kind": "elder",
        "name": "王大爷",
        "description": "老人，白发，拄拐杖",
        "lon": lon,
        "lat": lat,
        "last_seen_at": ago(minutes=30),
        "guardian_name": "王先生",
        "guardian_phone": "13612345678",
        "guardian_id_number": GUARDIAN_ID,
    }


def read(lon: float, lat: float) -> dict[str, Any]:
    return {"plate": "蒙K85123", "camera_id": "P-1", "lon": lon, "lat": lat, "at": ago(minutes=1)}


def found_person(lon: float, lat: float) -> dict[str, Any]:
    return {"kind": "child", "description": "男孩", "lon": lon, "lat": lat, "at": ago(minutes=1)}


def breakdown(lon: float, lat: float) -> dict[str, Any]:
    place = {"lon": lon, "lat": lat}
    return {**place, "vehicle": "白色轿车", "problem": "爆胎", "phone": "13512345678"}


def unit_post(lon: float, lat: float) -> dict[str, Any]:
    return {"call_sign": "巡Z99", "kind": "patrol_car", "post_lon": lon, "post_lat": lat}


def premises(lon: float, lat: float) -> dict[str, Any]:
    return {"name": "如家酒店", "kind": "hotel", "lon": lon, "lat": lat}


def car_find(lon: float, lat: float) -> dict[str, Any]:
    return {"plate": "蒙K85123", "lon": lon, "lat": lat, "reason": "协查 / assist"}


Body = Callable[[float, float], dict[str, Any]]
# domain: (path, role, body for a place); every one is a POST
ENDPOINTS: dict[str, tuple[str, Role, Body]] = {
    "incident": ("/api/v1/incidents", Role.DISPATCHER, lambda x, y: incident_body(lon=x, lat=y)),
    "unit_post": ("/api/v1/units", Role.COMMANDER, unit_post),
    "camera": (
        "/api/v1/video/cameras",
        Role.COMMANDER,
        lambda x, y: camera_body(lon=x, lat=y, area_code=None),
    ),
    "premises": ("/api/v1/video/premises", Role.COMMANDER, premises),
    "lost_item": (f"{S}/lost-found/lost", Role.CITIZEN, lambda x, y: lost_body(lon=x, lat=y)),
    "found_item": (f"{S}/lost-found/found", Role.VOLUNTEER, lambda x, y: found_body(lon=x, lat=y)),
    "missing_last_seen": (f"{S}/missing", Role.CITIZEN, missing_body),
    "found_person": (f"{S}/missing/found-persons", Role.VOLUNTEER, found_person),
    "plate_read": (f"{S}/parking/reads", Role.OFFICER, lambda x, y: {"reads": [read(x, y)]}),
    "car_find": (f"{S}/parking/find", Role.OFFICER, car_find),
    "breakdown": (f"{S}/breakdowns", Role.CITIZEN, breakdown),
}


def audit_total(client, accounts) -> int:
    return client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).json()["total"]


def assert_outside(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "outside_service_area"
    assert "服务范围" in problem["detail"]  # requests without Accept-Language: Chinese


@pytest.mark.parametrize("point", FAR, ids=["0,0", "180,90"])
@pytest.mark.parametrize("domain", list(ENDPOINTS))
def test_places_outside_the_service_area_are_refused_on_every_create(
    client, accounts, domain, point
):
    path, role, body = ENDPOINTS[domain]
    before = audit_total(client, accounts)
    r = client.post(path, json=body(*point), headers=accounts.headers(role))
    assert_outside(r)
    assert audit_total(client, accounts) == before  # nothing written


@pytest.mark.parametrize("domain", list(ENDPOINTS))
def test_the_same_requests_inside_the_city_are_accepted(client, accounts, domain):
    """The refusal above is the place, not the rest of the body."""
    path, role, body = ENDPOINTS[domain]
    r = client.post(path, json=body(*FOUNTAIN), headers=accounts.headers(role))
    if domain == "car_find":  # a query: the place passes, no read of the plate is stored
        assert r.status_code == 404 and r.json()["code"] == "no_sighting", r.text
    else:
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("point", FAR, ids=["0,0", "180,90"])
def test_unit_positions_and_sightings_outside_the_service_area_are_refused(client, accounts, point):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "步Z01", kind="foot_patrol")
    fix = {"lon": point[0], "lat": point[1], "at": ago(seconds=1)}
    url = f"/api/v1/units/{unit['id']}/position"
    assert_outside(client.put(url, json=fix, headers=accounts.headers(Role.DISPATCHER)))
    report = client.post(
        f"{S}/missing", json=missing_body(*FOUNTAIN), headers=accounts.headers(Role.CITIZEN)
    ).json()
    sighting = {"lon": point[0], "lat": point[1], "at": ago(minutes=1)}
    url = f"{S}/missing/{report['id']}/sightings"
    assert_outside(client.post(url, json=sighting, headers=accounts.headers(Role.VOLUNTEER)))


def test_gcj02_far_away_is_refused_after_conversion():
    with pytest.raises(ValidationFailed) as info:
        validated_point(116.397, 39.909, "gcj02")  # Beijing: a real place, not this city
    assert info.value.code == "outside_service_area"


def test_the_service_area_is_the_city_bounds_widened_by_the_configured_margin(tmp_path):
    city = load_city(cache_dir=tmp_path)
    w, s, e, n = city.bounds
    area = city.service_area(Settings(data_dir=tmp_path).service_area_margin_km)
    assert area.west < w < e < area.east and area.south < s < n < area.north
    assert area.contains(*FOUNTAIN) and not area.contains(0.0, 0.0)
    tight = ServiceArea.around(city.bounds, 0.0)
    assert tight.bounds == pytest.approx(city.bounds)
    wide = ServiceArea.around(city.bounds, 10.0)
    assert wide.north - n == pytest.approx(10_000 / 111_195, rel=1e-3)  # 10 km of latitude
    assert not wide.contains(float("nan"), 39.6)


def test_a_configured_post_outside_the_service_area_refuses_the_plan(tmp_path):
    posts = tmp_path / "posts.yaml"
    posts.write_text(
        "posts:\n"
        "  - {code: kiosk_ok, kind: kiosk, name_zh: 喷泉警务亭, name_en: Fountain kiosk,\n"
        f"     lon: {FOUNTAIN[0]}, lat: {FOUNTAIN[1]}, capacity: 2, unit_types: [foot_patrol]}}\n"
        "  - {code: kiosk_far, kind: kiosk, name_zh: 远方警务亭, name_en: Far kiosk,\n"
        "     lon: 0.0, lat: 0.0, capacity: 2, unit_types: [foot_patrol]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as info:
        configured_posts(load_city(cache_dir=tmp_path), posts)
    assert info.value.code == "outside_service_area" and "kiosk_far" in info.value.detail
    assert "kiosk_ok" not in info.value.detail
