"""Move-up recommendation (动中备勤, pure core): when busy units leave a key area's 1-minute
circle or 3-minute zone uncovered, which free units should stand in, and where.

The model, after the relocation models in references/optim.md (Gendreau–Laporte–Semet's
dynamic redeployment; van Barneveld's "few moves suffice"): demand points sampled in every
key area; the units available now where they are; cover points = the posts of the busy
units (where the plan wanted a unit) and the centre of each uncovered area. Binary x[u, c]
moves unit u to cover point c (each unit at most one move, each point at most one unit,
at most ``max_moves`` in all, each at most ``max_travel_s`` by road); y[p, t] says demand
point p is reached within tier t by a unit staying put or by a moved unit. Maximise the
cover restored where it was lost — the tier-weighted share of each uncovered area at the
tiers it lost — with, as tie-breaks, the cover everywhere else (so the unit whose
departure costs least goes) and then the travel time; subject to no move making a new
hole: at each trigger tier, no area may end below its plan's share less the trigger
margin, nor below what it has now where it is already short — a unit may not uncover its
own circle or zone to fill another.

Cover is judged on the standing posture: each free unit where it stands by (its cover point
while it has one, else its post), not where its last fix caught it on its patrol loop — a
foot patrol half-way round its loop comes back, a busy unit does not. So a gap here is one
busy units left, and a move is sized against it; the move's drive is timed from where the
unit is now.

HiGHS (highspy, pinned) solves it exactly: the candidate set is small (tens of units ×
tens of points) but the coverage interactions make a greedy pick miss pairs of moves that
only together close a circle, and an exhaustive enumeration grows as units^max_moves ×
points^max_moves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import highspy
import numpy as np
import shapely
import yaml

from pingan.dispatch.recommend import (
    AVAILABLE,
    STALE_AFTER_S,
    Candidate,
    Travel,
    _position,
    fmt_duration,
    kind_name,
    sample_polygon,
)
from pingan.geo.graph import haversine_m_array
from pingan.geo.travel_time import DEFAULT_TIERS_S

_SCALE = 1000.0  # objective units per unit of tier-weighted share (keeps HiGHS' costs ≥ 1e-3)
_ELSEWHERE = 0.01  # weight of cover outside the holes: a tie-break, below any restoration
_TRAVEL_TIE_BREAK = 1e-5  # per second of travel: below one demand point elsewhere (≥ 0.03)


@dataclass(frozen=True, slots=True)
class MoveupSettings:
    max_moves: int = 2
    max_travel_s: float = 300.0
    trigger_margin: float = 0.10
    trigger_tiers_s: tuple[float, ...] = (60.0, 180.0)
    tier_weights: tuple[tuple[float, float], ...] = ((60.0, 0.5), (180.0, 0.3), (300.0, 0.2))
    min_gain: float = 0.02
    movable_kinds: frozenset[str] = frozenset({"patrol_car", "foot_patrol", "ptu", "traffic"})
    covering_kinds: frozenset[str] = frozenset(
        {"patrol_car", "foot_patrol", "ptu", "traffic", "k9"}
    )
    points_per_area: int = 40


@cache
def moveup_settings() -> MoveupSettings:
    """The settings in moveup.yaml (reasoning beside each figure there)."""
    raw = yaml.safe_load(
        resources.files("pingan.dispatch").joinpath("moveup.yaml").read_text("utf-8")
    )
    return MoveupSettings(
        max_moves=int(raw["max_moves"]),
        max_travel_s=float(raw["max_travel_s"]),
        trigger_margin=float(raw["trigger_margin"]),
        trigger_tiers_s=tuple(float(t) for t in raw["trigger_tiers_s"]),
        tier_weights=tuple((float(t), float(w)) for t, w in raw["tier_weights"].items()),
        min_gain=float(raw["min_gain"]),
        movable_kinds=frozenset(raw["movable_kinds"]),
        covering_kinds=frozenset(raw["covering_kinds"]),
        points_per_area=int(raw["points_per_area"]),
    )


@dataclass(frozen=True, slots=True)
class CoverPoint:
    lon: float
    lat: float
    area_code: str | None  # the area whose centre it is, or whose busy unit's post it is
    post_of: str | None = None  # the busy unit whose post it is (call sign), if any


@dataclass(frozen=True, slots=True)
class Proposal:
    """One cover move, with what it does to the area it covers and to the unit's own."""

    unit_id: str
    call_sign: str
    kind: str
    to: CoverPoint
    travel_s: float
    area_code: str  # the area it restores most
    before: dict[float, float]  # that area's share per tier now
    after: dict[float, float]  # … with this move alone
    own_area: str | None  # the area the unit covers most at 1 minute now
    own_before: dict[float, float]
    own_after: dict[float, float]
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class MoveupAdvice:
    """The situation now and the moves that restore the most of it."""

    tiers_s: tuple[float, ...]
    planned: dict[str, dict[float, float]]  # area -> tier -> share, every unit at its post
    now: dict[str, dict[float, float]]
    uncovered: dict[str, tuple[float, ...]]  # area -> trigger tiers it has lost
    proposals: tuple[Proposal, ...]
    after: dict[str, dict[float, float]]  # every proposal applied

    def restored(self) -> float:
        """Tier-weighted share the proposals restore where cover was lost (0 when none)."""
        return _score(self.after, self.uncovered) - _score(self.now, self.uncovered)


