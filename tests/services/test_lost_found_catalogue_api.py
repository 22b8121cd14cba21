"""Lost and found over HTTP on both stores: categories by any of their names, a place from
the gazetteer instead of a point, and how many matches a caller asks for."""

from __future__ import annotations

import pytest

from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN
from tests.services.conftest import found_body, lost_body

API = "/api/v1/services/lost-found"
NEW = ("id_card", "documents", "cards", "cash", "electronics", "bicycle", "ebike", "pet",
       "luggage", "watch")  # fmt: skip


def by_name(place: str) -> dict:  # type: ignore[type-arg]
    """A lost report that names its place instead of giving a point."""
    return lost_body(lon=None, lat=None, place=place)


def _audit(client, accounts, item_id: int) -> dict:  # type: ignore[no-untyped-def]
    records = client.get(
        "/api/v1/audit",
        params={"object_type": "help_item", "limit": 200},
        headers=accounts.headers(Role.AUDITOR),
    ).json()["items"]
    return next(
        r for r in records if r["object_id"] == str(item_id) and r["action"].endswith("registered")
    )


def _place(client, accounts, name: str) -> dict:  # type: ignore[no-untyped-def]
    hits = client.get(
        "/api/v1/geo/places", params={"q": name, "limit": 1}, headers=accounts.headers(Role.OFFICER)
    ).json()
    assert hits and hits[0]["name_zh"] == name, hits
    return hits[0]


