"""From demand, candidate posts and the units on shift to a plan (pure core).

Builds the optimiser's problem — one group per unit kind (or one per unit when re-planning,
each limited to the posts it can reach in ``max_move_s``), travel times per unit mode from
``pingan.geo`` (walk for foot patrols, drive for cars) — solves it, gives each chosen post its
units, and explains every unit left without a post. Coverage shares are recomputed from the
final placements, never taken from the solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pingan.deployment.candidates import Site
from pingan.deployment.coverage import (
    CoverageError,
    Group,
    Problem,
    Solution,
    Tier,
    evaluate,
    per_area_shares,
    solve_exact,
    solve_greedy,
    tier_shares,
)
from pingan.deployment.demand import Demand
from pingan.geo.graph import haversine_m_array
from pingan.geo.travel_time import TravelTimes


@dataclass(frozen=True, slots=True)
class ShiftUnit:
    id: int
    call_sign: str
    kind: str
    mode: str
    lon: float | None  # where the unit stands now (its post), None: unknown
    lat: float | None
    home_site: str | None = None  # re-planning: the post it holds in the current plan


@dataclass(slots=True)
class Unplaced:
    unit_id: int
    call_sign: str
    reason_zh: str
    reason_en: str


@dataclass(slots=True)
class PlanOutcome:
    sites: list[Site]
    placements: dict[int, int]  # unit id -> site index
    unplaced: list[Unplaced]
    solution: Solution
    coverage: dict[str, float]
    coverage_by_area: dict[str, dict[str, float]]
    demand_points: int
    moves: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class Options:
    tiers: tuple[Tier, ...]
    backup_share: float
    dense_quantile: float
    solver: str = "exact"
    lexicographic: bool = False
    mip_rel_gap: float = 1e-3
    time_limit_s: float = 30.0
    max_moves: int | None = None
    max_move_s: float | None = None


def site_times(
    sites: Sequence[Site], demand: Demand, engines: Mapping[str, TravelTimes], modes, limit_s
) -> dict[str, np.ndarray]:
    """(S, D) seconds per mode; sites or demand points off that mode's roads are unreachable."""
    here = np.array([[s.lon, s.lat] for s in sites])
    return {mode: point_times(here, demand, engines[mode], limit_s) for mode in modes}


def point_times(
    points: np.ndarray, demand: Demand, engine: TravelTimes, limit_s: float | None
) -> np.ndarray:
    """(P, D) seconds from lon/lat points to the demand; off the roads: unreachable (inf)."""
    p_snap = engine.snap(points, strict=False)
    d_snap = engine.snap(demand.points(), strict=False)
    t = np.full((points.shape[0], len(demand)), np.inf)
    pi, di = np.flatnonzero(p_snap.ok), np.flatnonzero(d_snap.ok)
    if pi.size and di.size:
        t[np.ix_(pi, di)] = engine.matrix(p_snap.take(pi), d_snap.take(di), limit_s=limit_s)
    return t


def _unplaced(u: ShiftUnit, zh: str, en: str) -> Unplaced:
    return Unplaced(u.id, u.call_sign, zh, en)


def _assign(units: list[ShiftUnit], slots: list[int], sites: Sequence[Site]) -> dict[int, int]:
    """Give each slot (a site index, repeated per unit) the nearest free unit of the group."""
    out: dict[int, int] = {}
    free = list(units)
    for s in slots:
        site = sites[s]
        lon = np.array([u.lon if u.lon is not None else site.lon for u in free])
        lat = np.array([u.lat if u.lat is not None else site.lat for u in free])
        k = int(np.argmin(haversine_m_array(lon, lat, site.lon, site.lat)))
        out[free.pop(k).id] = s
    return out