def _score(shares: Mapping[str, Mapping[float, float]],
           holes: Mapping[str, Sequence[float]]) -> float:  # fmt: skip
    """Σ weight(t) × share(area, t) over the (area, tier) pairs in ``holes``."""
    w = dict(moveup_settings().tier_weights)
    return sum(w.get(t, 0.0) * shares[a][t] for a, ts in holes.items() for t in ts)


class _Demand:
    """Demand points of every key area and travel times onto them, per mode."""

    def __init__(self, areas: Mapping[str, Sequence[tuple[float, float]]], travel: Travel,
                 per_area: int, horizon_s: float) -> None:  # fmt: skip
        chunks = [sample_polygon(poly, per_area) for poly in areas.values()]
        self.codes = list(areas)
        self.pts = np.vstack(chunks)
        self.area = np.concatenate([np.full(len(c), i) for i, c in enumerate(chunks)])
        self.travel, self.horizon = travel, horizon_s
        self._snapped = {m: e.snap(self.pts, strict=False) for m, e in travel.roads.items()}

    def times(self, mode: str, origins: np.ndarray) -> np.ndarray:
        """(len(origins), P) seconds to each demand point; inf beyond the last tier."""
        out = np.full((len(origins), len(self.pts)), np.inf)
        if len(origins) == 0:
            return out
        if mode == "fly" and self.travel.fly is not None:
            fly = self.travel.fly
            for i, (lon, lat) in enumerate(origins):
                d = haversine_m_array(lon, lat, self.pts[:, 0], self.pts[:, 1])
                out[i] = fly.launch_delay_s + d / (fly.speed_kmh / 3.6)
        elif mode in self.travel.roads:
            engine, dst = self.travel.roads[mode], self._snapped[mode]
            src = engine.snap(origins, strict=False)
            rows, cols = np.flatnonzero(src.ok), np.flatnonzero(dst.ok)
            if rows.size and cols.size:
                m = engine.matrix(src.take(rows), dst.take(cols), limit_s=self.horizon)
                out[np.ix_(rows, cols)] = m
        out[out > self.horizon] = np.inf
        return out

    def shares(self, best: np.ndarray, tiers: Sequence[float]) -> dict[str, dict[float, float]]:
        return {
            code: {t: float(np.mean(best[self.area == i] <= t)) for t in tiers}
            for i, code in enumerate(self.codes)
        }


def _best(demand: _Demand, units: Sequence[tuple[str, tuple[float, float]]]) -> np.ndarray:
    """(U, P) time from each (mode, position) to each demand point."""
    out = np.full((len(units), len(demand.pts)), np.inf)
    for mode in {m for m, _ in units}:
        idx = [i for i, (m, _) in enumerate(units) if m == mode]
        out[idx] = demand.times(mode, np.asarray([units[i][1] for i in idx], dtype=float))
    return out


