"""Dispatch benchmark: recommendation latency and travel-time matrices, ours vs baselines.

    .venv/bin/python bench/dispatch.py [--quick]

On the Monaco extract (real streets, © OpenStreetMap contributors, ODbL) and the synthetic
Kangbashi sample city: 500 units (drive / walk / drone) and 1,000 incidents (200 with
``--quick``), the same incidents for every recommendation row. Baselines run in the same
process: the same card filled by the recommender's own rule from every unit's ETA — NetworkX
single-source Dijkstra per road mode from the incident (nearest nodes), drones by straight
line — with no shortlist; and plain SciPy Dijkstra from all 300 sources without a limit for
the matrix. Each recommendation's picks are compared with the baseline's: the share of
incidents with the same units, and where they differ, whose units take longer in all on the
recommender's exact ETA model. A row without the straight-line shortlist (every fitting unit
ranked) shows what the shortlist costs in answers and saves in time. Routing indexes
(snapping trees, contraction hierarchies when ``routingkit-cch`` is installed) are built
first and timed on their own row, as a service builds them when it loads a city. Prints a
table, then one JSON line of the figures (medians of repeated runs; latencies as p50/p99).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from pingan.dispatch.recommend import Candidate, Travel, UnitPool, recommend
from pingan.dispatch.recommend import _select as fill_card
from pingan.dispatch.response_plans import load_plans
from pingan.geo.graph import RoadGraph, haversine_m_array
from pingan.geo.osm_import import import_osm
from pingan.geo.profiles import fly_profile
from pingan.geo.travel_time import TravelTimes

ROOT = Path(__file__).resolve().parents[1]
CITIES = {
    "monaco": ROOT / "tests" / "data" / "osm" / "monaco.osm.pbf",
    "kangbashi": ROOT / "src" / "pingan" / "sim" / "data" / "kangbashi_sample.osm",
}
KINDS = [  # kind, mode, crew, capabilities, share of the fleet
    ("patrol_car", "drive", 2, {"arrest", "first_aid", "investigation", "search", "mediation",
                                "traffic_control"}, 0.30),
    ("ptu", "drive", 4, {"arrest", "crowd_control", "first_aid", "search", "broadcast"}, 0.10),
    ("traffic", "drive", 2, {"traffic_control", "first_aid", "tow_assist", "investigation"}, 0.10),
    ("foot_patrol", "walk", 2, {"arrest", "crowd_control", "first_aid", "search", "mediation"},
     0.30),
    ("drone", "fly", 0, {"aerial_view", "broadcast", "search"}, 0.05),
    ("volunteer", "walk", 1, {"search", "mediation"}, 0.15),
]  # fmt: skip
TYPES = ["crowding", "theft", "fight", "disturbance", "traffic_accident", "missing_person"]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_units(g: RoadGraph, n: int, rng) -> list[Candidate]:
    shares = np.array([k[4] for k in KINDS])
    pick = rng.choice(len(KINDS), size=n, p=shares / shares.sum())
    nodes = rng.integers(0, g.n_nodes, n)
    units = []
    for i, (k, j) in enumerate(zip(pick, nodes, strict=True)):
        kind, mode, crew, caps, _ = KINDS[k]
        pos = (float(g.lon[j]) + rng.normal(0, 1e-4), float(g.lat[j]) + rng.normal(0, 1e-4))
        units.append(
            Candidate(
                f"U{i:03d}", kind, mode,
                status="available" if rng.random() < 0.75 else "dispatched",
                capabilities=frozenset(caps), crew=crew, position=pos,
                position_age_s=float(rng.integers(0, 2400)), post=pos, name=f"U{i:03d}",
            )
        )  # fmt: skip
    return units


class NetworkXTimes:
    """Baseline for ``TravelTimes.many_to_one``: NetworkX Dijkstra, nodes nearest the points."""

    def __init__(self, engine: TravelTimes) -> None:
        g = engine.graph
        self.engine = engine
        rev = nx.DiGraph()
        rev.add_weighted_edges_from(
            zip(g.indices.tolist(), g.tails.tolist(), g.time_s.astype(float).tolist(), strict=True)
        )
        self.rev = rev

    def eta(self, sources: np.ndarray, target) -> np.ndarray:
        e = self.engine
        dst = e.snap([target], strict=False)
        src = e.snap(sources, strict=False)
        t_node = int(e._seg_u[dst.seg[0]]) if dst.frac[0] < 0.5 else int(e._seg_v[dst.seg[0]])
        lengths = nx.single_source_dijkstra_path_length(self.rev, t_node, weight="weight")
        out = np.full(len(src), np.inf)
        for k in range(len(src)):
            s = src.seg[k]
            node = int(e._seg_u[s]) if src.frac[k] < 0.5 else int(e._seg_v[s])
            out[k] = lengths.get(node, np.inf)
        return out


def baseline_recommend(incident, plan, pool: UnitPool, nx_times: dict[str, NetworkXTimes]):
    """The same card filled the plain way: every pooled unit's ETA (a NetworkX search per road
    mode, drones by straight line), no shortlist, then the recommender's own filling rule.

    Returns the picks as sorted (line, unit id) pairs, like `picked` for a recommendation.
    """
    straight = haversine_m_array(incident[0], incident[1], pool.lonlat[:, 0], pool.lonlat[:, 1])
    eta = np.full(len(pool), np.inf)
    for mode, base in nx_times.items():
        sel = np.flatnonzero(pool.mode == mode)
        if sel.size:
            eta[sel] = base.eta(pool.lonlat[sel], incident)
    for i in np.flatnonzero(pool.mode == "fly"):
        eta[i] = pool.travel.fly.time_s(float(straight[i]))
    ids = [u.unit_id for u in pool.units]
    ok = [pool.fits(r).tolist() for r in plan.requirements]
    no_limit = [math.inf] * len(pool)
    lines, _ = fill_card(plan, ok, eta.tolist(), no_limit, ids, pool.crew.tolist(),
                         straight.tolist())  # fmt: skip
    return sorted((r, ids[j]) for r, line in enumerate(lines) for j in line)


def timed(fn, cases) -> tuple[np.ndarray, list]:
    """Milliseconds of each fn(incident, plan) call, and what each call returned."""
    ms, results = [], []
    for inc, plan in cases:
        t0 = time.perf_counter()
        results.append(fn(inc, plan))
        ms.append((time.perf_counter() - t0) * 1e3)
    return np.asarray(ms), results


def picked(rec) -> list[tuple[int, str]]:
    """A recommendation's picks as sorted (line, unit id) pairs."""
    return sorted((p.requirement, p.unit_id) for p in rec.picks)


