"""Road travel times on a ``RoadGraph``: snapping, matrices, nearest unit, isochrones, routes.

Algorithm and why
-----------------
* **Snapping**: a shapely ``STRtree`` over the graph's straight segments (in local metres)
  answers "nearest segment" for thousands of points in one vectorised call; the offset along
  the segment is the projection of the point onto it. Points farther than ``max_snap_m`` or
  not finite are refused with a reason. A single point (an incident) takes a scalar path
  with the same arithmetic (≈ 30 µs instead of 60 µs).
* **Partial edges**: a snapped point sits *inside* a segment. Each query point becomes a
  virtual node joined to the segment's end nodes by arcs costing the partial time
  (fraction × arc time, one-way rules kept) plus the straight "connector" from the point to
  the road at walking speed. The arrival side is closed the same way, and two points on the
  same segment may travel directly along it. The virtual nodes live in reserved slots of a
  per-thread copy of the graph and its transpose (``RoadGraph.csr_with_slots``), whose arcs
  are overwritten per query: same arcs in the same order as appending them to a fresh matrix
  (identical distances and predecessors), without the ~100 µs rebuild per search.
* **Shortest paths, exact**: SciPy ``csgraph.dijkstra`` (binary heap, in C). It is run
  from the *smaller* side of a matrix — forward from the sources, or backward on the
  transposed graph from the targets — in blocks of 64 rows so the distance block stays in
  cache; ``limit=`` stops each search at the time horizon that matters (e.g. 300 s for the
  5-minute tier). ``min_only=True`` with all sources at once gives "nearest of many".
  SciPy holds the GIL, so threads do not speed a matrix up.
* **Many units to one incident: contraction hierarchy** (``ranked_to``, optional
  ``routingkit-cch``, RoutingKit's CCH, BSD-2-Clause). Built once per graph (nested
  dissection order, contraction, customization: ≈ 0.25 s Monaco drive, 0.5 s walk;
  ``prepare()``). RoutingKit weights are 31-bit integers, so arc times are rounded at the
  finest scale where any route still fits (≈ 4 µs per unit on Monaco drive). One bucket
  sweep ranks all sources at once (≈ 40 µs for 20); ``Ranked.eta`` then takes a chosen
  source's route and adds its float arc times in Dijkstra's order, so the time is
  bit-identical to ``many_to_one`` whenever both pick the same route (all but a handful of
  ulp-level ties on random Monaco pairs) and ``rank_s`` is within ``err_s`` of it. A
  Dijkstra from the incident costs 0.2–2 ms depending on how far the units are (a whole
  walk graph: 2–5 ms); the hierarchy's cost does not depend on distance.

Measured with ``bench/dispatch.py`` on the Monaco drive graph (14,360 nodes / 25,543 arcs),
2-core machine, medians: 2,000 × 300 matrix with a 300 s limit 0.09–0.10 s (0.10–0.14 s
before the reserved slots and row blocks), 0.38–0.43 s without (plain SciPy Dijkstra from
300 nodes, no limit: 0.36–0.41 s); one recommendation (500 units) p50 0.55 ms, p99 1.4 ms
with the hierarchy (backward searches per mode: p50 1.4 ms, p99 6–8 ms); three isochrones
(1/3/5 min) with polygons 0.15–0.5 s. Other machines' load moves these by up to 30 %.

Times are seconds (float64), ``inf`` where unreachable within the limit.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from pingan.geo.graph import EARTH_RADIUS_M, GraphError, RoadGraph, local_xy
from pingan.i18n import Msg, msg

try:  # optional: without it recommendations fall back to Dijkstra with search horizons
    import routingkit_cch as _rk
except ImportError:  # pragma: no cover - depends on the environment
    _rk = None

DEFAULT_MAX_SNAP_M = 500.0
DEFAULT_TIERS_S = (60.0, 180.0, 300.0)
_MIN_SLOTS = 8
_CHUNK = 64  # matrix rows per Dijkstra call: the distance block stays in cache
_INT_LIMIT = 2**31 - 1  # RoutingKit weights and distances are 31-bit integers
# Hierarchy query objects hold search buffers and must be used and freed by the thread that
# made them: one set per thread and hierarchy, here, where no other thread drops them (an
# engine's own thread-local would be freed by whichever thread collects the engine).
_THREAD_QUERIES = threading.local()
_HIERARCHY_IDS = itertools.count()


def _part(share: np.ndarray, arc_time: np.ndarray) -> np.ndarray:
    """Time for a share of an arc: 0 for no share (already at the node), inf on a missing arc."""
    finite = np.isfinite(arc_time)
    out = share * np.where(finite, arc_time, 0.0)
    out[(share > 0) & ~finite] = np.inf
    return out


def _pairs(nodes: np.ndarray, costs: np.ndarray, scale: float) -> list[tuple[int, int, float]]:
    """(node, offset in integer units, offset in seconds) for a point's allowed end nodes."""
    ok = np.isfinite(costs)
    units = np.rint(costs[ok] * scale).astype(np.int64)
    return list(zip(nodes[ok].tolist(), units.tolist(), costs[ok].tolist(), strict=True))