def recommend_moveups(
    areas: Mapping[str, Sequence[tuple[float, float]]],
    units: Sequence[Candidate],
    travel: Travel,
    *,
    unit_areas: Mapping[str, str | None] | None = None,
    standby: Mapping[str, tuple[float, float]] | None = None,
    settings: MoveupSettings | None = None,
    tiers_s: Sequence[float] = DEFAULT_TIERS_S,
    stale_after_s: float = STALE_AFTER_S,
    area_names: Mapping[str, tuple[str, str]] | None = None,
) -> MoveupAdvice:
    """Cover moves for the key areas ``areas`` (code -> polygon) given every on-duty unit.

    ``units``: every on-duty unit, available or busy (busy units' posts are the cover points
    and, with the free units' posts, give the plan's own coverage). ``unit_areas``: a unit's
    home area code (its post's area), used to name the cover point of a busy unit's post.
    ``standby``: a unit's cover point while it has one (default: its post). Only units of
    the settings' ``covering_kinds`` count. ``area_names``: code -> (Chinese, English) names
    the proposals' texts use (default: the codes).
    """
    s = settings or moveup_settings()
    tiers = tuple(float(t) for t in tiers_s)
    demand = _Demand(areas, travel, s.points_per_area, max(tiers))
    unit_areas, standby = unit_areas or {}, standby or {}
    units = [u for u in units if u.kind in s.covering_kinds]
    free = [(u, p) for u in units if u.status == AVAILABLE
            and (p := _position(u, stale_after_s)[0]) is not None]  # fmt: skip
    at_post = [(u.mode, u.post) for u in units if u.post is not None]
    planned = demand.shares(_best(demand, at_post).min(axis=0, initial=np.inf), tiers)
    posture = [(u.mode, standby.get(u.unit_id) or u.post or p) for u, p in free]
    now_t = _best(demand, posture)
    now = demand.shares(now_t.min(axis=0, initial=np.inf), tiers)
    uncovered = {
        code: lost
        for code in demand.codes
        if (
            lost := tuple(
                t
                for t in s.trigger_tiers_s
                if t in tiers and planned[code][t] - now[code][t] > s.trigger_margin
            )
        )
    }
    if not uncovered:
        return MoveupAdvice(tiers, planned, now, {}, (), now)
    points = _cover_points(areas, units, unit_areas, uncovered)
    movers = [i for i, (u, _) in enumerate(free) if u.kind in s.movable_kinds and u.mode != "fly"]
    chosen, cover_t, trip = _solve(demand, free, now_t, movers, points, tiers, s, planned,
                                   uncovered)  # fmt: skip
    proposals = []
    base = now_t.min(axis=0, initial=np.inf)
    for i, c in chosen:
        proposals.append(
            _proposal(
                demand, free, now_t, cover_t, trip, i, c, points, tiers, uncovered, area_names or {}
            )
        )
    best = base
    if chosen:
        keep = np.ones(len(free), dtype=bool)
        keep[[i for i, _ in chosen]] = False
        moved = np.vstack([cover_t[(i, c)] for i, c in chosen])
        best = np.minimum(now_t[keep].min(axis=0, initial=np.inf), moved.min(axis=0))
    after = demand.shares(best, tiers)
    if _score(after, uncovered) - _score(now, uncovered) < s.min_gain:
        return MoveupAdvice(tiers, planned, now, uncovered, (), now)
    return MoveupAdvice(tiers, planned, now, uncovered, tuple(proposals), after)


def _cover_points(areas, units: Sequence[Candidate], unit_areas: Mapping[str, str | None],
                  uncovered: Mapping[str, tuple[float, ...]]) -> list[CoverPoint]:  # fmt: skip
    """Busy units' posts (where the plan wanted a unit), then each uncovered area's centre."""
    out, seen = [], set()
    for u in units:
        if u.status != AVAILABLE and u.post is not None and u.post not in seen:
            seen.add(u.post)
            out.append(CoverPoint(*u.post, unit_areas.get(u.unit_id), u.name or u.unit_id))
    for code in uncovered:
        c = shapely.Polygon(areas[code]).representative_point()
        out.append(CoverPoint(c.x, c.y, code))
    return out