def exact_etas(incident, pool: UnitPool, unit_ids: list[str]) -> np.ndarray:
    """Each unit's ETA on the recommender's own exact model (partial edges; drones by line)."""
    where = {u.unit_id: i for i, u in enumerate(pool.units)}
    idx = np.array([where[u] for u in unit_ids], dtype=np.int64)
    out = np.full(len(idx), np.inf)
    for mode in set(pool.mode[idx].tolist()):
        k = np.flatnonzero(pool.mode[idx] == mode)
        if mode == "fly":
            lon, lat = pool.lonlat[idx[k], 0], pool.lonlat[idx[k], 1]
            line = haversine_m_array(incident[0], incident[1], lon, lat)
            out[k] = [pool.travel.fly.time_s(float(d)) for d in line]
            continue
        engine = pool.travel.roads[mode]
        sources = pool.snapped[mode].take(pool.local[idx[k]])
        out[k] = engine.many_to_one(sources, engine.snap([incident], strict=False)).eta_s
    return out


def agreement(incidents, ours: list, theirs: list, pool: UnitPool) -> dict[str, float]:
    """How often the two fill the card with the same units, and where they differ, how much
    longer our card's units take in all (seconds, on the exact model; negative: shorter)."""
    same = sum(a == b for a, b in zip(ours, theirs, strict=True))
    worse = []
    for inc, a, b in zip(incidents, ours, theirs, strict=True):
        if a != b and len(a) == len(b):
            mine = exact_etas(inc, pool, [u for _, u in a]).sum()
            other = exact_etas(inc, pool, [u for _, u in b]).sum()
            worse.append(float(mine - other))
    differ = len(ours) - same
    return {
        "agree": same / len(ours),
        "differ": differ,
        "differ_in_count": differ - len(worse),
        "ours_slower": sum(w > 1e-6 for w in worse),
        "ours_slower_median_s": float(np.median([w for w in worse if w > 1e-6] or [0.0])),
        "ours_slower_max_s": max((w for w in worse if w > 1e-6), default=0.0),
        "ours_faster": sum(w < -1e-6 for w in worse),
        "ours_faster_max_s": max((-w for w in worse if w < -1e-6), default=0.0),
    }


