import math
from collections.abc import Iterator

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from pingan.geo.graph import haversine_m_array
from pingan.geo.travel_time import SnapError, TravelTimes
from pingan.i18n import use_lang


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The errors below are matched in English (their code's English text)."""
    with use_lang("en"):
        yield


FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _points(g, seed: int, k: int, jitter: float = 1e-4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    i = rng.integers(0, g.n_nodes, k)
    return np.column_stack(
        [g.lon[i] + rng.normal(0, jitter, k), g.lat[i] + rng.normal(0, jitter, k)]
    )


def test_snapping_refuses_nan_and_far_points(monaco_drive):
    with pytest.raises(SnapError, match="valid longitude"):
        monaco_drive.snap([(math.nan, 43.73)])
    with pytest.raises(SnapError, match="500 m"):
        monaco_drive.snap([(7.50, 43.60)])  # out at sea
    s = monaco_drive.snap([(math.nan, 1.0), (7.50, 43.60), (7.4246, 43.7384)], strict=False)
    assert s.ok.tolist() == [False, False, True]
    assert s.reason[0].code == "geo.bad_position" and "valid longitude" in str(s.reason[0])
    assert s.reason[2] is None and s.dist_m[2] < 100


def test_snap_point_lies_on_its_segment(monaco_drive):
    g = monaco_drive.graph
    s = monaco_drive.snap(_points(g, 1, 200))
    assert ((s.frac >= 0) & (s.frac <= 1)).all()
    back = haversine_m_array(s.lon, s.lat, s.road_lon, s.road_lat)
    assert np.allclose(back, s.dist_m, rtol=1e-2, atol=0.5)


def test_point_on_a_node_costs_exactly_the_node_dijkstra(monaco_drive):
    g = monaco_drive.graph
    a, b = 100, 9000
    t = monaco_drive.matrix([(g.lon[a], g.lat[a])], [(g.lon[b], g.lat[b])])[0, 0]
    ref = dijkstra(g.csr_time, indices=[a])[0, b]
    assert t == pytest.approx(ref, rel=1e-9)


@FAST
@given(seed=st.integers(0, 10_000))
def test_matrix_equals_per_pair_queries_both_directions(monaco_drive, seed):
    g = monaco_drive.graph
    src, dst = monaco_drive.snap(_points(g, seed, 4)), monaco_drive.snap(_points(g, seed + 1, 6))
    forward = monaco_drive.matrix(src, dst)  # Dijkstra from the 4 sources
    backward = np.column_stack(
        [monaco_drive.many_to_one(src, dst.take([j])).eta_s for j in range(len(dst))]
    )  # one backward search per target
    per_pair = np.array(
        [
            [monaco_drive.one_to_many(src.take([i]), dst.take([j]))[0] for j in range(6)]
            for i in range(4)
        ]
    )
    assert np.allclose(forward, backward) and np.allclose(forward, per_pair)


@FAST
@given(seed=st.integers(0, 10_000))
def test_eta_never_beats_the_straight_line_at_top_speed(monaco_drive, seed):
    g = monaco_drive.graph
    p, q = _points(g, seed, 5), _points(g, seed + 7, 5)
    t = monaco_drive.matrix(p, q)
    straight = haversine_m_array(p[:, 0, None], p[:, 1, None], q[None, :, 0], q[None, :, 1])
    assert (t >= straight / g.top_speed_mps - 1e-6).all()


@FAST
@given(seed=st.integers(0, 10_000))
def test_triangle_inequality(monaco_drive, seed):
    g = monaco_drive.graph
    pts = monaco_drive.snap(_points(g, seed, 3))
    t = monaco_drive.matrix(pts, pts)
    a, b, c = 0, 1, 2
    # through b costs b's connector twice; on-road points (connector 0) give the pure form
    slack = 2 * pts.dist_m[b] / monaco_drive.graph.connector_speed_mps + 1e-6
    assert t[a, c] <= t[a, b] + t[b, c] + slack


@FAST
@given(seed=st.integers(0, 10_000), extra=st.integers(1, 5))
def test_adding_a_unit_never_makes_the_best_eta_worse(monaco_drive, seed, extra):
    g = monaco_drive.graph
    units, more = _points(g, seed, 4), _points(g, seed + 1, extra)
    targets = _points(g, seed + 2, 30)
    before, _ = monaco_drive.nearest_source(units, targets)
    after, _who = monaco_drive.nearest_source(np.vstack([units, more]), targets)
    assert (after <= before + 1e-9).all()
    full = monaco_drive.matrix(np.vstack([units, more]), targets)
    assert np.allclose(after, full.min(axis=0))


def test_limit_cuts_only_what_is_beyond_it(monaco_drive):
    g = monaco_drive.graph
    p, q = _points(g, 3, 30), _points(g, 4, 200)
    full = monaco_drive.matrix(p, q)
    lim = monaco_drive.matrix(p, q, limit_s=180.0)
    assert np.array_equal(np.isinf(lim), full > 180.0)
    assert np.allclose(lim[np.isfinite(lim)], full[full <= 180.0])


def test_networkx_agrees_on_a_sample(monaco_drive):
    g = monaco_drive.graph
    nxg = nx.DiGraph()
    nxg.add_weighted_edges_from(
        zip(g.tails.tolist(), g.indices.tolist(), g.time_s.astype(float).tolist(), strict=True)
    )
    rng = np.random.default_rng(5)
    nodes = rng.integers(0, g.n_nodes, 6)
    pts = np.column_stack([g.lon[nodes], g.lat[nodes]])
    ours = monaco_drive.matrix(pts[:3], pts[3:])
    for i in range(3):
        lengths = nx.single_source_dijkstra_path_length(nxg, int(nodes[i]), weight="weight")
        for j in range(3):
            assert ours[i, j] == pytest.approx(lengths[int(nodes[3 + j])], rel=1e-6)


def test_route_geometry_and_length(monaco_drive):
    g = monaco_drive.graph
    p = _points(g, 11, 2)
    r = monaco_drive.route(p[0], p[1])
    assert r.eta_s == pytest.approx(monaco_drive.matrix(p[:1], p[1:])[0, 0])
    assert r.coords[0] == pytest.approx(tuple(p[0])) and r.coords[-1] == pytest.approx(tuple(p[1]))
    drawn = sum(
        haversine_m_array(a[0], a[1], b[0], b[1])
        for a, b in zip(r.coords, r.coords[1:], strict=False)
    )
    assert r.length_m == pytest.approx(float(drawn), rel=0.02)
    assert r.length_m >= haversine_m_array(p[0, 0], p[0, 1], p[1, 0], p[1, 1])


def test_one_way_makes_the_return_trip_differ(monaco_drive):
    g = monaco_drive.graph
    p = _points(g, 21, 40)
    t = monaco_drive.matrix(p, p)
    assert not np.allclose(t, t.T)
    assert np.allclose(np.diag(t), 2 * monaco_drive.snap(p).dist_m / g.connector_speed_mps)


def test_isochrones_nest_and_cover_the_start(monaco_drive):
    g = monaco_drive.graph
    start = (float(g.lon[500]), float(g.lat[500]))
    isos = monaco_drive.isochrones(start, (60, 180, 300))
    assert [i.threshold_s for i in isos] == [60, 180, 300]
    sizes = [len(i.nodes) for i in isos]
    assert sizes == sorted(sizes) and sizes[0] > 0
    assert isos[0].polygon.contains(__import__("shapely").Point(start))
    assert isos[0].polygon.area <= isos[2].polygon.area
    # every node reached within 60 s really is within 60 s
    t = monaco_drive.one_to_many(
        start, np.column_stack([g.lon[isos[0].nodes], g.lat[isos[0].nodes]])
    )
    assert (t <= 60 + 1e-6).all()


def test_walk_ignores_one_way(monaco):
    walk = TravelTimes(monaco["walk"])
    g = walk.graph
    p = _points(g, 8, 15, jitter=0)
    t = walk.matrix(p, p)
    assert np.allclose(t, t.T, rtol=1e-5, atol=1e-3)


# -- reserved query slots, one-point snapping, contraction hierarchy -------------------------
def _fresh_search(engine, reverse, nodes, costs, limit):
    """The search as first written: virtual nodes appended to a freshly built matrix."""
    from scipy.sparse import csr_matrix

    g = engine.graph
    base = g.csr_time_reversed if reverse else g.csr_time
    n, k = g.n_nodes, nodes.shape[0]
    allowed = np.isfinite(costs)
    indptr = np.concatenate([base.indptr, base.indptr[-1] + np.cumsum(allowed.sum(axis=1))])
    indices = np.concatenate([base.indices, nodes[allowed].astype(base.indices.dtype)])
    data = np.concatenate([base.data, costs[allowed]])
    aug = csr_matrix((data, indices, indptr.astype(base.indptr.dtype)), shape=(n + k, n + k))
    return dijkstra(aug, indices=np.arange(n, n + k), limit=limit, return_predecessors=True)


@pytest.mark.parametrize("reverse", [False, True])
def test_reserved_slots_give_what_a_fresh_build_gives(monaco_drive, reverse):
    g, n = monaco_drive.graph, monaco_drive.graph.n_nodes
    for seed, k, limit in ((1, 40, np.inf), (2, 3, 120.0), (3, 17, 300.0), (4, 1, np.inf)):
        pts = monaco_drive.snap(_points(g, seed, k), strict=False)
        nodes, costs = monaco_drive._arrive(pts) if reverse else monaco_drive._depart(pts)
        costs[0, 1] = np.inf  # a one-way end: the slot stays a self-loop
        dist, pred = monaco_drive._search(reverse, nodes, costs, limit, predecessors=True)
        ref, ref_pred = _fresh_search(monaco_drive, reverse, nodes, costs, limit)
        assert np.array_equal(dist[:, :n], ref[:, :n])
        assert np.array_equal(pred[:, :n], ref_pred[:, :n])


def test_one_point_snap_equals_the_batch_snap(monaco_drive):
    g = monaco_drive.graph
    pts = _points(g, 31, 50, jitter=3e-4)
    batch = monaco_drive.snap(pts)
    for i in range(len(pts)):
        one = monaco_drive.snap(pts[i : i + 1])
        for name in ("seg", "frac", "dist_m", "road_lon", "road_lat", "lon", "lat"):
            assert getattr(one, name)[0] == getattr(batch, name)[i], name
    far = monaco_drive.snap([(7.50, 43.60)], strict=False)  # falls back to the batch path
    assert not far.ok[0] and "500" in str(far.reason[0])


@pytest.fixture(scope="module")
def monaco_walk(monaco) -> TravelTimes:
    return TravelTimes(monaco["walk"])


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_hierarchy_matches_dijkstra_on_random_pairs(monaco_drive, monaco_walk, mode):
    pytest.importorskip("routingkit_cch")
    engine = monaco_drive if mode == "drive" else monaco_walk
    g = engine.graph
    same = checked = 0
    for seed in range(40):
        src = engine.snap(_points(g, seed, 8, jitter=2e-4), strict=False)
        dst = engine.snap(_points(g, seed + 1000, 1, jitter=2e-4), strict=False)
        ref = engine.many_to_one(src, dst)
        ranked = engine.ranked_to(src, dst)
        assert np.array_equal(np.isfinite(ranked.rank_s), np.isfinite(ref.eta_s))
        for i in np.flatnonzero(np.isfinite(ref.eta_s)):
            eta = ranked.eta(int(i))
            assert eta == pytest.approx(ref.eta_s[i], rel=1e-12, abs=1e-9)
            assert abs(ranked.rank_s[i] - eta) <= ranked.err_s
            assert ranked.length_m(int(i)) == pytest.approx(ref.length_m(int(i)), rel=1e-9)
            same += eta == ref.eta_s[i]
            checked += 1
    assert checked > 250 and same >= 0.95 * checked  # same route: bit-identical time


def test_hierarchy_route_draws_the_dijkstra_route(monaco_drive):
    pytest.importorskip("routingkit_cch")
    g = monaco_drive.graph
    p = _points(g, 11, 2)
    ranked = monaco_drive.ranked_to(p[:1], p[1])
    route = monaco_drive.route(p[0], p[1])
    assert ranked.eta(0) == pytest.approx(route.eta_s, rel=1e-12)
    assert ranked.nodes(0) == route.nodes and ranked.coords(0) == route.coords


@FAST
@given(seed=st.integers(0, 10_000))
def test_hierarchy_eta_never_beats_the_straight_line(monaco_drive, seed):
    pytest.importorskip("routingkit_cch")
    g = monaco_drive.graph
    p, q = _points(g, seed, 6), _points(g, seed + 7, 1)
    ranked = monaco_drive.ranked_to(p, q[0])
    straight = haversine_m_array(p[:, 0], p[:, 1], q[0, 0], q[0, 1])
    for i in np.flatnonzero(np.isfinite(ranked.rank_s)):
        assert ranked.eta(int(i)) >= straight[i] / g.top_speed_mps - 1e-6


def test_engine_is_safe_to_share_between_threads(monaco_drive):
    from concurrent.futures import ThreadPoolExecutor

    g = monaco_drive.graph
    jobs = [(_points(g, s, 12), _points(g, s + 500, 1)[0]) for s in range(24)]

    def work(job):
        src, dst = job
        out = [monaco_drive.matrix(src, [dst], limit_s=400.0)[:, 0]]
        if monaco_drive.has_hierarchy:
            ranked = monaco_drive.ranked_to(src, dst)
            out.append([ranked.eta(i) if np.isfinite(r) else np.inf
                        for i, r in enumerate(ranked.rank_s)])  # fmt: skip
        return out

    serial = [work(j) for j in jobs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(work, jobs * 3))
    for a, b in zip(serial * 3, threaded, strict=True):
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_an_engine_used_by_worker_threads_can_be_dropped_by_another(sample_city):
    pytest.importorskip("routingkit_cch")
    import gc
    from concurrent.futures import ThreadPoolExecutor

    box = [TravelTimes(sample_city["drive"])]
    p = _points(box[0].graph, 5, 6)
    with ThreadPoolExecutor(2) as workers:
        etas = list(workers.map(lambda i: box[0].ranked_to(p[:5], p[5]).eta(i), range(4)))
        box.clear()  # the query objects stay with their threads, freed when those end
        gc.collect()
    assert all(e > 0 for e in etas)
