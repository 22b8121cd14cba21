"""Coverage optimiser (pure core): where to post units so the most demand is within 1/3/5 min.

Model — a maximal covering location problem (Church & ReVelle 1974) with tiers
--------------------------------------------------------------------------------
* **Groups** of interchangeable units (all foot patrols; or one unit alone when it must stay
  near where it is) may be posted at the sites they are allowed on; ``x[g, s]`` is how many
  units of group ``g`` stand at site ``s`` (integer). Each group's unit type says which tiers
  it may serve (foot patrols the 1-minute circle, PTU and cars the 3 and 5).
* Demand point ``i`` is covered in tier ``t`` (``y[i, t]`` ∈ [0, 1]) when at least one
  eligible unit stands at a site within the tier's radius of it, by that unit's travel mode.
  Dense points also earn a *backup* term ``b[i, t]`` for a second unit (double coverage,
  Gendreau et al. 1997): ``y + b ≤ Σ x`` and ``b ≤ y``.
* Objective: Σ_t W_t Σ_i w_i (y[i,t] + β b[i,t]) with the tier weights W and backup share β
  ≤ 1 from data (β ≤ 1 keeps the objective submodular). A lexicographic mode maximises tier
  after tier, each next tier with the earlier optima held.
* Limits: units per group, units per site, optionally how many units leave their home site.

Why it is fast: the model is sparse — only (site, demand) pairs within a tier's radius enter
it — and demand points with identical cover sets are merged into one row with their weights
summed (a crowd's points near one post usually share a cover set). Solved exactly by HiGHS
(``highspy``, MIT) with ``mip_rel_gap`` stated in the result; or by greedy + swap
(1-opt interchange), whose gap is proven against HiGHS's LP relaxation bound.

All arrays are plain NumPy/SciPy; nothing here touches the store, the clock or HTTP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

from pingan.i18n import msg

EPS = 1e-9


class CoverageError(ValueError):
    """A problem that cannot be solved as asked, with a bilingual reason."""


@dataclass(frozen=True, slots=True)
class Tier:
    """A response circle: its radius and weight, and which unit types may serve it."""

    code: str  # "tier1", "tier3", "tier5"
    radius_s: float
    weight: float
    unit_types: frozenset[str]
    backup: bool = False  # double coverage counts for dense demand in this tier


@dataclass(frozen=True, slots=True)
class Group:
    """Interchangeable units: their type, travel mode, count, and the sites open to them."""

    key: str
    unit_type: str
    mode: str
    count: int
    sites: np.ndarray  # site indices allowed
    home: int = -1  # site index the units stand at now (re-planning), -1: none


@dataclass(slots=True)
class Problem:
    """Demand, sites and the travel times from sites to demand per mode (seconds, inf: far)."""

    weights: np.ndarray  # (D,)
    dense: np.ndarray  # (D,) bool: backup coverage counts here
    site_capacity: np.ndarray  # (S,) units a site can hold
    times: dict[str, np.ndarray]  # mode -> (S, D) seconds
    tiers: tuple[Tier, ...]
    groups: tuple[Group, ...]
    backup_share: float = 0.5
    max_moves: int | None = None  # re-planning: at most this many units leave home

    def __post_init__(self) -> None:
        d = self.weights.shape[0]
        if d == 0 or not np.isfinite(self.weights).all() or (self.weights < 0).any():
            raise CoverageError(msg("deployment.bad_demand"))
        if not 0 <= self.backup_share <= 1:
            raise CoverageError(msg("deployment.bad_backup_share"))
        for g in self.groups:
            if g.mode not in self.times:
                raise CoverageError(msg("deployment.no_travel_times", mode=g.mode))
        for m in self.times.values():
            if m.shape != (self.site_capacity.shape[0], d):
                raise CoverageError(msg("deployment.bad_matrix"))


@dataclass(slots=True)
class Columns:
    """The model's decision columns (group, site) and their cover sets per tier."""

    group: np.ndarray  # (C,)
    site: np.ndarray  # (C,)
    upper: np.ndarray  # (C,) most units of the group at the site
    cover: list[sparse.csr_matrix]  # per tier: (C, D) 0/1


@dataclass(slots=True)
class Solution:
    """Units per (group, site), how it was found, and what it is worth."""

    counts: dict[tuple[int, int], int]  # (group index, site index) -> units
    objective: float
    bound: float  # proven upper bound on the optimum
    solver: str  # "highs" or "greedy_swap"
    gap: float  # (bound - objective) / bound, proven
    mip_rel_gap: float | None  # the HiGHS option used, None for the heuristic
    seconds: float
    status: str
    tier_objectives: dict[str, float] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return sum(self.counts.values())