def make_plan(
    demand: Demand,
    sites: list[Site],
    units: Sequence[ShiftUnit],
    engines: Mapping[str, TravelTimes],
    opts: Options,
) -> PlanOutcome:
    """Post the units to maximise 1/3/5-minute coverage; explain whoever is left out."""
    if len(demand) == 0 or float(demand.weight.sum()) <= 0:
        raise CoverageError("本时段没有需求（无客流预测且无历史警情）/ no demand in this block")
    if not units:
        raise CoverageError("该班次没有在岗警力 / no units on this shift")
    served = frozenset().union(*(t.unit_types for t in opts.tiers))
    unplaced: list[Unplaced] = []
    by_kind: dict[str, list[ShiftUnit]] = defaultdict(list)
    for u in units:
        if u.kind not in served:
            unplaced.append(
                _unplaced(u, "该警力类型不参与快反圈布警", "this unit kind serves no response tier")
            )
        elif u.mode not in engines:
            unplaced.append(_unplaced(u, f"无{u.mode}路网", f"no {u.mode} road network"))
        elif not any(u.kind in s.unit_types and s.capacity > 0 for s in sites):
            unplaced.append(
                _unplaced(u, "没有可容纳该类警力的岗点", "no post can host this unit kind")
            )
        else:
            by_kind[u.kind].append(u)
    if not by_kind:
        raise CoverageError(
            "没有可布设的警力："
            + "；".join(f"{p.call_sign}: {p.reason_zh}" for p in unplaced)
            + " / no unit can be posted: "
            + "; ".join(f"{p.call_sign}: {p.reason_en}" for p in unplaced)
        )
    modes = sorted({u.mode for us in by_kind.values() for u in us})
    limit = max(t.radius_s for t in opts.tiers)
    times = site_times(sites, demand, engines, modes, limit)
    site_index = {s.code: i for i, s in enumerate(sites)}
    replan = opts.max_moves is not None
    groups: list[Group] = []
    members: list[list[ShiftUnit]] = []
    for kind, us in sorted(by_kind.items()):
        allowed = np.array([i for i, s in enumerate(sites) if kind in s.unit_types])
        if not replan:
            groups.append(Group(kind, kind, us[0].mode, len(us), allowed))
            members.append(us)
            continue
        for u in us:
            home = site_index.get(u.home_site or "", -1)
            reach = allowed
            if home >= 0 and opts.max_move_s is not None:
                engine = engines[u.mode]
                here = np.array([[sites[home].lon, sites[home].lat]])
                there = np.array([[sites[i].lon, sites[i].lat] for i in allowed])
                t = engine.matrix(here, there, limit_s=opts.max_move_s)[0]
                reach = allowed[np.isfinite(t)]
                if home not in reach:
                    reach = np.append(reach, home)
            groups.append(Group(str(u.id), kind, u.mode, 1, reach, home))
            members.append([u])
    dense = demand.weight >= np.quantile(demand.weight, opts.dense_quantile)
    problem = Problem(
        weights=demand.weight,
        dense=dense,
        site_capacity=np.array([s.capacity for s in sites], dtype=np.int64),
        times=times,
        tiers=opts.tiers,
        groups=tuple(groups),
        backup_share=opts.backup_share,
        max_moves=opts.max_moves,
    )
    if opts.solver == "heuristic":
        sol = solve_greedy(problem, time_limit_s=opts.time_limit_s)
    else:
        sol = solve_exact(
            problem,
            mip_rel_gap=opts.mip_rel_gap,
            time_limit_s=opts.time_limit_s,
            lexicographic=opts.lexicographic,
        )
    placements: dict[int, int] = {}
    for gi, us in enumerate(members):
        slots = [s for (g, s), k in sorted(sol.counts.items()) if g == gi for _ in range(k)]
        placements.update(_assign(us, slots, sites))
        left = [u for u in us if u.id not in placements]
        if not left:
            continue
        room = sum(problem.site_capacity[s] for s in groups[gi].sites)
        for u in left:
            if room <= len(slots):
                unplaced.append(
                    _unplaced(
                        u,
                        "可容纳该类警力的岗点已满，作机动备勤",
                        "posts for this kind are full: reserve",
                    )
                )
            else:
                unplaced.append(
                    _unplaced(u, "再布设不增加覆盖，作机动备勤", "no added coverage: reserve")
                )
    counts = _counts_from(placements, members, sites)
    moves = []
    if replan:
        for gi, us in enumerate(members):
            u = us[0]
            if u.id in placements and groups[gi].home >= 0 and placements[u.id] != groups[gi].home:
                moves.append(
                    {
                        "unit_id": u.id,
                        "call_sign": u.call_sign,
                        "from": sites[groups[gi].home].code,
                        "to": sites[placements[u.id]].code,
                        # both ends as people name them (gazetteer names for intersections)
                        "from_name_zh": sites[groups[gi].home].name_zh,
                        "from_name_en": sites[groups[gi].home].name_en,
                        "to_name_zh": sites[placements[u.id]].name_zh,
                        "to_name_en": sites[placements[u.id]].name_en,
                    }
                )
    return PlanOutcome(
        sites=sites,
        placements=placements,
        unplaced=unplaced,
        solution=sol,
        coverage=tier_shares(problem, counts),
        coverage_by_area=per_area_shares(problem, counts, demand.area),
        demand_points=len(demand),
        moves=moves,
    )


def _counts_from(placements, members, sites) -> dict[tuple[int, int], int]:  # type: ignore[no-untyped-def]
    """The (group, site) counts of the final placements: what coverage is computed from."""
    group_of = {u.id: gi for gi, us in enumerate(members) for u in us}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for uid, s in placements.items():
        counts[(group_of[uid], s)] += 1
    return dict(counts)


def recompute(
    demand: Demand,
    sites: Sequence[Site],
    posted: Sequence[tuple[str, str, int]],  # (unit kind, mode, site index)
    engines: Mapping[str, TravelTimes],
    tiers: tuple[Tier, ...],
) -> dict[str, float]:
    """Tier coverage of a stored plan, straight from its posts (how a plan is audited)."""
    modes = sorted({m for _, m, _ in posted})
    times = site_times(sites, demand, engines, modes, max(t.radius_s for t in tiers))
    reach = {t.code: np.zeros(len(demand), dtype=bool) for t in tiers}
    for kind, mode, s in posted:
        for t in tiers:
            if kind in t.unit_types:
                reach[t.code] |= times[mode][s] <= t.radius_s + 1e-9
    total = float(demand.weight.sum())
    return {c: float(demand.weight @ r) / total for c, r in reach.items()}


__all__ = [
    "PlanOutcome",
    "ShiftUnit",
    "Unplaced",
    "evaluate",
    "make_plan",
    "point_times",
    "recompute",
]
