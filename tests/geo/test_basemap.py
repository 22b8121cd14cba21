"""`GET /geo/roads`: the road network the command map draws instead of tiles."""

from __future__ import annotations

from pingan.auth.roles import Role


def test_roads_cover_the_drive_network(client, accounts):
    r = client.get("/api/v1/geo/roads", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 200
    drawn = [f for f in r.json()["features"] if f["properties"]["class"] != "name"]
    features = {f["properties"]["class"]: f for f in drawn}
    assert set(features) == {"major", "minor"}
    city = client.app.state.city.get()
    segments = city.graphs["drive"].segments.u.shape[0]
    assert sum(f["properties"]["segments"] for f in features.values()) == segments
    for f in features.values():
        lines = f["geometry"]["coordinates"]
        assert len(lines) == f["properties"]["segments"]
        west, south, east, north = city.bounds
        eps = 1e-6  # coordinates are rounded to 6 decimals
        assert all(
            west - eps <= x <= east + eps and south - eps <= y <= north + eps
            for line in lines
            for x, y in line
        )


def test_roads_name_the_main_roads_in_both_languages(client, accounts):
    """The map's road-name labels: one feature per named main road, Chinese and English."""
    r = client.get("/api/v1/geo/roads", headers=accounts.headers(Role.CITIZEN))
    names = [f for f in r.json()["features"] if f["properties"]["class"] == "name"]
    by_zh = {f["properties"]["name_zh"]: f for f in names}
    assert by_zh["鄂尔多斯大街"]["properties"]["name_en"] == "Ordos Avenue"
    assert len(by_zh["鄂尔多斯大街"]["geometry"]["coordinates"]) == 2  # both carriageways
    assert "商业步行街" not in by_zh  # a pedestrian street is no main road
    assert {f["properties"]["highway"] for f in names} <= {"primary", "secondary", "tertiary"}
    west, south, east, north = client.app.state.city.get().bounds
    eps = 1e-3  # the drive graph keeps the largest connected part: a named way may reach past it
    for f in names:
        for line in f["geometry"]["coordinates"]:
            assert len(line) >= 2
            assert all(west - eps <= x <= east + eps for x, _ in line)
            assert all(south - eps <= y <= north + eps for _, y in line)