def columns(problem: Problem) -> Columns:
    """Every (group, site) pair with room, and the demand it covers in each tier."""
    caps = problem.site_capacity
    g_idx, s_idx, upper = [], [], []
    for gi, g in enumerate(problem.groups):
        sites = np.asarray(g.sites, dtype=np.int64)
        sites = sites[caps[sites] > 0]
        g_idx.append(np.full(sites.size, gi))
        s_idx.append(sites)
        upper.append(np.minimum(caps[sites], g.count))
    group = np.concatenate(g_idx) if g_idx else np.zeros(0, np.int64)
    site = np.concatenate(s_idx) if s_idx else np.zeros(0, np.int64)
    d = problem.weights.shape[0]
    within: dict[tuple[str, float], sparse.csr_matrix] = {}
    cover = []
    for tier in problem.tiers:
        blocks = []
        for gi, g in enumerate(problem.groups):
            sites = site[group == gi]
            if g.unit_type not in tier.unit_types or sites.size == 0:
                blocks.append(sparse.csr_matrix((sites.size, d), dtype=np.int8))
                continue
            key = (g.mode, tier.radius_s)
            if key not in within:
                within[key] = sparse.csr_matrix(problem.times[g.mode] <= tier.radius_s + EPS)
            blocks.append(within[key][sites])
        mat = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, d))
        cover.append(mat.astype(np.int8))
    return Columns(group, site, np.concatenate(upper) if upper else np.zeros(0), cover)


def _merge(problem: Problem, cols: Columns) -> tuple[np.ndarray, np.ndarray, list]:
    """Demand points with identical cover sets (all tiers) and density flag, merged.

    Returns (weights, dense flags, per-tier (R, C) cover matrices) for the merged rows; rows
    nobody can cover are dropped (they add nothing whatever the plan).
    """
    by_point = [c.T.tocsr() for c in cols.cover]  # (D, C)
    seen: dict[tuple, int] = {}
    rep, weight, dense = [], [], []
    for i in range(problem.weights.shape[0]):
        sig = tuple(m.indices[m.indptr[i] : m.indptr[i + 1]].tobytes() for m in by_point)
        if not any(sig):
            continue
        sig = (*sig, bool(problem.dense[i]))
        r = seen.get(sig)
        if r is None:
            seen[sig] = len(rep)
            rep.append(i)
            weight.append(problem.weights[i])
            dense.append(bool(problem.dense[i]))
        else:
            weight[r] += problem.weights[i]
    rows = np.asarray(rep, dtype=np.int64)
    return np.asarray(weight, float), np.asarray(dense, bool), [m[rows] for m in by_point]


def evaluate(problem: Problem, counts: dict[tuple[int, int], int]) -> dict[str, np.ndarray]:
    """How many eligible units reach each demand point per tier, straight from the times.

    Independent of the model's matrices on purpose: it is how a plan is checked.
    """
    out = {}
    for tier in problem.tiers:
        n = np.zeros(problem.weights.shape[0], dtype=np.int64)
        for (gi, s), k in counts.items():
            g = problem.groups[gi]
            if k > 0 and g.unit_type in tier.unit_types:
                n += k * (problem.times[g.mode][s] <= tier.radius_s + EPS)
        out[tier.code] = n
    return out


def objective_of(problem: Problem, reach: dict[str, np.ndarray]) -> float:
    """The weighted objective of given per-tier reach counts."""
    total = 0.0
    for tier in problem.tiers:
        n = reach[tier.code]
        val = np.minimum(n, 1).astype(float)
        if tier.backup:
            val = val + problem.backup_share * (problem.dense & (n >= 2))
        total += tier.weight * float(problem.weights @ val)
    return total


# -- exact: HiGHS ----------------------------------------------------------------------------
@dataclass(slots=True)
class _Model:
    lp: highspy.HighsLp
    n_x: int
    tier_cols: list[tuple[slice, slice | None]]  # per tier: y columns, b columns


