"""The simulated world's truth: how long trips really take, what a unit's equipment really
sends and how quickly crews really acknowledge — owned by the simulation, never read by the
platform.

Why: a day that moved units at the platform's own ETA and reported their exact positions
measured the platform against itself — no routing error, arrivals that always verified, so
nothing a wrong speed profile, a bad snap or a stale position does could show. Here the world
has its own speeds per road class and mode, hour-of-day congestion, junction waits, parking
and the walk to the scene, GNSS noise, late and lost fixes, and crews slower to acknowledge
after a busy hour (the figures and their reasons: ``data/world.yaml``). The platform still sees
only fixes, status messages and calls, so what it predicts can be wrong, and the day's report
says by how much (``dispatch.service.eta_report``).

Trips take the road path the platform's engine finds from the unit's *true* position (a crew
knows its town), but every second of them comes from the world. A spec left at its defaults
(``WorldSpec()``) is the platform's own model with nothing added: its trips take exactly the
platform's ETA, which is how the tests check that the measurement itself reads zero.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PositiveFloat, model_validator

from pingan.dispatch.kpi import LOCAL_TZ
from pingan.geo.city import City, sample_paths
from pingan.geo.coords import haversine_m
from pingan.geo.graph import EARTH_RADIUS_M
from pingan.geo.osm_import import read_ways
from pingan.geo.travel_time import SnapError, TravelTimes
from pingan.i18n import msg

Point = tuple[float, float]


def _ordered(r: tuple[float, float]) -> tuple[float, float]:
    if not 0 <= r[0] <= r[1]:
        raise ValueError(f"range must be 0 ≤ low ≤ high, got {r}")
    return r


Range = Annotated[tuple[float, float], AfterValidator(_ordered)]
NONE: tuple[float, float] = (0.0, 0.0)


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Junction(_Spec):
    """A signalled junction: always `pass_s`, and in `stop_share` of passages `stop_s` more."""

    pass_s: Range = NONE
    stop_share: float = Field(0.0, ge=0.0, le=1.0)
    stop_s: Range = NONE


class ModeTruth(_Spec):
    """How one road mode really moves; every field left out is the platform's own figure."""

    speeds_kmh: dict[str, PositiveFloat] | None = None  # None: the platform's arc speeds
    default_kmh: PositiveFloat | None = None  # classes not in speeds_kmh
    off_road_kmh: PositiveFloat | None = None  # None: the platform's connector speed
    detour: float = Field(1.0, ge=1.0)  # off-road legs are this much longer than straight
    depart_s: Range = NONE
    arrive_s: Range = NONE
    junction_major: Junction | None = None
    junction_minor_s: Range = NONE
    congested_classes: frozenset[str] | None = None  # None: every class
    congestion: dict[str, tuple[PositiveFloat, ...]] = {}  # kind of day -> 24 hourly factors

    @model_validator(mode="after")
    def _complete(self) -> ModeTruth:
        if self.speeds_kmh is not None and self.default_kmh is None:
            raise ValueError("speeds_kmh needs default_kmh for the classes it leaves out")
        if any(len(hours) != 24 for hours in self.congestion.values()):
            raise ValueError("congestion needs 24 hourly factors per kind of day")
        return self


class FlyTruth(_Spec):
    speed_kmh: Range | None = None  # None: the platform's cruise speed
    launch_s: Range | None = None  # None: the platform's launch delay


class GpsTruth(_Spec):
    standing_every_s: float = Field(120.0, gt=0.0)  # a still unit's terminal reports this often
    noise_m: float = Field(0.0, ge=0.0)  # σ per axis
    multipath_share: float = Field(0.0, ge=0.0, le=1.0)
    multipath_m: float = Field(0.0, ge=0.0)
    late_share: float = Field(0.0, ge=0.0, le=1.0)
    late_s: Range = NONE
    lost_share: float = Field(0.0, ge=0.0, le=1.0)


class AckTruth(_Spec):
    base_s: Range = (8.0, 30.0)
    per_recent_call_s: Range = NONE
    window_s: float = Field(3600.0, gt=0.0)
    max_recent: int = Field(3, ge=0)


