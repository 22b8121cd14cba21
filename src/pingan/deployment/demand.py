"""Demand model (pure core): weighted points where police are needed in one time block.

Two sources, both documented in docs/deployment.md, parameters in planning.yaml:

* **Crowds** — each key area's expected people for the block (the crowd forecast when the
  area has history, else its typical hourly profile) spread evenly over a grid of points
  inside its polygon; a person is worth ``person_weight``.
* **Incidents** — past incidents smoothed by a Gaussian kernel in space (``sigma_m``) and in
  the hour of day (``sigma_h``, on the 24-hour circle), faded by age (``half_life_days``),
  weighted by priority and type, and evaluated on a regular grid. Cells below
  ``min_weight`` are dropped. The grid is clipped to the city's bounds and holds at most
  ``max_cells`` cells, so an incident far outside the city cannot blow it up.

Points are (lon, lat) WGS-84; grids are laid out in local metres around the city's centre.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely

from pingan.geo.city import KeyArea
from pingan.geo.graph import local_xy


@dataclass(frozen=True, slots=True)
class PastIncident:
    lon: float
    lat: float
    type_code: str
    priority: int
    hour: float  # local hour of day it was received, 0-24
    age_days: float


@dataclass(slots=True)
class Demand:
    lon: np.ndarray
    lat: np.ndarray
    weight: np.ndarray
    area: list[str | None]  # key area the point lies in (None: outside every area)
    source: list[str]  # "crowd" or "incidents"

    def __len__(self) -> int:
        return int(self.weight.shape[0])

    def points(self) -> np.ndarray:
        return np.c_[self.lon, self.lat]


def _to_lonlat(xy: np.ndarray, lon0: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of ``local_xy`` (equirectangular, metres): accurate over a city."""
    r = 6_371_008.8
    lat = lat0 + np.degrees(xy[:, 1] / r)
    lon = lon0 + np.degrees(xy[:, 0] / (r * math.cos(math.radians(lat0))))
    return lon, lat


def _grid_in(poly_xy: shapely.Polygon, spacing: float) -> np.ndarray:
    """Grid points inside a polygon (at least its representative point)."""
    x0, y0, x1, y1 = poly_xy.bounds
    xs = np.arange(x0 + spacing / 2, x1, spacing)
    ys = np.arange(y0 + spacing / 2, y1, spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()]
    inside = shapely.contains_xy(poly_xy, pts[:, 0], pts[:, 1]) if len(pts) else np.zeros(0, bool)
    pts = pts[inside]
    if len(pts) == 0:
        p = poly_xy.representative_point()
        pts = np.array([[p.x, p.y]])
    return pts


def crowd_points(
    areas: Mapping[str, KeyArea],
    people: Mapping[str, float],
    origin: tuple[float, float],
    *,
    spacing_m: float,
    person_weight: float,
) -> Demand:
    """Each area's expected people shared evenly over a grid inside its polygon."""
    lon, lat, w, area = [], [], [], []
    for code, count in people.items():
        if code not in areas or not count or count <= 0:
            continue
        ring = np.asarray(areas[code].polygon)
        xy = local_xy(ring[:, 0], ring[:, 1], *origin)
        pts = _grid_in(shapely.Polygon(xy), spacing_m)
        plon, plat = _to_lonlat(pts, *origin)
        lon.append(plon)
        lat.append(plat)
        w.append(np.full(len(pts), count * person_weight / len(pts)))
        area += [code] * len(pts)

    def cat(xs):
        return np.concatenate(xs) if xs else np.zeros(0)

    return Demand(cat(lon), cat(lat), cat(w), area, ["crowd"] * len(area))


def incident_weights(incidents: Sequence[PastIncident], hour: float, params: Mapping) -> np.ndarray:
    """Each incident's weight for a block centred on ``hour``: priority × type × time kernels."""
    if not incidents:
        return np.zeros(0)
    pw = {int(k): float(v) for k, v in params["priority_weight"].items()}
    tw = {str(k): float(v) for k, v in params["type_weight"].items()}
    h = np.array([i.hour for i in incidents])
    dh = np.abs((h - hour + 12.0) % 24.0 - 12.0)  # circular hour difference
    k_time = np.exp(-0.5 * (dh / float(params["sigma_h"])) ** 2)
    age = np.array([i.age_days for i in incidents])
    k_age = 0.5 ** (age / float(params["half_life_days"]))
    base = np.array([pw.get(i.priority, 1.0) * tw.get(i.type_code, 1.0) for i in incidents])
    return float(params["incident_weight"]) * base * k_time * k_age


Bounds = tuple[float, float, float, float]  # (west, south, east, north) in degrees
_CHUNK = 4_000_000  # cells × incidents evaluated at once: the kernel's memory stays bounded