def _build(
    problem: Problem, cols: Columns, w: np.ndarray, dense: np.ndarray, cover: list
) -> _Model:
    """The sparse MIP in column-wise form: x (integer), then per tier y and b (continuous)."""
    n_x, r = cols.group.shape[0], w.shape[0]
    rows, cols_, vals = [], [], []
    cost = [np.zeros(n_x)]
    upper = [cols.upper.astype(float)]
    lower_row: list[float] = []
    upper_row: list[float] = []
    n_row, n_col = 0, n_x
    tier_cols = []
    for t, tier in enumerate(problem.tiers):
        a = cover[t].tocoo()  # (R, C)
        y0 = n_col
        n_col += r
        cost.append(tier.weight * w)
        upper.append(np.ones(r))
        # y[i] (+ b[i]) - Σ_c a[i,c] x[c] <= 0
        rows += [n_row + a.row, n_row + np.arange(r)]
        cols_ += [a.col, y0 + np.arange(r)]
        vals += [-np.ones(a.nnz), np.ones(r)]
        b_slice = None
        if tier.backup and dense.any():
            di = np.flatnonzero(dense)
            b0 = n_col
            n_col += di.size
            cost.append(tier.weight * problem.backup_share * w[di])
            upper.append(np.ones(di.size))
            rows += [n_row + di, n_row + r + np.arange(di.size), n_row + r + np.arange(di.size)]
            cols_ += [b0 + np.arange(di.size), b0 + np.arange(di.size), y0 + di]
            vals += [np.ones(di.size), np.ones(di.size), -np.ones(di.size)]  # b - y <= 0
            b_slice = slice(b0, n_col)
            lower_row += [-math.inf] * (r + di.size)
            upper_row += [0.0] * (r + di.size)
            n_row += r + di.size
        else:
            lower_row += [-math.inf] * r
            upper_row += [0.0] * r
            n_row += r
        tier_cols.append((slice(y0, y0 + r), b_slice))
    for gi, g in enumerate(problem.groups):  # units per group
        c = np.flatnonzero(cols.group == gi)
        rows.append(np.full(c.size, n_row))
        cols_.append(c)
        vals.append(np.ones(c.size))
        lower_row.append(-math.inf)
        upper_row.append(float(g.count))
        n_row += 1
    for s in np.unique(cols.site):  # units per site
        c = np.flatnonzero(cols.site == s)
        rows.append(np.full(c.size, n_row))
        cols_.append(c)
        vals.append(np.ones(c.size))
        lower_row.append(-math.inf)
        upper_row.append(float(problem.site_capacity[s]))
        n_row += 1
    if problem.max_moves is not None:  # re-planning: units away from home
        home = np.array([g.home for g in problem.groups])[cols.group]
        c = np.flatnonzero((home >= 0) & (cols.site != home))
        rows.append(np.full(c.size, n_row))
        cols_.append(c)
        vals.append(np.ones(c.size))
        lower_row.append(-math.inf)
        upper_row.append(float(problem.max_moves))
        n_row += 1
    mat = sparse.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols_))),
        shape=(n_row, n_col),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.col_cost_ = np.concatenate(cost)
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.concatenate(upper)
    lp.row_lower_ = np.asarray(lower_row)
    lp.row_upper_ = np.asarray(upper_row)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [highspy.HighsVarType.kContinuous] * (
        n_col - n_x
    )
    return _Model(lp, n_x, tier_cols)


def _highs(time_limit_s: float, mip_rel_gap: float) -> highspy.Highs:
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    # The sparse covering model is already reduced (merged rows, radius-limited pairs);
    # HiGHS presolve costs more than it saves here (0.64 s vs 0.12 s at 2,000 × 300).
    h.setOptionValue("presolve", "off")
    return h


def _gap(objective: float, bound: float) -> float:
    if bound <= EPS:
        return 0.0
    return max(0.0, (bound - objective) / abs(bound))


def _counts(cols: Columns, x: np.ndarray) -> dict[tuple[int, int], int]:
    k = np.rint(x).astype(np.int64)
    return {(int(cols.group[c]), int(cols.site[c])): int(k[c]) for c in np.flatnonzero(k > 0)}


