"""The coverage optimiser against brute force and its own invariants (property tests)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.deployment.coverage import (
    CoverageError,
    Group,
    Problem,
    Tier,
    evaluate,
    lp_bound,
    objective_of,
    solve_exact,
    solve_greedy,
    tier_shares,
)

TIERS = (
    Tier("tier1", 60.0, 3.0, frozenset({"foot"})),
    Tier("tier3", 180.0, 2.0, frozenset({"foot", "car"}), backup=True),
    Tier("tier5", 300.0, 1.0, frozenset({"car"})),
)


def random_problem(seed: int, n_d: int, n_s: int, foot: int, car: int, cap: int = 1) -> Problem:
    rng = np.random.default_rng(seed)
    pts_d, pts_s = rng.uniform(0, 1000, (n_d, 2)), rng.uniform(0, 1000, (n_s, 2))
    dist = np.linalg.norm(pts_s[:, None] - pts_d[None], axis=2)
    walk, drive = dist / 1.4, dist / 5.0  # metres per second
    walk[walk > 300] = np.inf
    w = rng.lognormal(0, 1, n_d)
    groups = []
    if foot:
        groups.append(Group("foot", "foot", "walk", foot, np.arange(n_s)))
    if car:
        groups.append(Group("car", "car", "drive", car, np.arange(n_s)))
    return Problem(
        weights=w,
        dense=w >= np.quantile(w, 0.8),
        site_capacity=np.full(n_s, cap),
        times={"walk": walk, "drive": drive},
        tiers=TIERS,
        groups=tuple(groups),
    )


def score(p: Problem, counts: dict[tuple[int, int], int]) -> float:
    """A plan's objective by the model's definition, point by point, written apart from the
    solver's `evaluate` and `objective_of` so that a mistake there cannot agree with itself."""
    total = 0.0
    for i, weight in enumerate(p.weights):
        for tier in p.tiers:
            reach = 0
            for (gi, s), k in counts.items():
                group = p.groups[gi]
                if (
                    group.unit_type in tier.unit_types
                    and p.times[group.mode][s][i] <= tier.radius_s
                ):
                    reach += k
            value = 1.0 if reach >= 1 else 0.0
            if tier.backup and p.dense[i] and reach >= 2:
                value += p.backup_share
            total += tier.weight * weight * value
    return total


def every_plan(p: Problem) -> Iterator[dict[tuple[int, int], int]]:
    """Every way to post the units (capacity 1 per site): brute force for a tiny case."""
    sizes = [g.count for g in p.groups]
    for chosen in itertools.permutations(range(p.site_capacity.shape[0]), sum(sizes)):
        counts, k = {}, 0
        for gi, size in enumerate(sizes):
            for s in chosen[k : k + size]:
                counts[(gi, s)] = 1
            k += size
        yield counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_matches_brute_force_and_the_heuristic_never_beats_it(seed):
    p = random_problem(seed, n_d=25, n_s=6, foot=1, car=2)
    scored = [(score(p, counts), counts) for counts in every_plan(p)]
    for value, counts in scored:  # the solver's own scoring agrees plan by plan
        assert objective_of(p, evaluate(p, counts)) == pytest.approx(value, rel=1e-9)
    exact = solve_exact(p, mip_rel_gap=0.0)
    assert exact.objective == pytest.approx(max(v for v, _ in scored), rel=1e-9)
    assert exact.objective == pytest.approx(score(p, exact.counts), rel=1e-9)  # as reported
    assert exact.gap <= 1e-9 and exact.solver == "highs" and exact.mip_rel_gap == 0.0
    greedy = solve_greedy(p)
    assert greedy.solver == "greedy_swap" and greedy.mip_rel_gap is None
    assert greedy.objective == pytest.approx(score(p, greedy.counts), rel=1e-9)
    assert greedy.objective <= exact.objective + 1e-9
    # the gap it proves is real: optimum <= bound
    assert exact.objective <= greedy.bound + 1e-7
    assert greedy.gap == pytest.approx((greedy.bound - greedy.objective) / greedy.bound)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), foot=st.integers(0, 3), car=st.integers(1, 4))
