"""The candidate grid finds every pair within the search radius: property-tested over the city,
at a high latitude and across the equator; the issue's pair through the API; the in-memory
index and the store compare the same items; migration 0021 rewrites the stored cells."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from pingan.auth.roles import Role
from pingan.db import migrate
from pingan.geo.coords import EARTH_RADIUS_M, haversine_m
from pingan.services import candidates, lost_found
from pingan.services import settings as rules
from pingan.services.candidates import MatchIndex, cell, cells_around
from pingan.services.models import HelpItem
from tests.helpers import FOUNTAIN
from tests.services.conftest import found_body, lost_body

API = "/api/v1/services/lost-found"
RADIUS = rules.lost_found()["search_radius_m"]
GRID = rules.lost_found()["grid_m"]
REGIONS = {  # (lon range, lat range)
    "city": ((109.70, 109.86), (39.55, 39.65)),
    "high latitude": ((24.0, 25.0), (59.8, 60.2)),
    "equator": ((-0.5, 0.5), (-0.2, 0.2)),
}


def destination(lon: float, lat: float, bearing_deg: float, dist_m: float) -> tuple[float, float]:
    """The point `dist_m` from (lon, lat) along the great circle at `bearing_deg`."""
    p1, l1 = math.radians(lat), math.radians(lon)
    a, b = dist_m / EARTH_RADIUS_M, math.radians(bearing_deg)
    p2 = math.asin(math.sin(p1) * math.cos(a) + math.cos(p1) * math.sin(a) * math.cos(b))
    y = math.sin(b) * math.sin(a) * math.cos(p1)
    l2 = l1 + math.atan2(y, math.cos(a) - math.sin(p1) * math.sin(p2))
    return math.degrees(l2), math.degrees(p2)


def _points(region: str) -> st.SearchStrategy[tuple[float, float]]:
    (lon0, lon1), (lat0, lat1) = REGIONS[region]
    return st.tuples(st.floats(lon0, lon1), st.floats(lat0, lat1))


def _pair_is_found(lon: float, lat: float, bearing: float, dist: float, radius: float) -> None:
    lon2, lat2 = destination(lon, lat, bearing, dist)
    assume(haversine_m(lon, lat, lon2, lat2) <= radius)
    around = cells_around(lon, lat, radius)
    assert cell(lon2, lat2) in around
    assert len(set(around)) == len(around)
    # Not much more than needed: every cell's centre is within the radius plus a cell diagonal.
    step = GRID / candidates.M_PER_DEG
    for x, y in around:
        centre = ((x + 0.5) * step, (y + 0.5) * step)
        assert haversine_m(lon, lat, *centre) <= radius + 1.5 * GRID


BEARINGS = st.floats(0.0, 360.0)
RADII = st.sampled_from([RADIUS, 500.0, 10_000.0])


@pytest.mark.parametrize("region", list(REGIONS))
@settings(max_examples=400, deadline=None)
@given(data=st.data(), bearing=BEARINGS, share=st.floats(0.0, 1.0), radius=RADII)
def test_every_pair_within_the_radius_is_in_the_cells_around(region, data, bearing, share, radius):
    lon, lat = data.draw(_points(region))
    _pair_is_found(lon, lat, bearing, share * radius, radius)


@settings(max_examples=200, deadline=None)
@given(
    corner=st.tuples(st.integers(12_195, 12_210), st.integers(4_402, 4_415)),
    bearing=st.sampled_from([0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]),
)
@example(corner=(12_200, 4_408), bearing=0.0)
def test_points_on_cell_corners_at_exactly_the_radius(corner, bearing):
    """The hardest case: a query on a cell corner, the other point on the radius itself."""
    step = GRID / candidates.M_PER_DEG
    _pair_is_found(corner[0] * step, corner[1] * step, bearing, RADIUS, RADIUS)


def test_cells_per_query_stay_few():
    """About a 3 km disc of 1 km (north–south) cells: ≈ 50 in the city, fewer at the equator."""
    assert 46 <= len(cells_around(109.78, 39.60)) <= 56
    assert len(cells_around(0.0, 0.0)) <= 50
    assert len(cells_around(24.5, 60.0)) <= 80


# The issue's pair: 2.3 km apart, mostly north–south (2.16 km south, 0.79 km east). The old
# cell, scaled by each point's own latitude, put them 4 cells apart east–west.
NEAR = destination(*FOUNTAIN, 160.0, 2300.0)


def _old_x(lon: float, lat: float) -> int:
    return math.floor(lon * candidates.M_PER_DEG * math.cos(math.radians(lat)) / GRID)


def test_the_issues_pair_is_matched_through_the_store(client, accounts):
    assert abs(_old_x(*NEAR) - _old_x(*FOUNTAIN)) == 4  # what missed it before
    assert round(haversine_m(*FOUNTAIN, *NEAR)) == 2300
    citizen, officer = accounts.headers(Role.CITIZEN), accounts.headers(Role.OFFICER)
    r = client.post(f"{API}/lost", json=lost_body(), headers=citizen)
    assert r.status_code == 201, r.text
    lost = r.json()["item"]["id"]
    r = client.post(f"{API}/found", json=found_body(lon=NEAR[0], lat=NEAR[1]), headers=officer)
    assert r.status_code == 201, r.text
    found = r.json()["item"]["id"]
    assert [m["item_id"] for m in r.json()["matches"]] == [lost]
    mine = client.get(f"{API}/items/{lost}/matches", headers=citizen).json()
    assert [m["item_id"] for m in mine] == [found]


def test_in_memory_index_and_store_compare_the_same_items(client, accounts, db):
    """Found items in rings inside, on and beyond the radius: both paths take the same ones."""
    officer = accounts.headers(Role.OFFICER)
    for dist in (1000.0, 2900.0, 3150.0, 3600.0, 4500.0):
        for bearing in range(0, 360, 45):
            lon, lat = destination(*FOUNTAIN, bearing + 10.0, dist)
            body = found_body(lon=lon, lat=lat)
            assert client.post(f"{API}/found", json=body, headers=officer).status_code == 201
    r = client.post(f"{API}/lost", json=lost_body(), headers=accounts.headers(Role.CITIZEN))
    lost_id = r.json()["item"]["id"]
    with db.session() as s:
        rows = s.scalars(select(HelpItem)).all()
        index = MatchIndex()
        for row in rows:
            if row.kind == "found":
                index.add(lost_found.to_match_item(row, frozenset()))
        lost = next(row for row in rows if row.id == lost_id)
        in_memory = index.candidates(lost_found.to_match_item(lost, frozenset()), "lost")
        stored = {
            i.id
            for i in lost_found._candidates(s, lost, lost_found.to_match_item(lost, frozenset()))
        }
        within = {
            row.id
            for row in rows
            if row.kind == "found" and haversine_m(*FOUNTAIN, row.lon, row.lat) <= RADIUS
        }
    assert len(within) == 16
    assert in_memory == stored
    assert within <= stored and len(stored) < 40  # the farthest rings are left out


def _cells(db) -> list[tuple[float, float, int, int]]:
    with db.engine.connect() as conn:
        query = text("SELECT lon, lat, cell_x, cell_y FROM help_items ORDER BY id")
        return [tuple(r) for r in conn.execute(query)]


def test_migration_0021_rewrites_the_stored_cells_both_ways(client, accounts, db):
    officer = accounts.headers(Role.OFFICER)
    for lon, lat in (FOUNTAIN, NEAR, (109.86, 39.65), (109.70, 39.55)):
        body = found_body(lon=lon, lat=lat)
        assert client.post(f"{API}/found", json=body, headers=officer).status_code == 201
    assert all((x, y) == cell(lon, lat) for lon, lat, x, y in _cells(db))
    migrate.downgrade(db.engine, "0020_message_notes")
    try:
        stored = _cells(db)
        assert all((x, y) == (_old_x(lon, lat), cell(lon, lat)[1]) for lon, lat, x, y in stored)
        assert any(x != cell(lon, lat)[0] for lon, lat, x, _ in stored)
    finally:
        migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert all((x, y) == cell(lon, lat) for lon, lat, x, y in _cells(db))
