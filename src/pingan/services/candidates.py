"""Candidate generation by index, never by scanning: identifier hash, category, day, grid cell.

The same keys serve the store (indexed columns `category`, `at`, `cell_x`, `cell_y`) and the
in-memory index the benchmark loads with a million items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from pingan.geo.coords import EARTH_RADIUS_M
from pingan.services import settings
from pingan.services.matcher import (
    Item,
    Match,
    attrs,
    categories,
    near_categories,
    rank,
)

M_PER_DEG = 111_320.0  # cell size in degrees = grid_m / M_PER_DEG (north–south metres)
# Cell edges (k · g / M) and floor(lon · M / g) round differently by far less than a millimetre,
# and the haversine's own rounding is smaller still: a point right on the radius must not be
# lost to that, so the radius is widened by a metre (at most a sliver of a cell more, rarely).
SAFETY_M = 1.0
_LON_MIN, _LON_MAX = -180.0, 180.0


def cell(lon: float, lat: float, grid_m: float | None = None) -> tuple[int, int]:
    """Grid cell of a point: fixed steps in degrees, so a cell's box is the same for every
    point in it (a scale by each point's own latitude put neighbours cells apart)."""
    g = grid_m or settings.lost_found()["grid_m"]
    return math.floor(lon * M_PER_DEG / g), math.floor(lat * M_PER_DEG / g)


def _hav(angle: float) -> float:
    return math.sin(angle / 2) ** 2


def cells_around(lon: float, lat: float, radius_m: float | None = None) -> list[tuple[int, int]]:
    """Every cell whose lon/lat box holds a point within the radius (haversine) of the query.

    Rows: the latitude band lat ± r/R. For each row, hav(d) = hav(Δφ) + cos φ₁·cos φ₂·hav(Δλ)
    is bounded below by the row's nearest Δφ and smallest cos φ₂ (cos is concave, so its
    minimum over the row is at an edge); that gives the widest Δλ a point of the row can have
    and stay within the radius, and the row's cells are those its longitude span touches.
    Cells are dropped only where this bound proves them farther than the radius. Longitudes
    are not wrapped at ±180° (no city of ours reaches it).
    """
    rules = settings.lost_found()
    g = rules["grid_m"]
    step = g / M_PER_DEG  # cell size in degrees, of latitude and of longitude
    rho = ((radius_m or rules["search_radius_m"]) + SAFETY_M) / EARTH_RADIUS_M
    limit = _hav(rho)
    phi = math.radians(lat)
    cos_phi = math.cos(phi)
    dlat = math.degrees(rho)
    y0, y1 = cell(lon, max(lat - dlat, -90.0), g)[1], cell(lon, min(lat + dlat, 90.0), g)[1]
    qy = cell(lon, lat, g)[1]
    out: list[tuple[int, int]] = []
    for y in range(y0, y1 + 1):
        lo, hi = y * step, (y + 1) * step
        near = lo if y > qy else hi if y < qy else lat  # the row's latitude nearest the query
        h_lat = _hav(math.radians(near) - phi)
        c = cos_phi * min(
            math.cos(math.radians(max(lo, -90.0))), math.cos(math.radians(min(hi, 90.0)))
        )
        room = limit - h_lat
        if room < 0:
            continue
        if c <= 0 or room >= c:  # a pole in reach, or every longitude within the radius
            west, east = _LON_MIN, _LON_MAX
        else:
            span = math.degrees(2 * math.asin(math.sqrt(room / c)))
            west, east = max(lon - span, _LON_MIN), min(lon + span, _LON_MAX)
        x0, x1 = cell(west, lat, g)[0], cell(east, lat, g)[0]
        out.extend((x, y) for x in range(x0, x1 + 1))
    return out


def window(at: datetime, query_kind: str) -> tuple[datetime, datetime]:
    """Found items come after a loss; lost reports come before a find (with some slack)."""
    rules = settings.lost_found()
    before = timedelta(days=rules["window_before_days"])
    after = timedelta(days=rules["window_after_days"])
    return (at - after, at + before) if query_kind == "lost" else (at - before, at + after)


def categories_for(category: str) -> list[str] | None:
    """Categories that do not clash with this one: itself, its near ones and "other"
    (None: any — an unknown 'other')."""
    if category == "other":
        return None
    return [category, *sorted(near_categories(category)), "other"]


def categories_to_search(q: Item) -> list[str] | None:
    """The categories a query's candidates may be filed under: those of its own category,
    and those of the things its words name (a report filed under "computer" that says 电脑包
    looks among bags, where a finder files the bag it found). A container's report whose words
    confirm it (a bag listing what was in it) is not widened by its contents: the finder files
    the container, and the contents would multiply the candidates. None: any."""
    cats = categories_for(q.category)
    if cats is None:
        return None
    said = attrs(q.features).categories
    if q.category in said and categories()[q.category].get("container"):
        return cats
    return list(dict.fromkeys([*cats, *sorted(said)]))


def days(start: datetime, end: datetime) -> Iterator[int]:
    d = start.toordinal()
    while d <= end.toordinal():
        yield d
        d += 1


@dataclass
class MatchIndex:
    """In-memory index of one side (found items, or lost reports)."""

    def __post_init__(self) -> None:
        self.items: dict[int, Item] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.buckets: dict[tuple[str, int], dict[tuple[int, int], list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def add(self, item: Item) -> None:
        self.items[item.id] = item
        for key in item.identifier_keys:
            self.by_key[key].append(item.id)
        self.buckets[(item.category, item.at.toordinal())][cell(item.lon, item.lat)].append(item.id)

    def candidates(self, q: Item, query_kind: str) -> set[int]:
        found = {i for k in q.identifier_keys for i in self.by_key.get(k, ())}
        start, end = window(q.at, query_kind)
        cats = categories_to_search(q) or list({c for c, _ in self.buckets})
        around = cells_around(q.lon, q.lat)
        for c in cats:
            for d in days(start, end):
                grid = self.buckets.get((c, d))
                if grid:
                    for xy in around:
                        found.update(grid.get(xy, ()))
        return found

    def match(self, q: Item, query_kind: str, *, top: int = 5) -> list[Match]:
        ids = self.candidates(q, query_kind)
        return rank(q, (self.items[i] for i in ids), top=top)