def test_adding_a_unit_never_lowers_optimal_coverage(seed, foot, car):
    p = random_problem(seed, n_d=60, n_s=15, foot=foot, car=car, cap=2)
    more = random_problem(seed, n_d=60, n_s=15, foot=foot, car=car + 1, cap=2)
    a, b = solve_exact(p, mip_rel_gap=0.0), solve_exact(more, mip_rel_gap=0.0)
    assert b.objective >= a.objective - 1e-7 * max(1.0, a.objective)
    h = solve_greedy(p, bound=False)
    assert h.objective <= a.objective + 1e-7 * max(1.0, a.objective)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), heuristic=st.booleans())
def test_reported_coverage_equals_coverage_recomputed_from_the_plan(seed, heuristic):
    p = random_problem(seed, n_d=50, n_s=12, foot=2, car=3, cap=2)
    sol = solve_greedy(p, bound=False) if heuristic else solve_exact(p, mip_rel_gap=0.0)
    # recompute by hand from the posted units: nearest eligible unit per tier
    total = p.weights.sum()
    for tier in p.tiers:
        covered = np.zeros(p.weights.size, bool)
        for (gi, s), k in sol.counts.items():
            g = p.groups[gi]
            if k and g.unit_type in tier.unit_types:
                covered |= p.times[g.mode][s] <= tier.radius_s
        assert tier_shares(p, sol.counts)[tier.code] == pytest.approx(p.weights @ covered / total)
    assert sum(sol.counts.values()) <= sum(g.count for g in p.groups)
    for s in range(p.site_capacity.size):
        assert sum(k for (_, site), k in sol.counts.items() if site == s) <= p.site_capacity[s]


def test_lexicographic_mode_puts_the_one_minute_circle_first():
    p = random_problem(11, n_d=80, n_s=20, foot=2, car=3, cap=1)
    # a weighting that prefers the outer tiers, then the lexicographic order that does not
    outer = replace(
        p,
        **{
            "tiers": (
                Tier("tier1", 60.0, 0.01, frozenset({"foot"})),
                Tier("tier3", 180.0, 5.0, frozenset({"foot", "car"})),
                Tier("tier5", 300.0, 5.0, frozenset({"car"})),
            ),
        },
    )
    weighted = solve_exact(outer, mip_rel_gap=0.0)
    lex = solve_exact(outer, mip_rel_gap=0.0, lexicographic=True)
    best_tier1 = solve_exact(
        replace(p, **{"tiers": (Tier("tier1", 60.0, 1.0, frozenset({"foot"})),)}),
        mip_rel_gap=0.0,
    )
    share = tier_shares(outer, lex.counts)["tier1"]
    assert share * p.weights.sum() == pytest.approx(best_tier1.objective, rel=1e-6)
    assert share >= tier_shares(outer, weighted.counts)["tier1"] - 1e-9
    assert set(lex.tier_objectives) == {"tier1", "tier3", "tier5"}


def test_backup_coverage_earns_a_second_unit_for_dense_points():
    times = {"drive": np.array([[10.0, 400.0], [10.0, 400.0], [400.0, 10.0]])}
    p = Problem(
        weights=np.array([10.0, 1.0]),
        dense=np.array([True, False]),
        site_capacity=np.ones(3, dtype=np.int64),
        times=times,
        tiers=(Tier("tier3", 180.0, 1.0, frozenset({"car"}), backup=True),),
        groups=(Group("car", "car", "drive", 2, np.arange(3)),),
        backup_share=1.0,
    )
    sol = solve_exact(p, mip_rel_gap=0.0)
    assert sorted(s for (_, s) in sol.counts) == [0, 1]  # 10 + 10 beats 10 + 1
    assert sol.objective == pytest.approx(20.0)
    assert lp_bound(p) >= sol.objective - 1e-9


def test_bad_input_is_refused_with_a_reason():
    base = random_problem(5, n_d=10, n_s=4, foot=1, car=1)
    with pytest.raises(CoverageError, match="需求为空"):
        replace(
            base,
            **{
                "weights": np.zeros(0),
                "dense": np.zeros(0, bool),
                "times": {m: t[:, :0] for m, t in base.times.items()},
            },
        )
    with pytest.raises(CoverageError, match="备份覆盖系数"):
        replace(base, **{"backup_share": 2.0})
    full = replace(base, **{"site_capacity": np.zeros(4, dtype=np.int64)})
    with pytest.raises(CoverageError, match="没有可用岗点"):
        solve_exact(full)
    with pytest.raises(CoverageError, match="没有可用岗点"):
        solve_greedy(full)