def test_the_catalogue_lists_codes_and_both_names_only(client, accounts):
    cats = client.get("/api/v1/catalogue/item-categories", headers=accounts.headers(Role.CITIZEN))
    assert cats.status_code == 200, cats.text
    by_code = {c["code"]: c for c in cats.json()}
    assert set(NEW) <= set(by_code)
    assert by_code["id_card"] == {"code": "id_card", "name_zh": "身份证", "name_en": "ID card"}
    assert all(set(c) == {"code", "name_zh", "name_en"} for c in cats.json())


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("ID", "id_card"),
        ("id_card", "id_card"),
        ("Id Card", "id_card"),
        ("身份证", "id_card"),
        ("E-bike", "ebike"),
        ("电瓶车", "ebike"),
        ("document", "documents"),
        ("证件", "documents"),
        ("Mobile Phone", "phone"),
        ("拉杆箱", "luggage"),
    ],
)
def test_a_category_by_any_of_its_names_is_stored_as_its_code(client, accounts, given, code):
    r = client.post(
        f"{API}/lost", json=lost_body(category=given), headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 201, r.text
    assert r.json()["item"]["category"] == code
    assert _audit(client, accounts, r.json()["item"]["id"])["detail"]["category"] == code


def test_the_new_categories_register(client, accounts):
    officer = accounts.headers(Role.OFFICER)
    for code in NEW:
        body = found_body(category=code, description=f"拾到物品一件（{code}）", brand=None)
        r = client.post(f"{API}/found", json=body, headers=officer)
        assert r.status_code == 201, (code, r.text)
        assert r.json()["item"]["category"] == code
    assert client.get(f"{API}/items", headers=officer).json()["total"] == len(NEW)


def test_an_unknown_category_is_refused_with_the_known_codes(client, accounts):
    citizen = accounts.headers(Role.CITIZEN)
    r = client.post(f"{API}/lost", json=lost_body(category="飞船"), headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "bad_category"
    assert "飞船" in r.json()["detail"] and "id_card" in r.json()["detail"]
    assert client.get(f"{API}/items", headers=citizen).json()["total"] == 0


def test_the_public_listing_filters_by_any_name_of_a_category(client, accounts):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    bike = found_body(category="bike", description="拾到蓝色山地自行车一辆", brand=None)
    assert client.post(f"{API}/found", json=bike, headers=officer).status_code == 201
    assert client.post(f"{API}/found", json=found_body(), headers=officer).status_code == 201
    for name in ("bicycle", "单车", "Bicycles"):
        listed = client.get(f"{API}/public", params={"category": name}, headers=citizen).json()
        assert [i["category"] for i in listed["items"]] == ["bicycle"], name
    r = client.get(f"{API}/public", params={"category": "spaceship"}, headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "bad_category"


@pytest.mark.parametrize(
    ("place", "kind", "area"),
    [
        ("音乐喷泉", "key_area", "music_fountain"),
        ("经4路", "road", None),
        ("经4路与鄂尔多斯大街交叉口", "crossing", None),
    ],
)
def test_a_place_from_the_gazetteer_stands_in_for_a_point(client, accounts, place, kind, area):
    citizen = accounts.headers(Role.CITIZEN)
    spot = _place(client, accounts, place)
    assert spot["kind"] == kind
    body = by_name(place)
    r = client.post(f"{API}/lost", json=body, headers=citizen)
    assert r.status_code == 201, r.text
    item = r.json()["item"]
    assert (item["lon"], item["lat"]) == (pytest.approx(spot["lon"]), pytest.approx(spot["lat"]))
    assert item["place"] == place and item["area_code"] == area
    detail = _audit(client, accounts, item["id"])["detail"]
    assert detail["location_source"] == "gazetteer" and detail["gazetteer_place"] == spot["code"]


def test_a_place_in_pinyin_or_english_or_inside_words(client, accounts):
    citizen = accounts.headers(Role.CITIZEN)
    fountain = _place(client, accounts, "音乐喷泉")
    for given in ("yinyuepenquan", "Music Fountain", "音乐喷泉南侧台阶"):
        r = client.post(f"{API}/lost", json=by_name(given), headers=citizen)
        assert r.status_code == 201, (given, r.text)
        item = r.json()["item"]
        assert (item["lon"], item["lat"]) == (fountain["lon"], fountain["lat"])
        assert item["place"] == given


def test_a_point_given_is_kept_and_an_unknown_place_is_refused_with_close_names(client, accounts):
    citizen = accounts.headers(Role.CITIZEN)
    given = lost_body(place="音乐喷泉")  # a point and a place: the point is where it was
    item = client.post(f"{API}/lost", json=given, headers=citizen).json()["item"]
    assert (item["lon"], item["lat"]) == FOUNTAIN
    assert _audit(client, accounts, item["id"])["detail"]["location_source"] == "given"

    body = by_name("音乐喷水")
    r = client.post(f"{API}/lost", json=body, headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "unknown_place", r.text
    assert "音乐喷水" in r.json()["detail"] and "音乐喷泉" in r.json()["detail"]
    en = client.post(f"{API}/lost", json=body, headers={**citizen, "Accept-Language": "en"})
    assert "Music Fountain" in en.json()["detail"] and "音乐喷泉" not in en.json()["detail"]
    r = client.post(f"{API}/lost", json=by_name("qqqq"), headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "unknown_place"
    # neither a point nor a place: the refusal as before
    r = client.post(f"{API}/lost", json=lost_body(lon=None, lat=None), headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "no_place"
    # a point outside the city: refused as before, even with a place the city knows
    outside = lost_body(lon=116.39, lat=39.91, place="音乐喷泉")
    r = client.post(f"{API}/lost", json=outside, headers=citizen)
    assert r.status_code == 422 and r.json()["code"] == "outside_service_area"
    assert client.get(f"{API}/items", headers=citizen).json()["total"] == 1


def test_matches_take_a_limit_from_1_to_50(client, accounts):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    for i in range(7):
        body = found_body(description=f"拾到黑色华为手机一部，编号{i}", lon=FOUNTAIN[0] + 0.001 * i)
        assert client.post(f"{API}/found", json=body, headers=officer).status_code == 201
    lost = client.post(f"{API}/lost", json=lost_body(), headers=citizen).json()["item"]
    url = f"{API}/items/{lost['id']}/matches"
    assert len(client.get(url, headers=citizen).json()) == 5
    assert len(client.get(url, params={"limit": 2}, headers=citizen).json()) == 2
    everything = client.get(url, params={"limit": 50}, headers=citizen).json()
    assert len(everything) == 7
    assert everything[:5] == client.get(url, headers=citizen).json()  # the same order
    for bad in (0, 51, "many"):
        assert client.get(url, params={"limit": bad}, headers=citizen).status_code == 422


def test_the_alert_threshold_is_read_only_from_the_catalogue(client, accounts):
    """The desk marks matches at the registry's own alert threshold (settings.yaml)."""
    from pingan.services import settings

    r = client.get("/api/v1/catalogue/lost-found", headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 200, r.text
    assert r.json() == {"alert_threshold": settings.lost_found()["alert_threshold"]}
    assert (
        client.post(
            "/api/v1/catalogue/lost-found", headers=accounts.headers(Role.ADMIN)
        ).status_code
        == 405
    )


def test_the_desk_lists_items_by_category_under_any_of_its_names(client, accounts):
    officer = accounts.headers(Role.OFFICER)
    phone = client.post(f"{API}/found", json=found_body(), headers=officer).json()["item"]
    card = client.post(
        f"{API}/found",
        json=found_body(category="id_card", description="拾到身份证一张", brand=None),
        headers=officer,
    ).json()["item"]
    for given in ("id_card", "身份证"):
        r = client.get(f"{API}/items", params={"category": given, "kind": "found"}, headers=officer)
        assert r.status_code == 200, r.text
        ids = [i["id"] for i in r.json()["items"]]
        assert card["id"] in ids and phone["id"] not in ids
        assert {i["category"] for i in r.json()["items"]} == {"id_card"}
    r = client.get(f"{API}/items", params={"category": "飞船"}, headers=officer)
    assert r.status_code == 422 and r.json()["code"] == "bad_category"
