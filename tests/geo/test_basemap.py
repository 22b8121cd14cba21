"""`GET /geo/roads`: the road network the command map draws instead of tiles."""

from __future__ import annotations

from pingan.auth.roles import Role


def test_roads_cover_the_drive_network(client, accounts):
    r = client.get("/api/v1/geo/roads", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 200
    features = {f["properties"]["class"]: f for f in r.json()["features"]}
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