def agreement_rows(label: str, prefix: str) -> list[tuple[str, str, str, str | None]]:
    """Table rows for one `agreement` result (keys under `prefix`)."""
    p = prefix
    return [
        (label, f"{p}agree", "{:.1%}", None),
        ("  differ: ours slower / faster (incidents)", f"{p}ours_slower", "{:.0f}",
         f"{p}ours_faster"),
        ("  ours slower, median / worst (s)", f"{p}ours_slower_median_s", "{:.0f}",
         f"{p}ours_slower_max_s"),
        ("  ours faster, worst (s)", f"{p}ours_faster_max_s", "{:.1f}", None),
        ("  differ in the number of units", f"{p}differ_in_count", "{:.0f}", None),
    ]  # fmt: skip


def bench_city(name: str, path: Path, n_incidents: int, rng) -> dict:
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    graphs = import_osm(path)
    out["build_s"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        p = graphs["drive"].save(Path(tmp) / "drive.npz")
        out["file_mb"] = os.path.getsize(p) / 1e6
        out["load_s"] = median_time(lambda: RoadGraph.load(p), 5)
    drive = graphs["drive"]
    names = ("lon", "lat", "osm_id", "indptr", "indices", "length_m", "time_s", "way_id")
    out["memory_mb"] = sum(getattr(g, a).nbytes for g in graphs.values() for a in names) / 1e6
    out["drive_nodes"], out["drive_arcs"] = drive.n_nodes, drive.n_arcs
    travel = Travel({m: TravelTimes(g) for m, g in graphs.items()}, fly_profile())
    engine = travel.roads["drive"]

    # 2,000 × 300 matrix: demand points × units, 5-minute horizon; vs plain SciPy unlimited
    sources = np.column_stack([drive.lon, drive.lat])[rng.integers(0, drive.n_nodes, 300)]
    targets = np.column_stack([drive.lon, drive.lat])[rng.integers(0, drive.n_nodes, 2000)]
    src, dst = engine.snap(sources), engine.snap(targets)
    engine.matrix(src, dst, limit_s=300.0)  # warm caches
    out["matrix_s"] = median_time(lambda: engine.matrix(src, dst, limit_s=300.0), 5)
    out["matrix_unlimited_s"] = median_time(lambda: engine.matrix(src, dst), 3)
    node_src = rng.integers(0, drive.n_nodes, 300)
    out["scipy_plain_s"] = median_time(lambda: dijkstra(drive.csr_time, indices=node_src), 3)

    # recommendations: indexes built once per city (snapping tree, contraction hierarchy)
    t0 = time.perf_counter()
    for engine_m in travel.roads.values():
        engine_m.prepare()
    out["prepare_s"] = time.perf_counter() - t0
    units = make_units(drive, 500, rng)
    t0 = time.perf_counter()
    pool = UnitPool(units, travel)
    out["pool_build_ms"] = (time.perf_counter() - t0) * 1e3
    plans = load_plans()
    inc_nodes = rng.integers(0, drive.n_nodes, n_incidents)
    incidents = [(float(drive.lon[j]), float(drive.lat[j])) for j in inc_nodes]
    cards = [plans.plan_for(TYPES[i % len(TYPES)], 1 + i % 3) for i in range(n_incidents)]
    # Ours, ours without the shortlist, and the baselines on the same incidents; the picks
    # are kept and compared with the baseline's.
    cases = list(zip(incidents, cards, strict=True))
    nx_times = {m: NetworkXTimes(travel.roads[m]) for m in ("drive", "walk")}
    every = len(units)  # a shortlist as long as the fleet: every fitting unit is ranked
    ways = {
        "recommend": lambda inc, plan: picked(recommend(inc, plan, pool)),
        "recommend_list": lambda inc, plan: recommend(inc, plan, units, travel),
        "whole": lambda inc, plan: picked(recommend(inc, plan, pool, shortlist_extra=every)),
        "baseline": lambda inc, plan: baseline_recommend(inc, plan, pool, nx_times),
    }
    picks = {}
    for key, fn in ways.items():
        ms, picks[key] = timed(fn, cases)
        out[f"{key}_p50_ms"], out[f"{key}_p99_ms"] = np.percentile(ms, [50, 99]).tolist()
    out["speedup_p50"] = out["baseline_p50_ms"] / out["recommend_p50_ms"]
    out["whole_speedup_p50"] = out["baseline_p50_ms"] / out["whole_p50_ms"]
    out |= agreement(incidents, picks["recommend"], picks["baseline"], pool)
    out |= {
        f"whole_{k}": v
        for k, v in agreement(incidents, picks["whole"], picks["baseline"], pool).items()
    }
    out["incidents"] = n_incidents
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: fewer incidents")
    args = parser.parse_args()
    n_inc = 200 if args.quick else 1000
    results = {}
    for name, path in CITIES.items():
        results[name] = bench_city(name, path, n_inc, np.random.default_rng(7))
    rows = [
        ("drive graph nodes / arcs", "drive_nodes", "{:.0f}", "drive_arcs"),
        ("graph build, 3 modes (s)", "build_s", "{:.3f}", None),
        ("graph load, drive (s)", "load_s", "{:.4f}", None),
        ("graph file, drive (MB)", "file_mb", "{:.2f}", None),
        ("graph arrays, 3 modes (MB)", "memory_mb", "{:.2f}", None),
        ("matrix 2000×300, 300 s limit (s)", "matrix_s", "{:.3f}", None),
        ("matrix 2000×300, no limit (s)", "matrix_unlimited_s", "{:.3f}", None),
        ("plain SciPy Dijkstra ×300, no limit (s)", "scipy_plain_s", "{:.3f}", None),
        ("routing indexes, 3 modes (s)", "prepare_s", "{:.3f}", None),
        ("unit pool build, 500 units (ms)", "pool_build_ms", "{:.1f}", None),
        ("recommend p50 (ms)", "recommend_p50_ms", "{:.2f}", None),
        ("recommend p99 (ms)", "recommend_p99_ms", "{:.2f}", None),
        ("recommend from plain list p50 (ms)", "recommend_list_p50_ms", "{:.2f}", None),
        ("recommend, no shortlist p50 (ms)", "whole_p50_ms", "{:.2f}", None),
        ("recommend, no shortlist p99 (ms)", "whole_p99_ms", "{:.2f}", None),
        ("NetworkX baseline p50 (ms)", "baseline_p50_ms", "{:.1f}", None),
        ("NetworkX baseline p99 (ms)", "baseline_p99_ms", "{:.1f}", None),
        ("speed-up at p50 (×)", "speedup_p50", "{:.0f}", None),
        ("speed-up at p50, no shortlist (×)", "whole_speedup_p50", "{:.0f}", None),
        ("incidents, the same for every row", "incidents", "{:.0f}", None),
        *agreement_rows("same picks as the baseline", ""),
        *agreement_rows("same picks, no shortlist", "whole_"),
    ]
    print(f"{'figure':42s} {'monaco':>16s} {'kangbashi':>16s}")
    for label, key, fmt, key2 in rows:
        cells = []
        for city in CITIES:
            r = results[city]
            cell = fmt.format(r[key]) + (f" / {r[key2]:.0f}" if key2 else "")
            cells.append(f"{cell:>16s}")
        print(f"{label:42s} {' '.join(cells)}")
    m = results["monaco"]
    summary = {
        "recommend_p50_ms": round(m["recommend_p50_ms"], 3),
        "recommend_p99_ms": round(m["recommend_p99_ms"], 3),
        "baseline_recommend_p50_ms": round(m["baseline_p50_ms"], 2),
        "baseline_recommend_p99_ms": round(m["baseline_p99_ms"], 2),
        "speedup_p50": round(m["speedup_p50"], 1),
        "whole_recommend_p50_ms": round(m["whole_p50_ms"], 3),
        "whole_speedup_p50": round(m["whole_speedup_p50"], 1),
        "incidents": m["incidents"],
        "baseline_agree": round(m["agree"], 4),
        "ours_slower": m["ours_slower"],
        "ours_slower_median_s": round(m["ours_slower_median_s"], 1),
        "ours_slower_max_s": round(m["ours_slower_max_s"], 1),
        "ours_faster": m["ours_faster"],
        "differ_in_count": m["differ_in_count"],
        "whole_baseline_agree": round(m["whole_agree"], 4),
        "whole_ours_slower": m["whole_ours_slower"],
        "kangbashi_baseline_agree": round(results["kangbashi"]["agree"], 4),
        "kangbashi_whole_baseline_agree": round(results["kangbashi"]["whole_agree"], 4),
        "matrix_s": round(m["matrix_s"], 4),
        "matrix_unlimited_s": round(m["matrix_unlimited_s"], 4),
        "scipy_plain_matrix_s": round(m["scipy_plain_s"], 4),
        "graph_build_s": round(m["build_s"], 3),
        "routing_index_s": round(m["prepare_s"], 3),
        "graph_load_s": round(m["load_s"], 4),
        "graph_memory_mb": round(m["memory_mb"], 2),
        "kangbashi_recommend_p50_ms": round(results["kangbashi"]["recommend_p50_ms"], 3),
        "kangbashi_recommend_p99_ms": round(results["kangbashi"]["recommend_p99_ms"], 3),
        "kangbashi_matrix_s": round(results["kangbashi"]["matrix_s"], 4),
        "quick": args.quick,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