def _cells_polygon(pieces: np.ndarray, cell_m: float) -> shapely.Geometry:
    """Union of grid cells (grown by one cell) touched by line pieces (k, 2, 2) in metres."""
    if pieces.shape[0] == 0:
        return shapely.Polygon()
    a, b = pieces[:, 0], pieces[:, 1]
    steps = np.maximum(1, np.ceil(np.linalg.norm(b - a, axis=1) / (cell_m / 2))).astype(np.int64)
    which = np.repeat(np.arange(a.shape[0]), steps + 1)
    share = np.arange(which.shape[0]) - np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    share = share / np.repeat(steps, steps + 1)
    samples = a[which] + (b[which] - a[which]) * share[:, None]
    cells = np.floor(samples / cell_m).astype(np.int64)
    grow = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    cells = np.unique((cells[:, None, :] + grow[None]).reshape(-1, 2), axis=0)
    x, y = cells[:, 0] * cell_m, cells[:, 1] * cell_m
    return shapely.coverage_union_all(shapely.box(x, y, x + cell_m, y + cell_m))


class SnapError(GraphError):
    """A point cannot be placed on the road network (not finite, or too far from any road)."""


@dataclass(frozen=True, slots=True)
class Snapped:
    """Points placed on road segments (parallel arrays; ``seg == -1`` where refused).

    ``frac`` is the position along the segment from its lower node ``u`` (0) to ``v`` (1);
    ``dist_m`` is the straight gap from the point to the road; ``reason`` explains a refusal.
    """

    lon: np.ndarray
    lat: np.ndarray
    seg: np.ndarray
    frac: np.ndarray
    dist_m: np.ndarray
    road_lon: np.ndarray
    road_lat: np.ndarray
    reason: tuple[Msg | None, ...]  # why each refused point was refused

    def __len__(self) -> int:
        return int(self.seg.shape[0])

    @property
    def ok(self) -> np.ndarray:
        return self.seg >= 0

    def take(self, idx: Sequence[int] | np.ndarray) -> Snapped:
        """Subset of the points, in the given order."""
        idx = np.asarray(idx, dtype=np.int64)
        return Snapped(
            self.lon[idx],
            self.lat[idx],
            self.seg[idx],
            self.frac[idx],
            self.dist_m[idx],
            self.road_lon[idx],
            self.road_lat[idx],
            tuple(self.reason[i] for i in idx),
        )


@dataclass(frozen=True, slots=True)
class Route:
    """One unit → point route: what the dispatcher sees and the map draws."""

    eta_s: float
    length_m: float
    coords: list[tuple[float, float]]  # (lon, lat): point, road, node chain, road, point
    nodes: list[int]


@dataclass(frozen=True, slots=True)
class Isochrone:
    """Everything reachable from a point within ``threshold_s``."""

    threshold_s: float
    nodes: np.ndarray  # node ids reached
    arcs: np.ndarray  # arc ids reached (fully or partly)
    arc_fraction: np.ndarray  # share of each of those arcs reached (0, 1]
    road_length_m: float
    polygon: shapely.Geometry  # lon/lat, buffered reachable roads (empty if nothing)


@dataclass(frozen=True, slots=True)
class ToTarget:
    """Result of a many-to-one query: ETA of every source, and their road paths on demand."""

    eta_s: np.ndarray
    _engine: TravelTimes
    _sources: Snapped
    _target: Snapped
    _start_node: np.ndarray  # first graph node each source enters (-1: direct or none)
    _pred: np.ndarray  # predecessor tree of the backward search (toward the target)

    def length_m(self, i: int) -> float:
        """Road length of source ``i``'s fastest path, connectors included."""
        return self._engine._path_length(self._nodes(i), self._sources, i, self._target)

    def coords(self, i: int) -> list[tuple[float, float]]:
        return self._engine._path_coords(self._nodes(i), self._sources, i, self._target)

    def _nodes(self, i: int) -> list[int]:
        if not math.isfinite(self.eta_s[i]):
            raise GraphError(msg("geo.unreachable", i=i))
        node, n, path = int(self._start_node[i]), self._engine.graph.n_nodes, []
        while 0 <= node < n:
            path.append(node)
            node = int(self._pred[node])
        return path


