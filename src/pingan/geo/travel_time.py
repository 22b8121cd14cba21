"""Road travel times on a ``RoadGraph``: snapping, matrices, nearest unit, isochrones, routes.

Algorithm and why
-----------------
* **Snapping**: a shapely ``STRtree`` over the graph's straight segments (in local metres)
  answers "nearest segment" for thousands of points in one vectorised call; the offset along
  the segment is the projection of the point onto it. Points farther than ``max_snap_m`` or
  not finite are refused with a reason.
* **Partial edges**: a snapped point sits *inside* a segment. Each query point becomes a
  virtual node appended to the CSR graph, joined to the segment's end nodes by arcs costing
  the partial time (fraction × arc time, one-way rules kept) plus the straight "connector"
  from the point to the road at walking speed. The arrival side is closed the same way, and
  two points on the same segment may travel directly along it.
* **Shortest paths**: SciPy ``csgraph.dijkstra`` (binary heap, O((V+E) log V), in C). It is
  run from the *smaller* side of a matrix: forward from the sources, or backward on the
  transposed graph from the targets; ``limit=`` stops each search at the time horizon that
  matters (e.g. 300 s for the 5-minute tier), so a search touches only its neighbourhood.
  ``min_only=True`` with all sources at once gives "nearest of many" in one pass.
  Contraction hierarchies (RoutingKit, ~0.08 s for 2000×300) would be faster for unlimited
  queries but add a native dependency; with ``limit`` SciPy already meets the target.

Measured with ``bench/dispatch.py`` on the Monaco drive graph (14,360 nodes / 25,543 arcs),
2-core machine, medians: 2,000 × 300 matrix with a 300 s limit 0.10–0.14 s, 0.49 s without
(plain SciPy Dijkstra from 300 nodes, no limit: 0.39 s); one recommendation (backward
searches per mode, 500 units) p50 1.5 ms; three isochrones (1/3/5 min) with polygons
0.15–0.5 s.

Times are seconds (float64), ``inf`` where unreachable within the limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from pingan.geo.graph import EARTH_RADIUS_M, GraphError, RoadGraph, local_xy

DEFAULT_MAX_SNAP_M = 500.0
DEFAULT_TIERS_S = (60.0, 180.0, 300.0)


def _part(share: np.ndarray, arc_time: np.ndarray) -> np.ndarray:
    """Time for a share of an arc: 0 for no share (already at the node), inf on a missing arc."""
    with np.errstate(invalid="ignore"):
        return np.where(share <= 0, 0.0, np.where(np.isfinite(arc_time), share * arc_time, np.inf))


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
    reason: tuple[str | None, ...]

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
            raise GraphError(f"第 {i} 个出发点无法到达 / source {i} cannot reach the target")
        node, n, path = int(self._start_node[i]), self._engine.graph.n_nodes, []
        while 0 <= node < n:
            path.append(node)
            node = int(self._pred[node])
        return path


class TravelTimes:
    """Travel-time engine for one road graph (one mode). Safe to share between threads."""

    def __init__(self, graph: RoadGraph, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> None:
        if not max_snap_m > 0:
            raise ValueError("最大吸附距离必须为正 / max_snap_m must be positive")
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
        get ``seg = -1`` and a bilingual ``reason`` so a caller can explain them.
        """
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        lon, lat = pts[:, 0].copy(), pts[:, 1].copy()
        n = pts.shape[0]
        seg = np.full(n, -1, dtype=np.int64)
        frac = np.zeros(n)
        dist = np.full(n, np.nan)
        reason: list[str | None] = [None] * n
        finite = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        for i in np.flatnonzero(~finite):
            reason[i] = (
                "位置无效（非有限数值或超出范围）/ position is not a valid longitude/latitude"
            )
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
            reason[i] = (
                f"距最近道路超过 {self.max_snap_m:.0f} 米，无法定位到路网 / more than "
                f"{self.max_snap_m:.0f} m from any road of this network"
            )
        road_lon, road_lat = self._road_position(seg, frac)
        snapped = Snapped(lon, lat, seg, frac, dist, road_lon, road_lat, tuple(reason))
        if strict and not snapped.ok.all():
            bad = int(np.flatnonzero(~snapped.ok)[0])
            raise SnapError(f"第 {bad} 个点: {reason[bad]} ({lon[bad]}, {lat[bad]})")
        return snapped

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
        seg, t = np.maximum(s.seg, 0), s.frac
        nodes = np.stack([self._seg_v[seg], self._seg_u[seg]], axis=1)
        costs = np.stack([_part(1 - t, self._seg_tf[seg]), _part(t, self._seg_tb[seg])], axis=1)
        return nodes, self._with_connector(costs, s)

    def _arrive(self, s: Snapped) -> tuple[np.ndarray, np.ndarray]:
        """Nodes (n, 2) a point can be reached *from*, and the cost from each."""
        seg, t = np.maximum(s.seg, 0), s.frac
        nodes = np.stack([self._seg_u[seg], self._seg_v[seg]], axis=1)
        costs = np.stack([_part(t, self._seg_tf[seg]), _part(1 - t, self._seg_tb[seg])], axis=1)
        return nodes, self._with_connector(costs, s)

    def _with_connector(self, costs: np.ndarray, s: Snapped) -> np.ndarray:
        costs = costs + (np.nan_to_num(s.dist_m, nan=0.0) / self._connector)[:, None]
        costs[~s.ok] = np.inf
        return costs

    def _direct(self, src: Snapped, dst: Snapped) -> np.ndarray:
        """(S, T) time along a shared segment without visiting a node; inf elsewhere."""
        same = (src.seg[:, None] == dst.seg[None, :]) & src.ok[:, None] & dst.ok[None, :]
        out = np.full(same.shape, np.inf)
        if not same.any():
            return out
        i, j = np.nonzero(same)
        seg, a, b = src.seg[i], src.frac[i], dst.frac[j]
        along = np.where(b >= a, _part(b - a, self._seg_tf[seg]), _part(a - b, self._seg_tb[seg]))
        out[i, j] = along + (src.dist_m[i] + dst.dist_m[j]) / self._connector
        return out

    # -- searches ---------------------------------------------------------------------------
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
        """Dijkstra from virtual nodes appended to the graph (one per row of ``nodes``)."""
        base = self.graph.csr_time_reversed if reverse else self.graph.csr_time
        n, k = self.graph.n_nodes, nodes.shape[0]
        allowed = np.isfinite(costs)
        counts = allowed.sum(axis=1)
        indptr = np.concatenate([base.indptr, base.indptr[-1] + np.cumsum(counts)])
        indices = np.concatenate([base.indices, nodes[allowed].astype(base.indices.dtype)])
        data = np.concatenate([base.data, costs[allowed]])
        aug = csr_matrix((data, indices, indptr.astype(base.indptr.dtype)), shape=(n + k, n + k))
        return dijkstra(
            aug,
            directed=True,
            indices=np.arange(n, n + k),
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
        if len(src) <= len(dst):
            nodes, costs = self._depart(src)
            dist = self._search(False, nodes, costs, limit)
            out = self._through(dist, *self._arrive(dst))
        else:
            nodes, costs = self._arrive(dst)
            dist = self._search(True, nodes, costs, limit)
            out = self._through(dist, *self._depart(src)).T
        out = np.minimum(out, self._direct(src, dst))
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

    def _path_length(self, path: list[int], src: Snapped, i: int, dst: Snapped) -> float:
        g = self.graph
        gaps = float(src.dist_m[i] + dst.dist_m[0])
        if not path:  # along a shared segment
            return gaps + abs(float(dst.frac[0] - src.frac[i])) * self._seg_len[src.seg[i]]
        inner = float(g.length_m[self._arcs(path)].astype(np.float64).sum())
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
