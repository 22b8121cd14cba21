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

from pingan.services import settings
from pingan.services.matcher import Item, Match, rank

M_PER_DEG = 111_320.0


def cell(lon: float, lat: float, grid_m: float | None = None) -> tuple[int, int]:
    """Grid cell of a point (equirectangular, cos(lat) scaled; fine for one city)."""
    g = grid_m or settings.lost_found()["grid_m"]
    return (
        math.floor(lon * M_PER_DEG * math.cos(math.radians(lat)) / g),
        math.floor(lat * M_PER_DEG / g),
    )


def cells_around(lon: float, lat: float, radius_m: float | None = None) -> list[tuple[int, int]]:
    """Cells whose squares may hold a point within the radius (corner cells left out)."""
    rules = settings.lost_found()
    g = rules["grid_m"]
    r = (radius_m or rules["search_radius_m"]) / g
    n = math.ceil(r)
    cx, cy = cell(lon, lat)
    # A cell dx away is at least (|dx| - 1) cells from any point of the centre cell.
    return [
        (cx + dx, cy + dy)
        for dx in range(-n, n + 1)
        for dy in range(-n, n + 1)
        if max(abs(dx) - 1, 0) ** 2 + max(abs(dy) - 1, 0) ** 2 <= r * r
    ]


def window(at: datetime, query_kind: str) -> tuple[datetime, datetime]:
    """Found items come after a loss; lost reports come before a find (with some slack)."""
    rules = settings.lost_found()
    before = timedelta(days=rules["window_before_days"])
    after = timedelta(days=rules["window_after_days"])
    return (at - after, at + before) if query_kind == "lost" else (at - before, at + after)


def categories_for(category: str) -> list[str] | None:
    """Categories that do not clash with this one (None: any — an unknown 'other')."""
    return None if category == "other" else [category, "other"]


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
        cats = categories_for(q.category) or list({c for c, _ in self.buckets})
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