@dataclass(frozen=True, slots=True)
class _Hierarchy:
    """A customized contraction hierarchy of one graph, on integer arc times."""

    metric: object  # routingkit_cch.CCHMetric (immutable once built: shared by threads)
    scale: float  # integer units per second
    err_s: float  # bound on |rounded − exact| time of any route, end pieces included
    key: int  # unique, for this thread's query objects


@dataclass(slots=True)
class Ranked:
    """Many-to-one by contraction hierarchy: sources ranked, exact routes of the chosen ones.

    ``rank_s`` is each source's time on arc times rounded to ``1/scale`` s (``inf`` where
    unreachable), within ``err_s`` of the exact time of the route the hierarchy picks;
    ``eta(i)`` is that exact time (the route's own arc times summed as Dijkstra sums them,
    so it is bit-identical to ``many_to_one`` whenever both find the same route).
    """

    rank_s: np.ndarray
    err_s: float
    _engine: TravelTimes
    _sources: Snapped
    _target: Snapped
    _direct: np.ndarray
    _depart: tuple[np.ndarray, np.ndarray, np.ndarray]  # (S, 2) nodes, offset units, seconds
    _ends: list[tuple[int, int, float]]  # the target's (node, offset units, seconds)
    _routes: dict[int, tuple[float, list[int], list[int]]]  # i -> (time, arcs, end nodes)

    def eta(self, i: int) -> float:
        return self._route(i)[0]

    def length_m(self, i: int) -> float:
        _, arcs, ends = self._route(i)
        a = np.asarray(arcs, dtype=np.int64)
        return self._engine._path_length(ends, self._sources, i, self._target, a)

    def coords(self, i: int) -> list[tuple[float, float]]:
        return self._engine._path_coords(self.nodes(i), self._sources, i, self._target)

    def nodes(self, i: int) -> list[int]:
        """Graph nodes along source ``i``'s route ([] when it goes directly)."""
        _, arcs, ends = self._route(i)
        return self._engine._arc_nodes(arcs) if arcs else ends[:1]

    def _route(self, i: int) -> tuple[float, list[int], list[int]]:
        if i not in self._routes:
            if not math.isfinite(self.rank_s[i]):
                raise GraphError(msg("geo.unreachable", i=i))
            nodes, units, secs = (a[i].tolist() for a in self._depart)
            starts = [s for s in zip(nodes, units, secs, strict=True) if math.isfinite(s[2])]
            self._routes[i] = self._engine._hierarchy_route(
                starts, self._ends, float(self._direct[i])
            )
        return self._routes[i]


