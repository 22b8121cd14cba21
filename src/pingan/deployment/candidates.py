"""Candidate posts: configured ones (stations, kiosks, PTU points) and ones from the network.

Generated candidates are the key areas' entrances — polygon vertices and edge midpoints,
snapped to the walk network, where foot patrols and PTU stand — and road intersections
(three or more distinct neighbours) of the drive network, thinned to one per grid cell,
where cars wait. Each candidate lists the unit kinds it can host and its capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from pingan.geo.city import City
from pingan.geo.gazetteer import Gazetteer, gazetteer_for
from pingan.geo.graph import RoadGraph, local_xy


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    kind: str  # station / kiosk / ptu_point / entrance / intersection
    name_zh: str
    name_en: str
    lon: float
    lat: float
    capacity: int
    unit_types: frozenset[str]
    area_code: str | None = None


def load_posts(path: Path) -> list[Site]:
    """Configured posts from YAML (a ``posts:`` list); raises ValueError with the reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        posts = [
            Site(
                code=str(p["code"]),
                kind=str(p["kind"]),
                name_zh=str(p["name_zh"]),
                name_en=str(p["name_en"]),
                lon=float(p["lon"]),
                lat=float(p["lat"]),
                capacity=int(p["capacity"]),
                unit_types=frozenset(p["unit_types"]),
                area_code=p.get("area_code"),
            )
            for p in raw.get("posts", [])
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"岗点文件格式错误: {path} / malformed posts file: {exc}") from exc
    if any(p.capacity < 0 for p in posts) or len({p.code for p in posts}) != len(posts):
        raise ValueError(f"岗点容量为负或编号重复: {path} / negative capacity or duplicate code")
    return posts


def entrances(city: City, params: Mapping) -> list[Site]:
    """Key-area polygon vertices and edge midpoints snapped onto the walk network."""
    engine = city.travel.roads.get("walk") or next(iter(city.travel.roads.values()))
    out: list[Site] = []
    for code, area in city.key_areas.items():
        ring = np.asarray(area.polygon)
        if len(ring) > 1 and np.allclose(ring[0], ring[-1]):
            ring = ring[:-1]
        mids = (ring + np.roll(ring, -1, axis=0)) / 2
        pts = np.vstack([ring, mids])
        snapped = engine.snap(pts, strict=False)
        seen: set[tuple[float, float]] = set()
        for j in np.flatnonzero(snapped.ok):
            key = (round(float(snapped.road_lon[j]), 5), round(float(snapped.road_lat[j]), 5))
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Site(
                    code=f"ent_{code}_{len(seen)}",
                    kind="entrance",
                    name_zh=f"{area.name_zh}出入口{len(seen)}",
                    name_en=f"{area.name_en} entrance {len(seen)}",
                    lon=float(snapped.road_lon[j]),
                    lat=float(snapped.road_lat[j]),
                    capacity=int(params["entrance_capacity"]),
                    unit_types=frozenset(params["entrance_unit_types"]),
                    area_code=code,
                )
            )
    return out


def intersections(graph: RoadGraph, params: Mapping, gazetteer: Gazetteer) -> list[Site]:
    """Nodes with three or more distinct neighbours, one per ``intersection_spacing_m`` cell,
    named as people name them (a crossing of two named roads, or the landmark nearby): a
    re-plan then reads "音乐喷泉附近 → 经4路与纬3路交叉口", not two node numbers."""
    tails = graph.tails
    pairs = np.unique(
        np.c_[np.minimum(tails, graph.indices), np.maximum(tails, graph.indices)], axis=0
    )
    degree = np.bincount(pairs.ravel(), minlength=graph.n_nodes)
    nodes = np.flatnonzero(degree >= 3)
    if nodes.size == 0:
        return []
    xy = local_xy(graph.lon[nodes], graph.lat[nodes], *graph.origin)
    cell = np.floor(xy / float(params["intersection_spacing_m"])).astype(np.int64)
    _, first = np.unique(cell, axis=0, return_index=True)
    chosen = nodes[np.sort(first)]
    out = []
    for n in chosen:
        lon, lat = float(graph.lon[n]), float(graph.lat[n])
        named = gazetteer.nearest_place(lon, lat)
        out.append(
            Site(
                code=f"x_{int(graph.osm_id[n])}",
                kind="intersection",
                name_zh=named.name_zh,
                name_en=named.name_en,
                lon=lon,
                lat=lat,
                capacity=int(params["intersection_capacity"]),
                unit_types=frozenset(params["intersection_unit_types"]),
            )
        )
    return out


def candidate_sites(
    city: City, posts: list[Site], params: Mapping, gazetteer: Gazetteer | None = None
) -> list[Site]:
    """Configured posts first, then entrances, then intersections (codes unique); the
    intersections named with `gazetteer` (default: the city's, with the sample's posts)."""
    generated = entrances(city, params)
    if "drive" in city.graphs:
        generated += intersections(city.graphs["drive"], params, gazetteer or gazetteer_for(city))
    taken = {p.code for p in posts}
    return posts + [s for s in generated if s.code not in taken]