def solve_exact(
    problem: Problem,
    *,
    mip_rel_gap: float = 0.0,
    time_limit_s: float = 60.0,
    lexicographic: bool = False,
    warm_start: bool = True,
) -> Solution:
    """Optimal posts by HiGHS branch and cut; the gap it proves is in the result.

    ``lexicographic``: maximise the first tier's coverage, then the next with the first held
    at its optimum (less ``mip_rel_gap``), and so on.
    """
    started = time.perf_counter()
    cols = columns(problem)
    if cols.group.size == 0:
        raise CoverageError(msg("deployment.no_site"))
    w, dense, cover = _merge(problem, cols)
    model = _build(problem, cols, w, dense, cover)
    h = _highs(time_limit_s, mip_rel_gap)
    h.passModel(model.lp)
    if warm_start and not lexicographic:
        # A greedy plan as the first incumbent: HiGHS then only has to prove (or beat) it,
        # which at a 0.1 % gap is often settled at the root.
        st = _greedy_run(problem, cols, w, dense, cover, swap_rounds=1, deadline=math.inf)
        sol = highspy.HighsSolution()
        sol.col_value = _full_columns(problem, model, cover, dense, st.x)
        sol.value_valid = True
        h.setSolution(sol)
        # With that incumbent HiGHS's own primal heuristics and symmetry detection mostly
        # cost time here (measured on Monaco 2,000 × 300: 0.08 s vs 0.11 s to optimality).
        h.setOptionValue("mip_heuristic_effort", 0.0)
        h.setOptionValue("mip_detect_symmetry", False)
    tier_obj: dict[str, float] = {}
    if lexicographic:
        full_cost = np.asarray(model.lp.col_cost_)
        for t, tier in enumerate(problem.tiers):
            ys, bs = model.tier_cols[t]
            cost = np.zeros_like(full_cost)
            cost[ys] = full_cost[ys]
            if bs is not None:
                cost[bs] = full_cost[bs]
            h.changeColsCost(cost.size, np.arange(cost.size, dtype=np.int32), cost)
            h.setOptionValue("time_limit", max(1.0, time_limit_s - (time.perf_counter() - started)))
            h.run()
            value = h.getInfo().objective_function_value
            tier_obj[tier.code] = value
            nz = np.flatnonzero(cost)
            keep = value * (1 - mip_rel_gap) - 1e-7 * max(1.0, abs(value))
            h.addRow(keep, math.inf, nz.size, nz.astype(np.int32), cost[nz])
        h.changeColsCost(full_cost.size, np.arange(full_cost.size, dtype=np.int32), full_cost)
        h.setOptionValue("time_limit", max(1.0, time_limit_s - (time.perf_counter() - started)))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise CoverageError(msg("deployment.no_solution", status=status))
    x = np.asarray(h.getSolution().col_value)[: model.n_x]
    counts = _counts(cols, x)
    objective = objective_of(problem, evaluate(problem, counts))
    # Lexicographic: the bound is for the last stage, with the earlier tiers held.
    bound = max(float(info.mip_dual_bound), objective)
    return Solution(
        counts=counts,
        objective=objective,
        bound=bound,
        solver="highs",
        gap=_gap(objective, bound),
        mip_rel_gap=mip_rel_gap,
        seconds=time.perf_counter() - started,
        status=status,
        tier_objectives=tier_obj,
    )


def _full_columns(problem: Problem, model: _Model, cover: list, dense, x: np.ndarray):
    """Every column's value (x, then y and b per tier) for a given placement ``x``."""
    out = np.zeros(model.lp.num_col_)
    out[: model.n_x] = x
    for t, (ys, bs) in enumerate(model.tier_cols):
        n = cover[t] @ x
        out[ys] = np.minimum(n, 1)
        if bs is not None:
            out[bs] = np.minimum(1, np.maximum(0, n - 1))[dense]
    return out