def _grid_box(
    xy: np.ndarray, sigma: float, origin: tuple[float, float], bounds: Bounds | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid's corners (within 3σ of some incident, clipped to the city) and which
    incidents can reach it; an empty box has lo > hi."""
    lo, hi = xy.min(axis=0) - 3 * sigma, xy.max(axis=0) + 3 * sigma
    near = np.ones(len(xy), dtype=bool)
    if bounds is not None:
        w, s, e, n = bounds
        box = local_xy(np.array([w, e]), np.array([s, n]), *origin)
        near = np.all((xy >= box[0] - 3 * sigma) & (xy <= box[1] + 3 * sigma), axis=1)
        if near.any():
            lo = np.maximum(xy[near].min(axis=0) - 3 * sigma, box[0])
            hi = np.minimum(xy[near].max(axis=0) + 3 * sigma, box[1])
        else:
            lo, hi = box[1], box[0]
    return lo, hi, near


def _cell_size(lo: np.ndarray, hi: np.ndarray, cell: float, max_cells: int) -> float:
    """`cell`, widened just enough that the grid over [lo, hi] holds at most `max_cells`."""
    span = hi - lo
    while np.prod(np.floor(span / cell) + 2) > max_cells:
        cell *= 1.25
    return cell


def incident_points(
    incidents: Sequence[PastIncident],
    hour: float,
    origin: tuple[float, float],
    params: Mapping,
    bounds: Bounds | None = None,
) -> Demand:
    """Kernel density of past incidents on a grid (cells within 3σ of some incident).

    The grid is clipped to `bounds` (the city) and holds at most ``max_cells`` cells (wider
    cells beyond that), so no incident, however far away, can make it unbounded.
    """
    weights = incident_weights(incidents, hour, params)
    if weights.size == 0 or weights.sum() <= 0:
        return Demand(np.zeros(0), np.zeros(0), np.zeros(0), [], [])
    sigma = float(params["sigma_m"])
    xy = local_xy(
        np.array([i.lon for i in incidents]), np.array([i.lat for i in incidents]), *origin
    )
    lo, hi, near = _grid_box(xy, sigma, origin, bounds)
    if np.any(lo > hi):
        return Demand(np.zeros(0), np.zeros(0), np.zeros(0), [], [])
    xy, weights = xy[near], weights[near]
    cell = _cell_size(lo, hi, float(params["cell_m"]), int(params["max_cells"]))
    gx, gy = np.meshgrid(np.arange(lo[0], hi[0] + cell, cell), np.arange(lo[1], hi[1] + cell, cell))
    grid = np.c_[gx.ravel(), gy.ravel()]
    dens = np.empty(len(grid))
    step = max(1, _CHUNK // max(1, len(xy)))
    for a in range(0, len(grid), step):
        d2 = ((grid[a : a + step, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        # Kernel normalised so one incident's cells sum to about its weight.
        k = np.exp(-0.5 * d2 / sigma**2) * (cell**2 / (2 * math.pi * sigma**2))
        dens[a : a + step] = k @ weights
    keep = dens >= float(params["min_weight"])
    lon, lat = _to_lonlat(grid[keep], *origin)
    n = int(keep.sum())
    return Demand(lon, lat, dens[keep], [None] * n, ["incidents"] * n)


def label_areas(demand: Demand, areas: Mapping[str, KeyArea]) -> None:
    """Mark which key area each unlabelled point lies in."""
    polys = {c: shapely.Polygon(a.polygon) for c, a in areas.items()}
    for i, a in enumerate(demand.area):
        if a is None:
            for code, poly in polys.items():
                if shapely.contains_xy(poly, demand.lon[i], demand.lat[i]):
                    demand.area[i] = code
                    break


def combine(*parts: Demand) -> Demand:
    return Demand(
        np.concatenate([p.lon for p in parts]),
        np.concatenate([p.lat for p in parts]),
        np.concatenate([p.weight for p in parts]),
        [a for p in parts for a in p.area],
        [s for p in parts for s in p.source],
    )


def build_demand(
    areas: Mapping[str, KeyArea],
    people: Mapping[str, float],
    incidents: Sequence[PastIncident],
    hour: float,
    origin: tuple[float, float],
    params: Mapping,
    bounds: Bounds | None = None,
) -> Demand:
    """The block's demand: crowd points plus smoothed incidents (on a grid inside `bounds`,
    the city), each labelled by area."""
    crowd = crowd_points(
        areas,
        people,
        origin,
        spacing_m=float(params["crowd_spacing_m"]),
        person_weight=float(params["person_weight"]),
    )
    past = incident_points(incidents, hour, origin, params, bounds)
    out = combine(crowd, past)
    label_areas(out, areas)
    return out


def local_hour(at: datetime, tz) -> float:  # type: ignore[no-untyped-def]
    t = at.astimezone(tz)
    return t.hour + t.minute / 60.0