def _solve(demand: _Demand, free, now_t: np.ndarray, movers: list[int],
           points: list[CoverPoint], tiers: tuple[float, ...], s: MoveupSettings,
           planned: Mapping[str, Mapping[float, float]],
           uncovered: Mapping[str, tuple[float, ...]]):  # fmt: skip
    """The MIP of the module docstring: the chosen (unit index, point index) pairs."""
    cover_pts = np.asarray([(p.lon, p.lat) for p in points], dtype=float).reshape(-1, 2)
    cover_t: dict[tuple[int, int], np.ndarray] = {}
    trip: dict[tuple[int, int], float] = {}
    for mode in {free[i][0].mode for i in movers}:
        mine = [i for i in movers if free[i][0].mode == mode]
        engine = demand.travel.roads.get(mode)
        if engine is None or not len(points):
            continue
        origin = np.asarray([free[i][1] for i in mine], dtype=float)
        src, dst = engine.snap(origin, strict=False), engine.snap(cover_pts, strict=False)
        rows, cols = np.flatnonzero(src.ok), np.flatnonzero(dst.ok)
        if not (rows.size and cols.size):
            continue
        go = np.full((len(mine), len(points)), np.inf)
        go[np.ix_(rows, cols)] = engine.matrix(
            src.take(rows), dst.take(cols), limit_s=s.max_travel_s
        )
        from_c = demand.times(mode, cover_pts)
        for a, i in enumerate(mine):
            for c in np.flatnonzero(go[a] <= s.max_travel_s):
                cover_t[(i, int(c))], trip[(i, int(c))] = from_c[c], float(go[a, c])
    if not cover_t:
        return [], cover_t, trip
    pairs = sorted(cover_t)
    w = dict(s.tier_weights)
    n_area = np.bincount(demand.area, minlength=len(demand.codes)).astype(float)
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("mip_rel_gap", 0.0)  # tiny model: prove the optimum
    h.setOptionValue("time_limit", 5.0)  # a proposal late by more is no proposal
    x = {pc: h.addBinary() for pc in pairs}
    objective = -_TRAVEL_TIE_BREAK * sum(float(trip[pc]) * x[pc] for pc in pairs)
    for i in {i for i, _ in pairs}:
        h.addConstr(sum(x[pc] for pc in pairs if pc[0] == i) <= 1)
    for c in {c for _, c in pairs}:
        h.addConstr(sum(x[pc] for pc in pairs if pc[1] == c) <= 1)
    h.addConstr(sum(x.values()) <= s.max_moves)
    leaving = {i: sum(x[pc] for pc in pairs if pc[0] == i) for i in {i for i, _ in pairs}}
    for t in tiers:
        now_cov = now_t <= t  # (U, P)
        y_area: dict[int, list] = {}
        for p in range(len(demand.pts)):
            arrive = [x[pc] for pc in pairs if cover_t[pc][p] <= t]
            stay = np.flatnonzero(now_cov[:, p])
            if not arrive and not stay.size:
                continue
            y = h.addVariable(lb=0.0, ub=1.0)
            gone = [leaving[i] for i in stay.tolist() if i in leaving]
            h.addConstr(y + sum(gone) - sum(arrive) <= float(stay.size))
            a = int(demand.area[p])
            y_area.setdefault(a, []).append(y)
            hole = t in uncovered.get(demand.codes[a], ())
            weight = _SCALE * (1.0 if hole else _ELSEWHERE) * w.get(t, 0.0) / float(n_area[a])
            objective += weight * y
        if t not in s.trigger_tiers_s:
            continue
        for a, ys in y_area.items():  # no move may make a new hole at a trigger tier
            held = float(np.sum(now_cov.any(axis=0) & (demand.area == a)))
            target = planned[demand.codes[a]][t] - s.trigger_margin
            floor = min(held, math.ceil(target * n_area[a] - 1e-9))
            if floor > 0:
                h.addConstr(sum(ys) >= floor)
    h.maximize(objective)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return [], cover_t, trip  # not proven: propose nothing rather than a guess
    chosen = [pc for pc in pairs if h.val(x[pc]) > 0.5]
    return chosen, cover_t, trip


def _proposal(demand: _Demand, free, now_t: np.ndarray, cover_t, trip, i: int, c: int,
              points: list[CoverPoint], tiers: tuple[float, ...],
              uncovered: Mapping[str, tuple[float, ...]],
              area_names: Mapping[str, tuple[str, str]]) -> Proposal:  # fmt: skip
    """One move alone: the area it restores most, and what the unit's own area keeps."""
    u, _ = free[i]
    before = demand.shares(now_t.min(axis=0, initial=np.inf), tiers)
    keep = np.ones(len(free), dtype=bool)
    keep[i] = False
    best = np.minimum(now_t[keep].min(axis=0, initial=np.inf), cover_t[(i, c)])
    after = demand.shares(best, tiers)
    every = dict.fromkeys(demand.codes, tiers)
    gain = {code: _score(after, {code: every[code]}) - _score(before, {code: every[code]})
            for code in demand.codes}  # fmt: skip
    area = max(demand.codes, key=lambda code: (gain[code], code == points[c].area_code))
    own_counts = np.bincount(demand.area[now_t[i] <= min(tiers)], minlength=len(demand.codes))
    own = demand.codes[int(np.argmax(own_counts))] if own_counts.any() else None
    kz, ke = kind_name(u.kind)
    label = u.name or u.unit_id
    dz, de = fmt_duration(trip[(i, c)])
    t1 = (uncovered.get(area) or (min(tiers),))[0]  # the tier it lost: what the move is for
    b1, a1 = before[area][t1], after[area][t1]
    mz, me = fmt_duration(t1)
    area_zh, area_en = area_names.get(area, (area, area))
    where_zh = f"{points[c].post_of}的岗点" if points[c].post_of else "区域中心"
    where_en = f"{points[c].post_of}'s post" if points[c].post_of else "the area's centre"
    return Proposal(
        unit_id=u.unit_id,
        call_sign=label,
        kind=u.kind,
        to=points[c],
        travel_s=trip[(i, c)],
        area_code=area,
        before=before[area],
        after=after[area],
        own_area=own,
        own_before=before[own] if own else {},
        own_after=after[own] if own else {},
        text_zh=f"建议{kz} {label} 前往 {area_zh}（{where_zh}）备勤，约{dz}；"
        f"{mz}覆盖 {b1:.0%}→{a1:.0%}",
        text_en=f"Suggest {ke} {label} stand by at {where_en} in {area_en} ({de}); "
        f"{me} cover {b1:.0%} → {a1:.0%}",
    )


def tier_label(t: float) -> str:
    """'tier1' for 60 s: the codes the coverage endpoint uses."""
    return f"tier{math.ceil(t / 60)}"