class WorldSpec(_Spec):
    """The world's figures (data/world.yaml); the defaults are the platform's model."""

    version: int = 1
    major_classes: frozenset[str] = frozenset()
    trip_spread: float = Field(0.0, ge=0.0)  # σ of each trip's log-normal pace factor
    modes: dict[str, ModeTruth] = {}
    fly: FlyTruth = FlyTruth()
    gps: GpsTruth = GpsTruth()
    acknowledge: AckTruth = AckTruth()
    arrival_retry_s: Range = (10.0, 30.0)


def default_spec_path() -> Path:
    return Path(str(resources.files("pingan.sim") / "data" / "world.yaml"))


def load_spec(path: Path | None = None) -> WorldSpec:
    """The world's figures from a YAML file (default: the sample city's, data/world.yaml)."""
    path = path or default_spec_path()
    try:
        return WorldSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(msg("sim.bad_world_file", path=path, error=exc)) from exc


def way_classes(osm: Path) -> dict[int, str]:
    """OSM way id -> its highway class: the graphs keep the way of each arc, not its class."""
    ways, _ = read_ways(osm)
    return {w.way_id: str(w.tags.get("highway", "")) for w in ways}


@dataclass(frozen=True, slots=True)
class Journey:
    """Where a trip passes (lon, lat) and how many seconds after setting off it is there."""

    coords: np.ndarray  # (k, 2)
    cum_s: np.ndarray  # (k,), non-decreasing; equal points with rising times are waits


@dataclass(frozen=True, slots=True)
class Fix:
    """A position as the unit's equipment measured it; `delivered_at` None: it never arrives."""

    unit_id: int
    lon: float
    lat: float
    at: datetime  # when it was measured: the time the platform is told
    delivered_at: datetime | None
    speed_mps: float | None = None


@dataclass(eq=False)
class _Network:
    """One mode's road graph as the world reads it: each arc's class, each node's junction."""

    engine: TravelTimes
    arc_class: list[str]
    junction: np.ndarray  # per node: 0 none, 1 unsignalled, 2 signalled

    @classmethod
    def of(cls, engine: TravelTimes, classes: dict[int, str], major: frozenset[str]) -> _Network:
        g = engine.graph
        arc_class = [classes.get(int(w), "") for w in g.way_id]
        seg = g.segments
        degree = np.bincount(np.concatenate([seg.u, seg.v]), minlength=g.n_nodes)
        on_major = np.zeros(g.n_nodes, dtype=bool)
        major_arc = np.fromiter((c in major for c in arc_class), dtype=bool, count=g.n_arcs)
        on_major[g.tails[major_arc]] = on_major[g.indices[major_arc]] = True
        junction = np.where(degree >= 3, np.where(on_major, 2, 1), 0).astype(np.int8)
        return cls(engine, arc_class, junction)

    @cached_property
    def _keys(self) -> tuple[np.ndarray, np.ndarray]:
        g = self.engine.graph
        key = g.tails.astype(np.int64) * g.n_nodes + g.indices
        order = np.argsort(key, kind="stable")
        return order, key[order]

    def arcs(self, nodes: list[int]) -> list[int]:
        """Arc ids along a node path."""
        order, keys = self._keys
        p = np.asarray(nodes, dtype=np.int64)
        return order[np.searchsorted(keys, p[:-1] * self.engine.graph.n_nodes + p[1:])].tolist()

    def segment_arc(self, seg: int) -> int:
        s = self.engine.graph.segments
        return int(s.fwd[seg] if s.fwd[seg] >= 0 else s.bwd[seg])

    def platform_mps(self, arc: int) -> float:
        g = self.engine.graph
        return float(g.length_m[arc]) / float(g.time_s[arc])


class _Leg:
    """A journey being built: points and the seconds at which each is reached."""

    def __init__(self, start: Point) -> None:
        self.points, self.times = [start], [0.0]

    def go(self, to: Point, seconds: float) -> None:
        self.points.append(to)
        self.times.append(self.times[-1] + max(0.0, seconds))

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self.go(self.points[-1], seconds)

    def journey(self) -> Journey:
        return Journey(np.asarray(self.points, dtype=float), np.asarray(self.times, dtype=float))