class TravelTimes:
    """Travel-time engine for one road graph (one mode). Safe to share between threads."""

    def __init__(self, graph: RoadGraph, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> None:
        if not max_snap_m > 0:
            raise ValueError(msg("geo.bad_max_snap"))
        self.graph = graph
        self.max_snap_m = float(max_snap_m)
        seg = graph.segments
        t = graph.time_s.astype(np.float64)
        self._seg_u, self._seg_v = seg.u.astype(np.int64), seg.v.astype(np.int64)
        self._seg_tf = np.where(seg.fwd >= 0, t[np.maximum(seg.fwd, 0)], np.inf)
        self._seg_tb = np.where(seg.bwd >= 0, t[np.maximum(seg.bwd, 0)], np.inf)
        length = graph.length_m.astype(np.float64)
        any_arc = np.where(seg.fwd >= 0, seg.fwd, seg.bwd)
        self._seg_len = length[any_arc]
        self._connector = graph.connector_speed_mps
        key = graph.tails.astype(np.int64) * graph.n_nodes + graph.indices
        self._arc_order = np.argsort(key, kind="stable")
        self._arc_key = key[self._arc_order]
        # Length-weighted mean speed: a realistic pace for search horizons (not a bound).
        self.typical_speed_mps = float(length.sum() / t.sum())
        # The fastest pace anywhere (an arc or the straight connector to it): no trip can beat
        # the straight line at this speed, so it bounds every ETA from below.
        moving = t > 0
        fastest = float((length[moving] / t[moving]).max()) if moving.any() else 0.0
        self.top_speed_mps = max(fastest, self._connector)
        self._nnz = int(graph.csr_time.nnz)
        self._scratch = threading.local()  # per-thread graphs with reserved query slots

    # -- snapping -------------------------------------------------------------------------
    @cached_property
    def _tree(self) -> shapely.STRtree:
        xy = self.graph.xy
        lines = shapely.linestrings(np.stack([xy[self._seg_u], xy[self._seg_v]], axis=1))
        return shapely.STRtree(lines)

    def snap(
        self, points: Sequence[tuple[float, float]] | np.ndarray, *, strict: bool = True
    ) -> Snapped:
        """Place (lon, lat) points on the nearest road segment.

        ``strict`` raises ``SnapError`` for the first refused point; otherwise refused points
        get ``seg = -1`` and a ``reason`` (a message) so a caller can explain them.
        """
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if pts.shape[0] == 1:  # an incident: the same steps without array bookkeeping
            one = self._snap_one(float(pts[0, 0]), float(pts[0, 1]))
            if one is not None:
                return one
        lon, lat = pts[:, 0].copy(), pts[:, 1].copy()
        n = pts.shape[0]
        seg = np.full(n, -1, dtype=np.int64)
        frac = np.zeros(n)
        dist = np.full(n, np.nan)
        reason: list[Msg | None] = [None] * n
        finite = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        for i in np.flatnonzero(~finite):
            reason[i] = msg("geo.bad_position")
        idx = np.flatnonzero(finite)
        if idx.size:
            xy = self._xy(lon[idx], lat[idx])
            # Without max_distance: GEOS answers faster, and far points are refused below.
            hit, d = self._tree.query_nearest(
                shapely.points(xy), return_distance=True, all_matches=False
            )
            near = d <= self.max_snap_m
            hit, d = hit[:, near], d[near]
            pi, si = idx[hit[0]], hit[1]
            seg[pi], dist[pi] = si, d
            a, b = self.graph.xy[self._seg_u[si]], self.graph.xy[self._seg_v[si]]
            ab, ap = b - a, xy[hit[0]] - a
            den = np.einsum("ij,ij->i", ab, ab)
            with np.errstate(invalid="ignore", divide="ignore"):
                t = np.where(den > 0, np.einsum("ij,ij->i", ap, ab) / den, 0.0)
            frac[pi] = np.clip(t, 0.0, 1.0)
        for i in idx[seg[idx] < 0]:
            reason[i] = msg("geo.too_far_from_road", max_snap_m=self.max_snap_m)
        road_lon, road_lat = self._road_position(seg, frac)
        snapped = Snapped(lon, lat, seg, frac, dist, road_lon, road_lat, tuple(reason))
        if strict and not snapped.ok.all():
            bad = int(np.flatnonzero(~snapped.ok)[0])
            raise SnapError(
                msg("geo.point_refused", i=bad, reason=reason[bad], lon=lon[bad], lat=lat[bad])
            )
        return snapped

    def _snap_one(self, lon: float, lat: float) -> Snapped | None:
        """``snap`` of one valid point within reach (≈ 2× faster); ``None`` for anything else."""
        if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
            return None
        xy = self._xy(np.array([lon]), np.array([lat]))
        hit, d = self._tree.query_nearest(
            shapely.points(xy), return_distance=True, all_matches=False
        )
        if not d.shape[0] or not d[0] <= self.max_snap_m:
            return None
        si = int(hit[1, 0])
        u, v = int(self._seg_u[si]), int(self._seg_v[si])
        (ax, ay), (bx, by) = self.graph.xy[u].tolist(), self.graph.xy[v].tolist()
        (px, py), (dx, dy) = xy[0].tolist(), (bx - ax, by - ay)
        den = dx * dx + dy * dy
        t = ((px - ax) * dx + (py - ay) * dy) / den if den > 0 else 0.0
        t = min(1.0, max(0.0, t))
        g = self.graph
        road_lon = float(g.lon[u]) + t * (float(g.lon[v]) - float(g.lon[u]))
        road_lat = float(g.lat[u]) + t * (float(g.lat[v]) - float(g.lat[u]))

        def arr(x, dtype=np.float64):
            return np.array([x], dtype=dtype)

        return Snapped(
            arr(lon), arr(lat), arr(si, np.int64), arr(t), arr(float(d[0])),
            arr(road_lon), arr(road_lat), (None,),
        )  # fmt: skip

    def _xy(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return local_xy(lon, lat, *self.graph.origin)

    def _lonlat(self, xy: np.ndarray) -> np.ndarray:
        lon0, lat0 = self.graph.origin
        k = math.pi / 180.0 * EARTH_RADIUS_M
        return np.column_stack(
            [xy[:, 0] / (k * math.cos(math.radians(lat0))) + lon0, xy[:, 1] / k + lat0]
        )

    def _road_position(self, seg: np.ndarray, frac: np.ndarray):
        s = np.maximum(seg, 0)
        u, v, g = self._seg_u[s], self._seg_v[s], self.graph
        lon = g.lon[u] + frac * (g.lon[v] - g.lon[u])
        lat = g.lat[u] + frac * (g.lat[v] - g.lat[u])
        bad = seg < 0
        return np.where(bad, np.nan, lon), np.where(bad, np.nan, lat)

    def _as_snapped(self, points) -> Snapped:
        return points if isinstance(points, Snapped) else self.snap(points)

    # -- end-point arcs ---------------------------------------------------------------------
    def _depart(self, s: Snapped) -> tuple[np.ndarray, np.ndarray]:
        """Nodes (n, 2) a point can drive *to* first, and the cost to each (inf = not allowed)."""
        return self._ends(s, depart=True)

    def _arrive(self, s: Snapped) -> tuple[np.ndarray, np.ndarray]:
        """Nodes (n, 2) a point can be reached *from*, and the cost from each."""
        return self._ends(s, depart=False)

    def _ends(self, s: Snapped, *, depart: bool) -> tuple[np.ndarray, np.ndarray]:
        """Both end nodes of each point's segment, with the partial arc time plus connector.

        Leaving, the point drives to ``v`` on the u→v arc and to ``u`` on the v→u arc;
        arriving, it comes from ``u`` on the u→v arc and from ``v`` on the v→u arc.
        """
        seg, t = np.maximum(s.seg, 0), s.frac
        u, v, tf, tb = self._seg_u[seg], self._seg_v[seg], self._seg_tf[seg], self._seg_tb[seg]
        if depart:
            nodes = np.column_stack([v, u])
            costs = np.column_stack([_part(1.0 - t, tf), _part(t, tb)])
        else:
            nodes = np.column_stack([u, v])
            costs = np.column_stack([_part(t, tf), _part(1.0 - t, tb)])
        costs += (np.where(s.ok, s.dist_m, 0.0) / self._connector)[:, None]
        costs[~s.ok] = np.inf
        return nodes, costs

    def _direct(self, src: Snapped, dst: Snapped) -> np.ndarray:
        """(S, T) time along a shared segment without visiting a node; inf elsewhere."""
        same = (src.seg[:, None] == dst.seg[None, :]) & (src.seg >= 0)[:, None]
        out = np.full(same.shape, np.inf)
        if not same.any():
            return out
        i, j = np.nonzero(same)
        seg, a, b = src.seg[i], src.frac[i], dst.frac[j]
        along = np.where(b >= a, _part(b - a, self._seg_tf[seg]), _part(a - b, self._seg_tb[seg]))
        out[i, j] = along + (src.dist_m[i] + dst.dist_m[j]) / self._connector
        return out

    # -- searches ---------------------------------------------------------------------------
    def _slots(self, reverse: bool, k: int) -> csr_matrix:
        """This thread's graph (or transpose) with at least ``k`` reserved virtual nodes."""
        graphs = self._scratch.__dict__.setdefault("graphs", {})
        g = graphs.get(reverse)
        if g is None or g.shape[0] - self.graph.n_nodes < k:
            cap = max(_MIN_SLOTS, 1 << (k - 1).bit_length())
            g = graphs[reverse] = self.graph.csr_with_slots(cap, reverse=reverse)
        return g

    def _search(
        self,
        reverse: bool,
        nodes: np.ndarray,
        costs: np.ndarray,
        limit: float,
        *,
        min_only: bool = False,
        predecessors: bool = False,
    ):
        """Dijkstra from virtual nodes ``n, n+1, …`` (one per row of ``nodes``).

        The virtual nodes' arcs (to the two end nodes of the snapped segment, at the partial
        cost) are written into reserved slots of a per-thread copy of the graph; a forbidden
        direction stays a self-loop. Same arcs in the same order as a fresh build, so the
        same distances and predecessors, without rebuilding the matrix per query.
        """
        n, k = self.graph.n_nodes, nodes.shape[0]
        g = self._slots(reverse, k)
        allowed = np.isfinite(costs)
        own = np.arange(n, n + k)[:, None]
        lo, hi = self._nnz, self._nnz + 2 * k
        g.indices[lo:hi] = np.where(allowed, nodes, own).ravel()
        g.data[lo:hi] = np.where(allowed, costs, 0.0).ravel()
        return dijkstra(
            g,
            directed=True,
            indices=own[:, 0],
            limit=limit,
            min_only=min_only,
            return_predecessors=predecessors or min_only,
        )

    @staticmethod
    def _through(dist: np.ndarray, nodes: np.ndarray, costs: np.ndarray) -> np.ndarray:
        """(rows, P): best of the two end nodes of each column point, plus its partial cost."""
        a = dist[:, nodes[:, 0]] + costs[:, 0]
        b = dist[:, nodes[:, 1]] + costs[:, 1]
        return np.minimum(a, b)

    # -- public queries ---------------------------------------------------------------------
    def matrix(self, sources, targets, *, limit_s: float | None = None) -> np.ndarray:
        """(S, T) seconds from every source to every target; inf beyond ``limit_s``.

        Dijkstra runs from whichever side has fewer points (backward from targets on the
        transposed graph when they are fewer), each search stopped at ``limit_s``.
        """
        src, dst = self._as_snapped(sources), self._as_snapped(targets)
        limit = np.inf if limit_s is None else float(limit_s)
        forward = len(src) <= len(dst)
        (nodes, costs), ends = (
            (self._depart(src), self._arrive(dst))
            if forward
            else (self._arrive(dst), self._depart(src))
        )
        out = np.empty((nodes.shape[0], ends[0].shape[0]))
        for lo in range(0, nodes.shape[0], _CHUNK):
            hi = lo + _CHUNK
            dist = self._search(not forward, nodes[lo:hi], costs[lo:hi], limit)
            out[lo:hi] = self._through(dist, *ends)
        out = np.minimum(out if forward else out.T, self._direct(src, dst))
        out[out > limit] = np.inf
        return out

    def one_to_many(self, source, targets, *, limit_s: float | None = None) -> np.ndarray:
        """Seconds from one point to each target."""
        src = source if isinstance(source, Snapped) else self.snap(np.reshape(source, (1, 2)))
        return self.matrix(src, targets, limit_s=limit_s)[0]

    def many_to_one(self, sources, target, *, limit_s: float | None = None) -> ToTarget:
        """Seconds from each source to one point: one backward Dijkstra from the target."""
        src = self._as_snapped(sources)
        dst = target if isinstance(target, Snapped) else self.snap(np.reshape(target, (1, 2)))
        limit = np.inf if limit_s is None else float(limit_s)
        nodes, costs = self._arrive(dst)
        dist, pred = self._search(True, nodes, costs, limit, predecessors=True)
        d_nodes, d_costs = self._depart(src)
        via = dist[0, d_nodes] + d_costs  # (S, 2)
        best = np.argmin(via, axis=1)
        eta = via[np.arange(len(src)), best]
        start = d_nodes[np.arange(len(src)), best]
        direct = self._direct(src, dst)[:, 0]
        use_direct = direct <= eta
        eta = np.where(use_direct, direct, eta)
        start = np.where(use_direct | ~np.isfinite(eta), -1, start)
        eta[eta > limit] = np.inf
        return ToTarget(eta, self, src, dst, start, pred[0])

    def nearest_source(
        self, sources, targets, *, limit_s: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each target: time from its nearest source and that source's index (-1: none).

        One multi-source Dijkstra (``min_only=True``) whatever the number of sources.
        """
        src, dst = self._as_snapped(sources), self._as_snapped(targets)
        limit = np.inf if limit_s is None else float(limit_s)
        n = self.graph.n_nodes
        nodes, costs = self._depart(src)
        dist, _pred, origin = self._search(False, nodes, costs, limit, min_only=True)
        a_nodes, a_costs = self._arrive(dst)
        via = dist[a_nodes] + a_costs  # (T, 2)
        best = np.argmin(via, axis=1)
        rows = np.arange(len(dst))
        time = via[rows, best]
        who = origin[a_nodes[rows, best]] - n
        direct = self._direct(src, dst)  # (S, T)
        if np.isfinite(direct).any():
            d_best = np.argmin(direct, axis=0)
            d_time = direct[d_best, rows]
            better = d_time < time
            time, who = np.where(better, d_time, time), np.where(better, d_best, who)
        unreachable = ~np.isfinite(time) | (time > limit)
        time[unreachable] = np.inf
        who = np.where(unreachable, -1, who)
        return time, who.astype(np.int64)

    # -- contraction hierarchy ------------------------------------------------------------
    @property
    def has_hierarchy(self) -> bool:
        """Whether ``ranked_to`` is available (the ``routingkit-cch`` package is installed)."""
        return _rk is not None

    def prepare(self) -> None:
        """Build the snapping index and, when available, the hierarchy now, not on first use.

        ≈ 0.25 s for Monaco drive, 0.5 s for walk; call it when a city is loaded so the first
        recommendation does not pay for it.
        """
        _ = self._tree
        if self.has_hierarchy:
            _ = self._hierarchy

    @cached_property
    def _hierarchy(self) -> _Hierarchy:
        """Nested-dissection order, contraction and customization (≈ 0.2 s on Monaco drive).

        Arc times become integers at the finest scale where any route — bounded by the
        time to and from one node, plus two end pieces — still fits in 31 bits.
        """
        if _rk is None:
            raise GraphError(msg("geo.routingkit_missing"))
        g = self.graph
        t = g.time_s.astype(np.float64)
        out = dijkstra(g.csr_time, indices=0)
        back = dijkstra(g.csr_time_reversed, indices=0)
        if np.isfinite(out).all() and np.isfinite(back).all():  # via node 0, any pair
            longest = float(out.max() + back.max())
        else:  # not strongly connected: no simple route is longer than all arcs together
            longest = float(t.sum())
        longest += 2 * (self.max_snap_m / self._connector + float(t.max()))  # end pieces
        scale = max(1, math.floor(_INT_LIMIT / (2.0 * longest)))
        tail, head = g.tails.tolist(), g.indices.tolist()
        order = _rk.compute_order_inertial(g.n_nodes, tail, head, g.lat.tolist(), g.lon.tolist())
        cch = _rk.CCH(order, tail, head, False)
        weights = np.maximum(1, np.rint(t * scale)).astype(np.int64)
        metric = _rk.CCHMetric(cch, weights.tolist())
        # |rounding| ≤ 1 unit per arc of a simple route (< n arcs; ≤ ½ unless raised to 1)
        # and ½ per end piece
        err = (g.n_nodes + 1) / scale
        return _Hierarchy(metric, float(scale), err, next(_HIERARCHY_IDS))

    # plain lists for the per-route loops of ``_hierarchy_route`` (a few hundred arcs each)
    @cached_property
    def _time_list(self) -> list[float]:
        return self.graph.time_s.astype(np.float64).tolist()

    @cached_property
    def _tail_list(self) -> list[int]:
        return self.graph.tails.tolist()

    @cached_property
    def _head_list(self) -> list[int]:
        return self.graph.indices.tolist()

    def _queries(self):
        """This thread's query objects (they hold search buffers; the metric is shared)."""
        h = self._hierarchy
        mine = _THREAD_QUERIES.__dict__.setdefault("by_key", {})
        q = mine.get(h.key)
        if q is None:
            q = mine[h.key] = (_rk.CCHQuery(h.metric), _rk.CCHManyToOne(h.metric, [0]))
        return q

    def ranked_to(self, sources, target) -> Ranked:
        """Each source's time to one point by contraction hierarchy (≈ 40 µs for 20 sources).

        One bucket sweep gives every source's time on rounded arc times (``rank_s``, for
        ranking); ``Ranked.eta`` then recovers the exact time of a chosen source's route.
        """
        src = self._as_snapped(sources)
        dst = target if isinstance(target, Snapped) else self.snap(np.reshape(target, (1, 2)))
        return self._ranked(src, dst, *self._depart(src))

    def _ranked(
        self, src: Snapped, dst: Snapped, d_nodes: np.ndarray, d_costs: np.ndarray
    ) -> Ranked:
        """``ranked_to`` with the sources' departure arcs already known (cached by a pool)."""
        h = self._hierarchy
        direct = self._direct(src, dst)[:, 0]
        t_nodes, t_costs = self._arrive(dst)
        ends = _pairs(t_nodes[0], t_costs[0], h.scale)
        ok = np.isfinite(d_costs)
        units = np.zeros(d_costs.shape, dtype=np.int64)
        units[ok] = np.rint(d_costs[ok] * h.scale)
        total = np.full(d_costs.shape, np.inf)
        if ends and ok.any():
            _, many = self._queries()
            many.repin_sources(d_nodes[ok].tolist())
            got = many.distances_to_multi([(n, u) for n, u, _ in ends])
            total[ok] = np.array([math.inf if d is None else d for d in got]) + units[ok]
        rank = np.minimum(total.min(axis=1) / h.scale, direct)
        return Ranked(rank, h.err_s, self, src, dst, direct, (d_nodes, units, d_costs), ends, {})

    def _hierarchy_route(
        self,
        starts: list[tuple[int, int, float]],
        ends: list[tuple[int, int, float]],
        direct: float,
    ) -> tuple[float, list[int], list[int]]:
        """Exact time, arcs and end nodes of the hierarchy's route (no nodes: the direct way).

        The route's arc times are added one by one from the target side, as the backward
        Dijkstra adds them, so equal routes give bit-identical times.
        """
        none: tuple[float, list[int], list[int]] = (direct, [], [])
        if not starts or not ends:
            return none
        query, _ = self._queries()
        res = query.run_multi([(n, u) for n, u, _ in starts], [(n, u) for n, u, _ in ends])
        try:  # the binding panics if a result outlives the next query
            found = res.distance is not None
            arcs = res.arc_path if found else []
            node = res.node_path[0] if found and not arcs else -1
        finally:
            del res
        if not found:
            return none
        first = self._tail_list[arcs[0]] if arcs else node
        last = self._head_list[arcs[-1]] if arcs else node
        time = min(c for n, _, c in ends if n == last)
        step = self._time_list
        for a in reversed(arcs):
            time += step[a]
        time += min(c for n, _, c in starts if n == first)
        return none if direct <= time else (time, arcs, [first, last])

    def _arc_nodes(self, arcs: list[int]) -> list[int]:
        """Node path along a chain of arcs."""
        g = self.graph
        a = np.asarray(arcs, dtype=np.int64)
        return [*g.tails[a].tolist(), int(g.indices[a[-1]])] if a.size else []

    def route(self, source, target) -> Route:
        """Fastest road path from one point to another, with ETA, length and geometry."""
        result = self.many_to_one(
            source if isinstance(source, Snapped) else np.reshape(source, (1, 2)), target
        )
        return Route(
            eta_s=float(result.eta_s[0]),
            length_m=result.length_m(0),
            coords=result.coords(0),
            nodes=result._nodes(0),
        )

    def isochrones(
        self, point, thresholds_s: Sequence[float] = DEFAULT_TIERS_S, *, cell_m: float = 25.0
    ) -> list[Isochrone]:
        """Roads reachable from ``point`` within each threshold (e.g. the 1/3/5-minute tiers).

        The polygon follows the streets instead of bridging lakes and blocks as a hull would:
        reachable road pieces are rasterised on a ``cell_m`` grid, grown by one cell, and the
        cells merged (``coverage_union``, ≈ 30 ms) — buffering thousands of lines and
        unioning them exactly took 1–12 s on Monaco.
        """
        src = point if isinstance(point, Snapped) else self.snap(np.reshape(point, (1, 2)))
        g = self.graph
        nodes, costs = self._depart(src)
        horizon = float(max(thresholds_s))
        dist = self._search(False, nodes, costs, horizon)[0, : g.n_nodes]
        tail_d = dist[g.tails]
        t_arc = g.time_s.astype(np.float64)
        out = []
        for thr in sorted(float(x) for x in thresholds_s):
            arcs = np.flatnonzero(tail_d < thr)
            frac = np.minimum(1.0, (thr - tail_d[arcs]) / t_arc[arcs])
            a, b = g.xy[g.tails[arcs]], g.xy[g.indices[arcs]]
            pieces = np.concatenate(
                [
                    np.stack([a, a + (b - a) * frac[:, None]], axis=1),
                    self._start_pieces(src, costs[0], thr),
                ]
            )
            length = float((g.length_m[arcs] * frac).sum())
            poly = shapely.transform(_cells_polygon(pieces, cell_m), self._lonlat)
            reached = np.flatnonzero(dist <= thr)
            out.append(Isochrone(thr, reached, arcs, frac, length, poly))
        return out

    def _start_pieces(self, src: Snapped, cost: np.ndarray, thr: float) -> np.ndarray:
        """Road pieces between the snapped start and its segment's end nodes."""
        seg, t = int(src.seg[0]), float(src.frac[0])
        g, conn = self.graph, float(src.dist_m[0]) / self._connector
        p = g.xy[self._seg_u[seg]] + t * (g.xy[self._seg_v[seg]] - g.xy[self._seg_u[seg]])
        pieces = []
        for end, full in ((self._seg_v[seg], cost[0]), (self._seg_u[seg], cost[1])):
            if not np.isfinite(full) or thr <= conn:
                continue
            share = 1.0 if full <= thr else (thr - conn) / max(full - conn, 1e-9)
            pieces.append([p, p + (g.xy[end] - p) * min(1.0, share)])
        return np.asarray(pieces, dtype=np.float64).reshape(-1, 2, 2)

    # -- path details -----------------------------------------------------------------------
    def _arcs(self, path: list[int]) -> np.ndarray:
        """Arc ids along a node path (arcs are sorted by tail, then head)."""
        p = np.asarray(path, dtype=np.int64)
        return self._arc_order[np.searchsorted(self._arc_key, p[:-1] * self.graph.n_nodes + p[1:])]

    def _path_length(
        self, path: list[int], src: Snapped, i: int, dst: Snapped, arcs: np.ndarray | None = None
    ) -> float:
        g = self.graph
        gaps = float(src.dist_m[i] + dst.dist_m[0])
        if not path:  # along a shared segment
            return gaps + abs(float(dst.frac[0] - src.frac[i])) * self._seg_len[src.seg[i]]
        arcs = self._arcs(path) if arcs is None else arcs  # path[0], path[-1] and the arcs
        inner = float(g.length_m[arcs].astype(np.float64).sum())
        first = self._partial_len(src, i, path[0])
        last = self._partial_len(dst, 0, path[-1])
        return gaps + first + inner + last

    def _partial_len(self, s: Snapped, i: int, node: int) -> float:
        seg = s.seg[i]
        share = s.frac[i] if node == self._seg_u[seg] else 1.0 - s.frac[i]
        return float(share * self._seg_len[seg])

    def _path_coords(self, path: list[int], src: Snapped, i: int, dst: Snapped):
        g = self.graph
        coords = [(float(src.lon[i]), float(src.lat[i]))]
        coords.append((float(src.road_lon[i]), float(src.road_lat[i])))
        coords += [(float(g.lon[x]), float(g.lat[x])) for x in path]
        coords.append((float(dst.road_lon[0]), float(dst.road_lat[0])))
        coords.append((float(dst.lon[0]), float(dst.lat[0])))
        return coords
