"""Main roads' names for the map's labels, read from the city's OSM file.

The routing graphs keep no names (they are arrays of nodes and arcs), so the named ways are
read once more from the extract and kept per file (path, size and modification time): the
sample city takes a few milliseconds; a bureau's own extract is read once per process.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pingan.geo.osm_import import RawWay, read_ways

# Highway classes whose names the map labels: the roads a crew is sent along, not every lane.
MAIN_HIGHWAYS = ("motorway", "trunk", "primary", "secondary", "tertiary")


@dataclass(frozen=True, slots=True)
class NamedRoad:
    """One road by name: all its ways (a dual carriageway is two), in (lon, lat) lines."""

    name_zh: str
    name_en: str
    highway: str  # the most important class among its ways
    lines: tuple[tuple[tuple[float, float], ...], ...]


def city_ways(osm: Path) -> list[RawWay]:
    """The ways of the city's OSM file, read once per file version (path, size, mtime) and
    shared by the road labels and the gazetteer."""
    stat = osm.stat()
    return _ways(str(osm), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _ways(path: str, size: int, mtime_ns: int) -> list[RawWay]:
    return read_ways(path)[0]


def named_roads(osm: Path) -> tuple[NamedRoad, ...]:
    """The main roads of `osm` that carry a name, most important class first.

    `name` is the Chinese name; `name:en` the English one, else the Chinese name again (a
    proper name is better shown in Chinese than not at all).
    """
    stat = osm.stat()
    return _read(str(osm), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _read(path: str, size: int, mtime_ns: int) -> tuple[NamedRoad, ...]:
    ways = _ways(path, size, mtime_ns)
    rank = {h: i for i, h in enumerate(MAIN_HIGHWAYS)}
    lines: dict[tuple[str, str], list[tuple[tuple[float, float], ...]]] = defaultdict(list)
    best: dict[tuple[str, str], int] = {}
    for way in ways:
        highway, name = way.tags.get("highway", ""), way.tags.get("name", "").strip()
        if highway not in rank or not name:
            continue
        key = (name, way.tags.get("name:en", "").strip() or name)
        points = zip(way.lons, way.lats, strict=True)
        lines[key].append(tuple((round(x, 6), round(y, 6)) for x, y in points))
        best[key] = min(best.get(key, len(rank)), rank[highway])
    roads = [
        NamedRoad(zh, en, MAIN_HIGHWAYS[best[(zh, en)]], tuple(ls))
        for (zh, en), ls in lines.items()
    ]
    return tuple(sorted(roads, key=lambda r: (rank[r.highway], r.name_zh)))


def road_name_features(roads: tuple[NamedRoad, ...]) -> list[dict[str, Any]]:
    """GeoJSON features of class "name": where the map writes each road's name."""
    return [
        {
            "type": "Feature",
            "geometry": {
                "type": "MultiLineString",
                "coordinates": [[list(p) for p in line] for line in r.lines],
            },
            "properties": {
                "class": "name",
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "highway": r.highway,
            },
        }
        for r in roads
    ]
