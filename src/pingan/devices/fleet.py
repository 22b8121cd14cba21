"""A simulated device fleet near Kangbashi (康巴什): where each device is and what it says.

Cars drive and officers (body cameras, radios) walk along streets of the sample city's road
graph (or, where that graph cannot be built, along a generated street grid); robots patrol
loops around key areas; drones fly missions and come home to recharge. Movement is
vectorised with NumPy; Python only runs when a device reaches the end of a leg.
Plain data in and out: no network, no store.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml

log = logging.getLogger("pingan.devices")

ORIGIN = (109.78, 39.61)  # 康巴什 Kangbashi
_M_PER_DEG = math.pi / 180.0 * 6371008.8
_KX = _M_PER_DEG * math.cos(math.radians(ORIGIN[1]))

# kind: (share of the fleet, speed m/s (low, high), battery drain %/h, serial code)
MIX: dict[str, tuple[float, tuple[float, float], float, str]] = {
    "smart_car": (0.30, (6.0, 14.0), 2.0, "CAR"),
    "body_camera": (0.30, (1.1, 1.6), 12.0, "BC"),
    "radio": (0.15, (1.1, 1.6), 8.0, "RD"),
    "patrol_robot": (0.10, (0.8, 1.2), 15.0, "RB"),
    "drone": (0.15, (8.0, 12.0), 45.0, "UAV"),
}
DRONE_RETURN_PCT = 20.0


def to_xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon - ORIGIN[0]) * _KX, (lat - ORIGIN[1]) * _M_PER_DEG


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return ORIGIN[0] + x / _KX, ORIGIN[1] + y / _M_PER_DEG


def plan(n: int, prefix: str = "SIM") -> list[tuple[str, str]]:
    """(serial, kind) of every simulated device: deterministic, so it can be registered
    ahead of a run."""
    kinds = list(MIX)
    shares = np.array([MIX[k][0] for k in kinds])
    counts = np.floor(shares * n).astype(int)
    counts[0] += n - counts.sum()
    out = []
    for kind, count in zip(kinds, counts, strict=True):
        out += [(f"{prefix}-{MIX[kind][3]}-{i:04d}", kind) for i in range(1, count + 1)]
    return out


# -- street networks ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streets:
    """Nodes in local metres and their neighbours (CSR), for random walks along streets."""

    x: np.ndarray
    y: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    source: str

    def neighbours(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node] : self.indptr[node + 1]]


def _from_graph(graph: Any, source: str) -> Streets:
    x, y = to_xy(np.asarray(graph.lon), np.asarray(graph.lat))
    return Streets(x, y, np.asarray(graph.indptr), np.asarray(graph.indices), source)


def grid_streets(spacing_m: float = 250.0, half_size: int = 12) -> Streets:
    """A square street grid around the origin: the fallback when no road graph is built."""
    k = 2 * half_size + 1
    ix, iy = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    x = ((ix - half_size) * spacing_m).ravel().astype(float)
    y = ((iy - half_size) * spacing_m).ravel().astype(float)
    indptr, indices = [0], []
    for i in range(k):
        for j in range(k):
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= i + di < k and 0 <= j + dj < k:
                    indices.append((i + di) * k + (j + dj))
            indptr.append(len(indices))
    return Streets(x, y, np.array(indptr), np.array(indices), "generated grid")


def city_streets() -> dict[str, Streets]:
    """Drive and walk networks of the sample city, or generated grids if they cannot be built."""
    try:
        from pingan.geo.osm_import import import_osm

        path = resources.files("pingan.sim") / "data" / "kangbashi_sample.osm"
        graphs = import_osm(str(path), ("drive", "walk"))
        return {m: _from_graph(g, "kangbashi_sample.osm") for m, g in graphs.items()}
    except (ImportError, OSError, ValueError) as exc:  # GraphError is a ValueError
        log.warning("road graph unavailable (%s); using a generated street grid", exc)
        return {"drive": grid_streets(), "walk": grid_streets(120.0, 8)}


def patrol_loops() -> list[list[tuple[float, float]]]:
    """Rings around the sample city's key areas (local metres), or circles if absent."""
    try:
        text = resources.files("pingan.sim").joinpath("data/kangbashi_key_areas.yaml")
        areas = yaml.safe_load(text.read_text("utf-8"))["key_areas"]
        loops = [[to_xy(lon, lat) for lon, lat in a["polygon"]] for a in areas]
        if loops:
            return loops
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        pass
    return [
        [(cx + 150 * math.cos(t), cy + 150 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 13)]
        for cx, cy in ((0.0, -1200.0), (-2500.0, -1300.0), (1500.0, 600.0))
    ]