def lp_bound(problem: Problem, time_limit_s: float = 30.0) -> float:
    """The LP relaxation's optimum: no plan can do better (the heuristic's proven bound)."""
    cols = columns(problem)
    if cols.group.size == 0:
        return 0.0
    w, dense, cover = _merge(problem, cols)
    model = _build(problem, cols, w, dense, cover)
    model.lp.integrality_ = []
    h = _highs(time_limit_s, 0.0)
    h.passModel(model.lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return math.inf  # no proof within the time limit: claim nothing
    return float(h.getInfo().objective_function_value)


# -- heuristic: greedy + swap ------------------------------------------------------------------
class _Greedy:
    """Marginal gains of every column at once: one sparse product per tier (O(nnz))."""

    def __init__(self, problem: Problem, cols: Columns, w, dense, cover) -> None:
        self.p, self.cols, self.w, self.dense = problem, cols, w, dense
        self.cover_t = [c.T.tocsr() for c in cover]  # (C, R)
        self.reach = [np.zeros(w.shape[0], dtype=np.int64) for _ in problem.tiers]
        self.x = np.zeros(cols.group.shape[0], dtype=np.int64)
        self.group_used = np.zeros(len(problem.groups), dtype=np.int64)
        self.site_used = np.zeros(problem.site_capacity.shape[0], dtype=np.int64)
        home = np.array([g.home for g in problem.groups], dtype=np.int64)
        self.moving = (home[cols.group] >= 0) & (cols.site != home[cols.group])
        self.moves = 0

    def _value(self, n: np.ndarray, tier: Tier) -> np.ndarray:
        v = np.minimum(n, 1).astype(float)
        if tier.backup:
            v += self.p.backup_share * (self.dense & (n >= 2))
        return v

    def gains(self) -> np.ndarray:
        g = np.zeros(self.x.shape[0])
        for t, tier in enumerate(self.p.tiers):
            n = self.reach[t]
            delta = tier.weight * self.w * (self._value(n + 1, tier) - self._value(n, tier))
            g += self.cover_t[t] @ delta
        return g

    def feasible(self) -> np.ndarray:
        c = self.cols
        ok = self.x < c.upper
        ok &= self.group_used[c.group] < np.array([g.count for g in self.p.groups])[c.group]
        ok &= self.site_used[c.site] < self.p.site_capacity[c.site]
        if self.p.max_moves is not None and self.moves >= self.p.max_moves:
            ok &= ~self.moving
        return ok

    def change(self, c: int, k: int) -> None:
        self.x[c] += k
        self.group_used[self.cols.group[c]] += k
        self.site_used[self.cols.site[c]] += k
        self.moves += k * int(self.moving[c])
        row = self.cover_t
        for t in range(len(self.p.tiers)):
            m = row[t]
            self.reach[t][m.indices[m.indptr[c] : m.indptr[c + 1]]] += k

    def best(self) -> tuple[int, float]:
        g = np.where(self.feasible(), self.gains(), -np.inf)
        c = int(np.argmax(g)) if g.size else -1
        return c, (float(g[c]) if c >= 0 else -np.inf)


def _greedy_run(problem, cols, w, dense, cover, swap_rounds: int, deadline: float) -> _Greedy:
    st = _Greedy(problem, cols, w, dense, cover)
    while True:
        c, gain = st.best()
        if c < 0 or not np.isfinite(gain) or gain <= EPS:
            break
        st.change(c, 1)
    for _ in range(swap_rounds):
        improved = False
        for c in np.flatnonzero(st.x > 0):
            if time.perf_counter() > deadline:
                break
            gi = st.cols.group[c]
            st.change(c, -1)
            loss = st.gains()[c]
            ok = st.feasible() & (st.cols.group == gi)
            g = np.where(ok, st.gains(), -np.inf)
            best = int(np.argmax(g))
            if g[best] > loss + 1e-9 * max(1.0, loss):
                st.change(best, 1)
                improved = True
            else:
                st.change(c, 1)
        if not improved:
            break
    return st


def solve_greedy(
    problem: Problem, *, swap_rounds: int = 3, time_limit_s: float = 30.0, bound: bool = True
) -> Solution:
    """Greedy placement, then 1-opt interchange (move one unit where it adds most).

    Each greedy step adds the unit with the largest marginal gain, O(nnz) per step. The
    swap pass lifts each placed unit and puts it back at the best spot (any site of its
    group), keeping the move when it improves the objective. The gap is proven against the
    LP relaxation bound (``lp_bound``), which holds for any plan.
    """
    started = time.perf_counter()
    cols = columns(problem)
    if cols.group.size == 0:
        raise CoverageError(msg("deployment.no_site"))
    w, dense, cover = _merge(problem, cols)
    st = _greedy_run(problem, cols, w, dense, cover, swap_rounds, started + time_limit_s)
    counts = _counts(cols, st.x)
    objective = objective_of(problem, evaluate(problem, counts))
    ub = lp_bound(problem) if bound else math.inf
    ub = max(ub, objective)
    return Solution(
        counts=counts,
        objective=objective,
        bound=ub,
        solver="greedy_swap",
        gap=_gap(objective, ub),
        mip_rel_gap=None,
        seconds=time.perf_counter() - started,
        status="heuristic",
    )


def tier_shares(problem: Problem, counts: dict[tuple[int, int], int]) -> dict[str, float]:
    """Share of all demand weight inside each tier's circle."""
    reach = evaluate(problem, counts)
    total = float(problem.weights.sum())
    return {
        t: (float(problem.weights @ (n >= 1)) / total if total > 0 else 0.0)
        for t, n in reach.items()
    }


def per_area_shares(
    problem: Problem, counts: dict[tuple[int, int], int], area_of: Sequence[str | None]
) -> dict[str, dict[str, float]]:
    """Coverage share per key area and tier (demand outside areas under ``"_other"``)."""
    reach = evaluate(problem, counts)
    labels = np.array([a or "_other" for a in area_of])
    out: dict[str, dict[str, float]] = {}
    for area in sorted(set(labels.tolist())):
        m = labels == area
        total = float(problem.weights[m].sum())
        out[area] = {
            t: (float(problem.weights[m] @ (n[m] >= 1)) / total if total > 0 else 0.0)
            for t, n in reach.items()
        }
    return out