@dataclass(eq=False)
class World:
    """One simulated day's truth, drawn from its own seeded stream (one seed, one day)."""

    spec: WorldSpec
    city: City
    day_kind: str
    seed: int
    osm_path: Path | None = None  # the city's OSM file, for road classes (default: sample)
    clock_shift: timedelta = timedelta(0)  # the world's hours ahead of the stamps (demo)
    positions: dict[int, Point] = field(default_factory=dict)  # where each unit really is
    rng: random.Random = field(init=False)
    _networks: dict[str, _Network] = field(default_factory=dict)
    measured: dict[int, datetime] = field(default_factory=dict)  # each unit's last fix taken
    _handled: dict[int, list[datetime]] = field(default_factory=dict)
    _held: list[tuple[datetime, int, Fix]] = field(default_factory=list)
    _order: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"world:{self.seed}")  # apart from the calls' stream

    @cached_property
    def _classes(self) -> dict[int, str]:
        return way_classes(self.osm_path or sample_paths()[0])

    def _network(self, mode: str) -> _Network:
        if mode not in self._networks:
            engine = self.city.travel.roads[mode]
            self._networks[mode] = _Network.of(engine, self._classes, self.spec.major_classes)
        return self._networks[mode]

    def _mode(self, mode: str) -> ModeTruth:
        return self.spec.modes.get(mode) or ModeTruth()

    # -- draws --------------------------------------------------------------------------------
    def draw(self, r: tuple[float, float]) -> float:
        return self.rng.uniform(*r) if r[1] > 0 else 0.0

    def _pace(self) -> float:
        s = self.spec.trip_spread
        return math.exp(self.rng.gauss(0.0, s)) if s > 0 else 1.0

    def _congestion(self, mode: str, road_class: str, t: datetime) -> float:
        truth = self._mode(mode)
        hours = truth.congestion.get(self.day_kind)
        if not hours or (truth.congested_classes is not None
                         and road_class not in truth.congested_classes):  # fmt: skip
            return 1.0
        return hours[(t + self.clock_shift).astimezone(LOCAL_TZ).hour]

    def _junction_s(self, truth: ModeTruth, kind: int) -> float:
        if kind == 2 and truth.junction_major is not None:
            j = truth.junction_major
            stop = self.draw(j.stop_s) if j.stop_share and self.rng.random() < j.stop_share else 0
            return self.draw(j.pass_s) + stop
        return self.draw(truth.junction_minor_s) if kind >= 1 else 0.0

    # -- trips --------------------------------------------------------------------------------
    def journey(self, mode: str, origin: Point, target: Point, t: datetime) -> Journey:
        """A unit's trip from where it really is, setting off at t, timed by the world."""
        if mode == "fly" or mode not in self.city.travel.roads:
            return self._flight(origin, target)
        engine = self.city.travel.roads[mode]
        try:
            ends = engine.snap(np.asarray([origin, target], dtype=float))
            route = engine.route(ends.take([0]), ends.take([1]))
        except SnapError:
            return self._straight(mode, origin, target)
        if not math.isfinite(route.eta_s):
            return self._straight(mode, origin, target)
        net, truth, pace = self._network(mode), self._mode(mode), self._pace()
        road = [tuple(p) for p in route.coords[1:-1]]  # kerb, the nodes, kerb
        arcs = [net.segment_arc(int(ends.seg[0]))]
        if route.nodes:
            arcs += [*net.arcs(route.nodes), net.segment_arc(int(ends.seg[1]))]
        leg = _Leg(origin)
        leg.wait(self.draw(truth.depart_s))
        leg.go(road[0], self._off_road_s(mode, origin, road[0], t) * pace)
        for i, arc in enumerate(arcs):
            cls = net.arc_class[arc]
            kmh = None if truth.speeds_kmh is None else truth.speeds_kmh.get(cls, truth.default_kmh)
            mps = net.platform_mps(arc) if kmh is None else kmh / 3.6
            metres = haversine_m(*road[i], *road[i + 1])
            leg.go(road[i + 1], metres / mps * self._congestion(mode, cls, t) * pace)
            if i < len(route.nodes):
                leg.wait(self._junction_s(truth, int(net.junction[route.nodes[i]])))
        leg.wait(self.draw(truth.arrive_s))
        leg.go(target, self._off_road_s(mode, road[-1], target, t) * pace)
        return leg.journey()

    def _off_road_s(self, mode: str, a: Point, b: Point, t: datetime) -> float:
        """On foot (or pushing) between a point and the kerb; crowds slow it as on squares."""
        truth = self._mode(mode)
        kmh = truth.off_road_kmh
        mps = kmh / 3.6 if kmh else self.city.travel.roads[mode].graph.connector_speed_mps
        crowd = self._congestion("walk", "pedestrian", t)
        return haversine_m(*a, *b) * truth.detour / mps * crowd

    def _flight(self, origin: Point, target: Point) -> Journey:
        fly, platform = self.spec.fly, self.city.travel.fly
        launch = self.draw(fly.launch_s) if fly.launch_s else platform.launch_delay_s  # type: ignore[union-attr]
        kmh = self.draw(fly.speed_kmh) if fly.speed_kmh else platform.speed_kmh  # type: ignore[union-attr]
        leg = _Leg(origin)
        leg.wait(launch)
        leg.go(target, haversine_m(*origin, *target) / (kmh / 3.6))
        return leg.journey()

    def _straight(self, mode: str, origin: Point, target: Point) -> Journey:
        """Off the network (a point too far from any road): straight, at the mode's pace."""
        truth = self._mode(mode)
        kmh = truth.default_kmh or self.city.travel.roads[mode].typical_speed_mps * 3.6
        leg = _Leg(origin)
        leg.go(target, haversine_m(*origin, *target) * truth.detour / (kmh / 3.6))
        return leg.journey()

    # -- what the unit's equipment sends ------------------------------------------------------
    def measure(
        self, unit_id: int, lon: float, lat: float, at: datetime, speed_mps: float | None = None
    ) -> Fix:
        """The fix a unit's equipment takes at its true position: noisy, and delivered now,
        later (keeping its measured time) or never (`delivered_at` None)."""
        gps = self.spec.gps
        self.measured[unit_id] = at
        if gps.lost_share and self.rng.random() < gps.lost_share:
            return Fix(unit_id, lon, lat, at, None, speed_mps)
        sigma = gps.noise_m
        if gps.multipath_share and self.rng.random() < gps.multipath_share:
            sigma = gps.multipath_m
        if sigma > 0:
            east, north = self.rng.gauss(0.0, sigma), self.rng.gauss(0.0, sigma)
            lat_out = lat + math.degrees(north / EARTH_RADIUS_M)
            lon = lon + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
            lat = lat_out
        delivered = at
        if gps.late_share and self.rng.random() < gps.late_share:
            delivered = at + timedelta(seconds=self.draw(gps.late_s))
        return Fix(unit_id, lon, lat, at, delivered, speed_mps)

    def reports_standing(self, unit_id: int, t: datetime) -> bool:
        """Whether a unit standing still is due to report (its terminal's heartbeat)."""
        last = self.measured.get(unit_id)
        return last is None or (t - last).total_seconds() >= self.spec.gps.standing_every_s

    def hold(self, fix: Fix) -> None:
        """Keep a late fix until its delivery time."""
        heapq.heappush(self._held, (fix.delivered_at, next(self._order), fix))  # type: ignore[arg-type]

    def released(self, t: datetime) -> list[Fix]:
        """Late fixes whose delivery time has come, in delivery order."""
        out = []
        while self._held and self._held[0][0] <= t:
            out.append(heapq.heappop(self._held)[2])
        return out

    # -- crews --------------------------------------------------------------------------------
    def handled(self, unit_id: int, at: datetime) -> None:
        """A crew reached a call (it counts towards how busy it has been)."""
        self._handled.setdefault(unit_id, []).append(at)

    def ack_delay_s(self, unit_id: int, t: datetime) -> float:
        """签收 delay: the base draw, plus a draw per call handled in the last window."""
        ack = self.spec.acknowledge
        since = t - timedelta(seconds=ack.window_s)
        recent = [x for x in self._handled.get(unit_id, []) if x >= since]
        self._handled[unit_id] = recent
        extra = sum(
            self.draw(ack.per_recent_call_s) for _ in range(min(len(recent), ack.max_recent))
        )
        return self.draw(ack.base_s) + extra

    def retry_s(self) -> float:
        """How long a crew takes to press 到场 again after the platform refused it."""
        return self.draw(self.spec.arrival_retry_s)