# -- routes: each yields the next point to head for -----------------------------------------


def street_walk(streets: Streets, rng: np.random.Generator) -> Iterator[tuple[float, float]]:
    node = int(rng.integers(len(streets.x)))
    prev = -1
    while True:
        nbrs = streets.neighbours(node)
        if len(nbrs) == 0:
            node, prev = int(rng.integers(len(streets.x))), -1
            continue
        choices = nbrs[nbrs != prev] if len(nbrs) > 1 else nbrs
        prev, node = node, int(rng.choice(choices))
        yield float(streets.x[node]), float(streets.y[node])


def loop(points: list[tuple[float, float]], start: int) -> Iterator[tuple[float, float]]:
    i = start
    while True:
        i = (i + 1) % len(points)
        yield points[i]


def missions(
    home: tuple[float, float], rng: np.random.Generator, radius_m: float = 3000.0
) -> Iterator[tuple[float, float]]:
    """Random survey missions of 3-6 waypoints, returning home after each."""
    while True:
        for _ in range(int(rng.integers(3, 7))):
            r, t = radius_m * math.sqrt(rng.random()), 2 * math.pi * rng.random()
            yield home[0] + r * math.cos(t), home[1] + r * math.sin(t)
        yield home


class Fleet:
    """Positions, speeds and batteries of all devices, advanced together."""

    def __init__(
        self,
        devices: list[tuple[str, str]],
        *,
        seed: int = 7,
        streets: dict[str, Streets] | None = None,
        loops: list[list[tuple[float, float]]] | None = None,
    ) -> None:
        self.rng = rng = np.random.default_rng(seed)
        self.serials = [s for s, _ in devices]
        self.kinds = [k for _, k in devices]
        self.index = {s: i for i, s in enumerate(self.serials)}
        streets = streets or city_streets()
        loops = loops or patrol_loops()
        n = len(devices)
        self.speed = np.empty(n)
        self.drain = np.empty(n)
        self.alt = np.zeros(n)
        self.battery = rng.uniform(60, 100, n)
        self.recording = np.zeros(n, dtype=bool)
        self.routes: list[Iterator[tuple[float, float]]] = []
        self.home: list[tuple[float, float]] = []
        for i, kind in enumerate(self.kinds):
            _, (lo, hi), drain, _ = MIX[kind]
            self.speed[i] = rng.uniform(lo, hi)
            self.drain[i] = drain / 3600.0
            if kind == "patrol_robot":
                ring = loops[i % len(loops)]
                route = loop(ring, int(rng.integers(len(ring))))
            elif kind == "drone":
                k = int(rng.integers(len(streets["drive"].x)))
                home = float(streets["drive"].x[k]), float(streets["drive"].y[k])
                route = missions(home, rng)
                self.alt[i] = rng.uniform(60, 120)
            else:
                mode = "drive" if kind == "smart_car" else "walk"
                route = street_walk(streets[mode], rng)
            self.routes.append(route)
            start = next(route)
            self.home.append(start)
        self.x = np.array([h[0] for h in self.home], dtype=float)
        self.y = np.array([h[1] for h in self.home], dtype=float)
        targets = [next(r) for r in self.routes]
        self.tx = np.array([t[0] for t in targets], dtype=float)
        self.ty = np.array([t[1] for t in targets], dtype=float)
        self.heading = np.zeros(n)
        self.streets_source = streets["drive"].source

    def step(self, dt: float) -> None:
        """Advance every device by dt seconds along its route; drain batteries."""
        remaining = np.full(len(self.x), dt * 1.0) * self.speed
        for _ in range(8):  # a fast device may pass several short legs in one step
            dx, dy = self.tx - self.x, self.ty - self.y
            dist = np.hypot(dx, dy)
            moving = remaining > 0
            reach = moving & (dist <= remaining)
            go = moving & ~reach
            with np.errstate(invalid="ignore", divide="ignore"):
                f = np.where(go, remaining / np.maximum(dist, 1e-9), 0.0)
            self.x += dx * f
            self.y += dy * f
            head = np.degrees(np.arctan2(dx, dy)) % 360.0
            self.heading = np.where(moving & (dist > 0.01), head, self.heading)
            remaining = np.where(go, 0.0, remaining - dist)
            idx = np.flatnonzero(reach)
            if idx.size == 0:
                break
            self.x[idx], self.y[idx] = self.tx[idx], self.ty[idx]
            for i in idx:
                self._next_leg(int(i))
        self.battery = np.maximum(self.battery - self.drain * dt, 3.0)

    def _next_leg(self, i: int) -> None:
        if self.kinds[i] != "drone":
            self.tx[i], self.ty[i] = next(self.routes[i])
            return
        if (self.x[i], self.y[i]) == self.home[i] and self.battery[i] < DRONE_RETURN_PCT + 30:
            self.battery[i] = 100.0  # landed at home: battery swapped
        if self.battery[i] < DRONE_RETURN_PCT:
            self.tx[i], self.ty[i] = self.home[i]
            return
        self.tx[i], self.ty[i] = next(self.routes[i])

    # -- messages ------------------------------------------------------------------------
    def telemetry(self, i: int, now: float) -> bytes:
        lon, lat = to_lonlat(self.x[i], self.y[i])
        alt = f',"alt_m":{self.alt[i]:.0f}' if self.kinds[i] == "drone" else ""
        return (
            f'{{"ts":{now:.3f},"lon":{lon:.6f},"lat":{lat:.6f},"speed_mps":{self.speed[i]:.1f},'
            f'"heading_deg":{int(self.heading[i]) % 360},"battery_pct":{self.battery[i]:.0f}'
            f"{alt}}}"
        ).encode()

    def status(self, i: int, now: float) -> bytes:
        body: dict[str, Any] = {
            "ts": round(now, 3),
            "state": "busy",
            "battery_pct": round(float(self.battery[i])),
        }
        if self.kinds[i] in ("body_camera", "drone", "smart_car"):
            body["recording"] = bool(self.recording[i])
        return json.dumps(body).encode()

    def command(self, serial: str, payload: bytes, now: float) -> bytes | None:
        """Carry out a command as a device would and return its ack (None: not ours)."""
        i = self.index.get(serial)
        if i is None:
            return None
        try:
            msg = json.loads(payload)
            command_id, body = msg["command_id"], msg["command"]
            kind = body["type"]
        except (ValueError, KeyError, TypeError):
            return None
        result = "done"
        if kind == "mission" and self.kinds[i] in ("drone", "patrol_robot"):
            points = [to_xy(w["lon"], w["lat"]) for w in body["waypoints"]]
            after = (  # back home, then on with its usual route; or hold at the last point
                itertools.chain([self.home[i]], self.routes[i])
                if body.get("return_home", True)
                else itertools.repeat(points[-1])
            )
            self.routes[i] = itertools.chain(points[1:], after)
            self.tx[i], self.ty[i] = points[0]
        elif kind == "recording" and self.kinds[i] in ("body_camera", "drone", "smart_car"):
            self.recording[i] = body.get("action") == "start"
        elif kind != "broadcast" or self.kinds[i] not in ("patrol_robot", "drone", "smart_car"):
            result = "rejected"
        return json.dumps(
            {"ts": round(now, 3), "command_id": command_id, "result": result}
        ).encode()
