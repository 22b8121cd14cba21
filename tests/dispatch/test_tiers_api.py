"""`GET /reports/response/tiers` on both stores: the tiers of a key-area fight from stored
assignments and verified arrivals, on the clock from the call and from the dispatch order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import shapely

from pingan.auth.roles import Role
from pingan.geo.city import load_key_areas, sample_paths
from tests.helpers import bind, create_incident, create_unit, report_fix

AREAS, _ = load_key_areas(sample_paths()[1])
_inside = shapely.Polygon(AREAS["music_fountain"].polygon).representative_point()
FOUNTAIN = (_inside.x, _inside.y)  # inside the key area's polygon: a key-area incident


def _tiers(client, accounts, **params):  # type: ignore[no-untyped-def]
    r = client.get(
        "/api/v1/reports/response/tiers", params=params, headers=accounts.headers(Role.COMMANDER)
    )
    return r


def test_tiers_report_times_a_key_area_fight_on_both_clocks(client, accounts):
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    inc = create_incident(
        client,
        disp,
        type="fight",
        priority=1,
        received_at=t0.isoformat(),
        lon=FOUNTAIN[0],
        lat=FOUNTAIN[1],
    )
    cars = [
        create_unit(client, accounts.headers(Role.COMMANDER), f"巡T{i}")["id"] for i in range(3)
    ]
    base = f"/api/v1/incidents/{inc['id']}"
    r = client.post(
        f"{base}/dispatch",
        json={"unit_ids": cars, "at": (t0 + timedelta(seconds=20)).isoformat()},
        headers=disp,
    )
    assert r.status_code == 200, r.text
    for unit, secs in zip(cars, (45, 150, 320), strict=True):
        bind(client, accounts, unit)
        arrived = t0 + timedelta(seconds=secs)
        report_fix(client, officer, unit, FOUNTAIN, arrived)
        r = client.post(
            f"{base}/units/{unit}/on-scene", json={"at": arrived.isoformat()}, headers=officer
        )
        assert r.status_code == 200, r.text

    r = _tiers(client, accounts, by="area_type", since=(t0 - timedelta(seconds=1)).isoformat())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["clocks"]["call"]["name_zh"] == "从接警起"
    assert body["clocks"]["dispatch"]["name_en"] == "from the dispatch order"
    assert body["targets"]["key_area"]["1"] == {"tier1": 60, "tier3": 180, "tier5": 300}
    assert [t["code"] for t in body["tiers"]] == ["tier1", "tier3", "tier5"]
    rows = {(row["group"], row["tier"]): row for row in body["rows"]}
    assert set(rows) == {(g, t) for g in ("all", "key_area") for t in ("tier1", "tier3", "tier5")}
    first, card = rows[("key_area", "tier1")], rows[("key_area", "tier5")]
    assert (first["p50_from_call_s"], first["p50_from_dispatch_s"]) == (45, 25)
    assert (card["p50_from_call_s"], card["p50_from_dispatch_s"]) == (320, 300)
    assert (card["met_from_call"], card["met_from_dispatch"]) == (0, 1)
    assert rows[("key_area", "tier3")]["p50_from_dispatch_s"] == 130

    bad = _tiers(client, accounts, by="colour")
    assert bad.status_code == 422 and "未知分组" in bad.json()["detail"]
    assert _tiers(client, accounts).json()["rows"][0]["group"] == "all"
    refused = client.get("/api/v1/reports/response/tiers", headers=accounts.headers(Role.OFFICER))
    assert refused.status_code == 403
