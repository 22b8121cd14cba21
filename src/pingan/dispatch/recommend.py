"""Unit recommendation for an incident (pure core): who to send, why, and what is missing.

Steps, after Resgrid's recommender: keep only ``available`` units whose kind and
capabilities fit a line of the run card; use each unit's last position unless it is older
than ``stale_after_s`` (then its post, and say so); refuse units with no usable position,
with the reason; shortlist the nearest by straight line per requirement; rank the shortlist
by road ETA in the unit's own mode, drones by straight line plus launch delay; then fill
the card line by line with the soonest units, fewest units first where a crew size is
required. Every pick and every unmet line carries a sentence for the dispatcher, Chinese
then English.

Road ETAs, and why
------------------
The answer is always the one a search of the whole graph would give: every shortlisted
unit's exact shortest time under the snapping model (partial edges, connectors), sorted by
(ETA, unit id). Two ways to get there:

* ``_by_hierarchy`` (with ``routingkit-cch`` installed): one bucket sweep of the contraction
  hierarchy per mode ranks all shortlisted units at once on arc times rounded to a few µs
  (``TravelTimes.ranked_to``, ≈ 40 µs); then the units that decide a line — its picks, and
  any candidate ranked within the rounding bound of its last pick — get their route's
  exact time (≈ 20–40 µs each) and the card is filled again until nothing is undecided.
  No horizon, so no second search: the cost hardly depends on how far the units are.
* ``_by_dijkstra`` (fallback): one backward Dijkstra per mode from the incident, stopped at
  the time by which the card would be filled if roads were ``_DETOUR``× the straight line;
  a line whose choice could still depend on a unit beyond that horizon (unfilled, a crew
  gap a bigger unit might close, an in-zone unit not reached) makes that mode search the
  whole graph once more.

The straight-line shortlist only saves work: each unit's ETA is bounded from below by the
straight line at its mode's top speed (``TravelTimes.top_speed_mps``), and any unit left out
whose bound is under a line's last pick (any fitting unit, where a line is unmet) is ranked
too, until none is left (``_could_beat``). Without that, the shortlist (nearest needed + 6)
left out a unit nearer by road on 17.7 % of Monaco incidents (median 43 s later).
Measured with ``bench/dispatch.py`` (1,000 incidents, 500 units, 2-core machine under
load): on Monaco p50 1.4 ms / p99 4.0 ms against the NetworkX baseline's 86 ms — the same
card filled by the same rule from every unit's NetworkX ETA, on the same incidents — and
never a later card than the baseline's. The Dijkstra path gave
p50 1.1 ms / p99 5.6 ms — its reruns over the whole walk graph cost 2–5 ms each, and one in
eight incidents needed one. The slowest cards are the ones listing every volunteer in a
1–1.5 km zone: ~20 exact routes.
The earlier horizon logic (rank-based horizon, widened 4×, then unlimited, only when a line
was unmet) disagreed with a whole-graph search on 146 of 1,000 Monaco incidents: in-zone
units beyond the horizon were dropped silently and a bigger unit beyond it could not close
a crew gap. Both paths now agree with the whole-graph answer on all 1,000 (times to
1e-12 relative).

Also here: whether a newly freed unit should replace an assigned one
(``suggest_reassignment``) and what share of a key area lies within the 1/3/5-minute reach
of the available units (``area_coverage``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import shapely

from pingan.dispatch.response_plans import Plan, Requirement, within_remit
from pingan.geo.graph import haversine_m_array, local_xy
from pingan.geo.profiles import FlyProfile
from pingan.geo.travel_time import DEFAULT_TIERS_S, TravelTimes
from pingan.i18n import DEFAULT_LANG, Msg, current_lang, msg

AVAILABLE = "available"
STALE_AFTER_S = 1800.0
SHORTLIST_EXTRA = 6  # straight-line candidates ranked by road per requirement, beyond need
_DETOUR = 3.0  # first-search horizon: straight line × this at the graph's typical speed …
_SLACK_S = 60.0  # … plus this; too small costs one more search, never a different answer


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit as the recommender sees it (plain data; the service fills it from the store)."""

    unit_id: str
    kind: str
    mode: str  # drive / walk / bike / fly
    status: str = AVAILABLE
    capabilities: frozenset[str] = frozenset()
    crew: int = 1
    position: tuple[float, float] | None = None  # (lon, lat)
    position_age_s: float | None = None
    post: tuple[float, float] | None = None  # home post (岗点)
    name: str = ""  # call sign shown to people, e.g. "A12"


@dataclass(frozen=True, slots=True)
class Travel:
    """Travel models per mode: a ``TravelTimes`` per road mode and the drone profile."""

    roads: Mapping[str, TravelTimes]
    fly: FlyProfile | None = None


@dataclass(frozen=True, slots=True)
class Pick:
    unit_id: str
    kind: str
    requirement: int
    eta_s: float
    distance_m: float
    crew: int
    from_post: bool
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Refusal:
    unit_id: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class Unmet:
    requirement: int
    missing_units: int
    missing_crew: int
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    plan: Plan
    picks: tuple[Pick, ...]
    unmet: tuple[Unmet, ...]
    refused: tuple[Refusal, ...]

    @property
    def complete(self) -> bool:
        return not self.unmet

    def lines(self, lang: str | None = None) -> list[str]:
        """What the dispatcher reads, in `lang` (default: the current language): each pick,
        then each gap, then each refusal."""
        zh = (lang or current_lang()) == DEFAULT_LANG
        out = [p.text_zh if zh else p.text_en for p in self.picks]
        out += [u.text_zh if zh else u.text_en for u in self.unmet]
        out += [f"{r.unit_id}: {r.reason_zh if zh else r.reason_en}" for r in self.refused]
        return out


# -- words ------------------------------------------------------------------------------------
@cache
def _kind_names() -> dict[str, tuple[str, str]]:
    try:
        from pingan.units.catalogue import unit_kinds

        return {k: (v.name_zh, v.name_en) for k, v in unit_kinds().items()}
    except (ImportError, OSError, ValueError, KeyError, TypeError):  # optional for this core
        return {}


def kind_name(kind: str) -> tuple[str, str]:
    return _kind_names().get(kind, (kind, kind.replace("_", " ")))


def fmt_duration(seconds: float) -> tuple[str, str]:
    s = round(seconds)
    m, s = divmod(s, 60)
    if m == 0:
        return f"{s}秒", f"{s} s"
    return (f"{m}分{s:02d}秒", f"{m} min {s:02d} s") if s else (f"{m}分钟", f"{m} min")


def fmt_distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _requirement_words(req: Requirement) -> tuple[str, str]:
    names = [kind_name(k) for k in req.kinds]
    zh = "/".join(n[0] for n in names)
    en = "/".join(n[1] for n in names)
    if req.capabilities:
        zh += f"（能力: {', '.join(req.capabilities)}）"
        en += f" (capabilities: {', '.join(req.capabilities)})"
    return zh, en


# -- positions --------------------------------------------------------------------------------
def _position(u: Candidate, stale_after_s: float) -> tuple[tuple[float, float] | None, bool, bool]:
    """(position to use, taken from the post?, is the live position stale?)."""
    if u.position is not None and (u.position_age_s or 0.0) <= stale_after_s:
        return u.position, False, False
    stale = u.position is not None
    if u.post is not None:
        return u.post, True, stale
    return u.position, False, stale


def _position_words(u: Candidate, from_post: bool, stale: bool) -> tuple[str, str]:
    """Why a unit's ETA is less certain than usual ('' when its live position is fresh)."""
    if not stale and not from_post:
        return "", ""
    if not stale:
        return "无实时位置，按岗点估算", "no live position, estimated from its post"
    az, ae = fmt_duration(u.position_age_s or 0.0)
    if from_post:
        return f"位置已过期 {az}，按岗点估算", f"position {ae} old, estimated from its post"
    return f"位置已过期 {az}，且无岗点", f"position {ae} old and no post"


class UnitPool:
    """Available units, positioned and snapped once, ready for many recommendations.

    Build it when positions change (≈ 2 ms for 500 units); each recommendation then costs
    only the incident's searches. ``recommend`` builds one itself when given a plain list.
    """

    def __init__(
        self, units: Sequence[Candidate], travel: Travel, *, stale_after_s: float = STALE_AFTER_S
    ) -> None:
        self.travel = travel
        self.units: list[Candidate] = []
        self.refused: list[tuple[str, Refusal]] = []  # (kind, refusal)
        self.all_units = list(units)
        lonlat, from_post, stale = [], [], []
        for u in units:
            if u.status != AVAILABLE:
                continue
            no_road = u.mode != "fly" and u.mode not in travel.roads
            if no_road or (u.mode == "fly" and not travel.fly):
                self._refuse(
                    u, f"没有“{u.mode}”出行方式的路网或配置", f"no travel model for mode {u.mode!r}"
                )
                continue
            pos, post, old = _position(u, stale_after_s)
            if pos is None:
                self._refuse(
                    u, "无位置信息且无岗点，无法计算到达时间", "no position and no post: no ETA"
                )
                continue
            self.units.append(u)
            lonlat.append((float(pos[0]), float(pos[1])))
            from_post.append(post)
            stale.append(old)
        self.lonlat = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        self.from_post = np.asarray(from_post, dtype=bool)
        self.stale = np.asarray(stale, dtype=bool)
        self.mode = np.asarray([u.mode for u in self.units], dtype=object)
        self.crew = np.asarray([u.crew for u in self.units], dtype=np.int64)
        # Snap every road unit once per mode; refuse the ones no road network reaches.
        self.snapped = {}
        self.depart: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.local = np.full(len(self.units), -1, dtype=np.int64)
        usable = np.ones(len(self.units), dtype=bool)
        for mode, engine in travel.roads.items():
            idx = np.flatnonzero(self.mode == mode)
            if idx.size == 0:
                continue
            snap = engine.snap(self.lonlat[idx], strict=False)
            self.snapped[mode] = snap
            self.depart[mode] = engine._depart(snap)  # arcs onto the road, once per pool
            self.local[idx] = np.arange(idx.size)
            for k in np.flatnonzero(~snap.ok):
                usable[idx[k]] = False
                self._refuse(self.units[idx[k]], *_split(snap.reason[k]))
        self.usable = usable
        sig_of: dict[tuple[str, frozenset[str]], int] = {}
        self.sig = np.asarray(
            [
                sig_of.setdefault((u.kind, frozenset(u.capabilities)), len(sig_of))
                for u in self.units
            ],
            dtype=np.int64,
        )
        self.sigs = list(sig_of)

    def _refuse(self, u: Candidate, zh: str, en: str) -> None:
        self.refused.append((u.kind, Refusal(u.unit_id, zh, en)))

    def __len__(self) -> int:
        return len(self.units)

    def fits(self, req: Requirement) -> np.ndarray:
        """Which pooled units may fill ``req`` (kind and capabilities; snapped where needed)."""
        caps = set(req.capabilities)
        ok = np.array([k in req.kinds and caps <= c for k, c in self.sigs], dtype=bool)
        return ok[self.sig] & self.usable if len(self.units) else np.zeros(0, dtype=bool)


# -- road times ---------------------------------------------------------------------------------
@dataclass(slots=True)
class _Times:
    eta: np.ndarray  # per pooled unit; inf: unreachable, not shortlisted or beyond the horizon
    horizon: dict[str, float] = field(default_factory=dict)  # mode -> limit of its search
    dist: dict[int, float] = field(default_factory=dict)
    lengths: dict[int, object] = field(default_factory=dict)  # index -> callable giving metres

    def distance(self, i: int) -> float:
        if i not in self.dist:
            self.dist[i] = float(self.lengths[i]())
        return self.dist[i]


def _road_times(
    incident: tuple[float, float],
    pool: UnitPool,
    shortlist: np.ndarray,
    limits: Mapping[str, float | None],
    times: _Times,
    targets: dict,
) -> list[Refusal]:
    """Exact ETAs of the shortlisted units of each mode in ``limits``: one backward search.

    Each search stops at its limit (``None``: the whole graph); units beyond it keep ``inf``
    and ``times.horizon`` records the limit so the caller knows their ETA is only bounded.
    ``targets`` caches the incident snapped per mode across the searches of one call.
    """
    refused: list[Refusal] = []
    for mode, limit in sorted(limits.items()):
        idx = shortlist[pool.mode[shortlist] == mode]
        engine = pool.travel.roads[mode]
        target = targets.get(mode)
        if target is None:
            target = targets[mode] = engine.snap([incident], strict=False)
        times.horizon[mode] = math.inf if limit is None else float(limit)
        if not target.ok[0]:
            zh, en = _split(target.reason[0])
            refused += [Refusal(pool.units[i].unit_id, f"现场{zh}", f"incident {en}") for i in idx]
            times.horizon[mode] = math.inf  # nothing to widen: no ETA at all
            continue
        result = engine.many_to_one(pool.snapped[mode].take(pool.local[idx]), target, limit_s=limit)
        times.eta[idx] = result.eta_s
        for k in np.flatnonzero(np.isfinite(result.eta_s)):
            times.lengths[int(idx[k])] = lambda r=result, k=int(k): r.length_m(k)
    return refused


def _split(reason: Msg | str | None) -> tuple[str, str]:
    """A refusal's reason in both languages (the recommendation carries both)."""
    why = reason or msg("dispatch.cannot_place")
    if isinstance(why, Msg):
        return why.text("zh_CN"), why.text("en")
    zh, _, en = why.partition(" / ")
    return zh, en or zh


# -- filling the card -----------------------------------------------------------------------------
def _fill(cands: list[int], req: Requirement, crew: Sequence[int]) -> tuple[list[int], int]:
    """Soonest of ``cands`` (in order) until both the unit count and the crew total are met.

    When one more unit must close the crew gap, take the soonest unit big enough to close it,
    so the card is met with the fewest units. Also returns how far down ``cands`` the choice
    reached (last position taken + 1), which tells whether unseen ETAs could change it.
    """
    got: list[int] = []
    total, deepest = 0, 0
    rest = list(range(len(cands)))
    while rest and (len(got) < req.units or total < req.min_crew):
        gap = req.min_crew - total
        pick = rest[0]
        if len(got) + 1 >= req.units and gap > 0:
            pick = next((p for p in rest if crew[cands[p]] >= gap), pick)
        got.append(cands[pick])
        total += crew[cands[pick]]
        rest.remove(pick)
        deepest = max(deepest, pick + 1)
    return got, deepest


def _select(
    plan: Plan,
    ok: list[list[bool]],
    eta: list[float],
    horizon: list[float],
    ids: list[str],
    crew: list[int],
    straight: list[float],
) -> tuple[list[list[int]], set[int]]:
    """Which shortlisted units (positions) fill each line, and which unknown ETAs could change it.

    ``eta`` is exact where finite; an ``inf`` is either unreachable (``horizon`` inf) or
    only known to exceed ``horizon``. A line is settled when its choice never looked past the
    units known to come before every unknown one; otherwise the unknown candidates are
    returned so the caller can search their modes without a limit. Units are sorted by
    (ETA, unit id), so the answer is the one a search of the whole graph would give.
    """
    taken: set[int] = set()
    lines: list[list[int]] = []
    unsure: set[int] = set()
    positions = range(len(eta))
    for req, fit in zip(plan.requirements, ok, strict=True):
        free = [j for j in positions if fit[j] and j not in taken]
        known = sorted((j for j in free if eta[j] < math.inf), key=lambda j: (eta[j], ids[j]))
        unknown = [j for j in free if eta[j] == math.inf and horizon[j] < math.inf]
        if req.within_m is not None:
            got = [j for j in known if straight[j] <= req.within_m]
            unsure.update(j for j in unknown if straight[j] <= req.within_m)
        else:
            got, deepest = _fill(known + unknown, req, crew)
            if unknown:
                bound = min(horizon[j] for j in unknown)
                if deepest > sum(1 for j in known if eta[j] <= bound):
                    unsure.update(unknown)
        taken.update(got)
        lines.append(got)
    return lines, unsure


def _horizons(
    plan: Plan,
    ok: list[list[bool]],
    est: list[float],
    modes: list[str],
    lines: list[list[int]],
    crew: list[int],
    straight: list[float],
) -> dict[str, float | None]:
    """First search limit per road mode: the estimated time each line is filled by.

    A mode's search must reach as far as the slowest line it could serve; a line that even
    the estimates cannot fill needs every candidate, so its modes search the whole graph.
    """
    limits: dict[str, float | None] = {}
    for req, fit, got in zip(plan.requirements, ok, lines, strict=True):
        if req.within_m is not None:
            near = [est[j] for j, f in enumerate(fit) if f and straight[j] <= req.within_m]
            need: float | None = max(near, default=0.0)
        elif len(got) < req.units or sum(crew[j] for j in got) < req.min_crew:
            need = None
        else:
            need = max((est[j] for j in got), default=0.0)
        for mode in {modes[j] for j, f in enumerate(fit) if f and modes[j] != "fly"}:
            have = limits.get(mode, 0.0)
            limits[mode] = None if need is None or have is None else max(have, need)
    return limits


@dataclass(frozen=True, slots=True)
class _Shortlist:
    """The shortlisted units of one recommendation as plain lists (positions 0 … k-1)."""

    index: np.ndarray  # pool index of each position
    modes: list[str]
    ok: list[list[bool]]  # per requirement: may this unit fill it
    ids: list[str]
    crew: list[int]
    straight: list[float]


def _by_hierarchy(
    incident, plan: Plan, pool: UnitPool, c: _Shortlist, times: _Times
) -> tuple[list[list[int]], list[Refusal]]:
    """Fill the card from contraction-hierarchy ETAs: all shortlisted units, no horizon.

    Units are first ranked on rounded arc times (within ``err_s`` of their route's exact
    time); then every unit that could decide a line — its picks, and any candidate ranked
    within ``err_s`` of the line's last pick — gets its exact route time, and the card is
    filled again until nothing undecided is left. So the order is the exact one.
    """
    refused: list[Refusal] = []
    k = len(c.ids)
    eta = times.eta[c.index].tolist()
    err = [0.0] * k
    exact = [m == "fly" for m in c.modes]
    route: dict[int, tuple] = {}
    for mode in sorted({m for m in c.modes if m != "fly"}):
        pos = [j for j in range(k) if c.modes[j] == mode]
        engine = pool.travel.roads[mode]
        target = engine.snap([incident], strict=False)
        if not target.ok[0]:
            zh, en = _split(target.reason[0])
            refused += [Refusal(c.ids[j], f"现场{zh}", f"incident {en}") for j in pos]
            for j in pos:
                exact[j] = True
            continue
        local = pool.local[c.index[pos]]
        nodes, costs = pool.depart[mode]
        ranked = engine._ranked(pool.snapped[mode].take(local), target, nodes[local], costs[local])
        for n, j in enumerate(pos):
            eta[j] = float(ranked.rank_s[n])
            err[j] = ranked.err_s
            exact[j] = not math.isfinite(eta[j])
            route[j] = (ranked, n)
    no_limit = [math.inf] * k
    while True:
        lines, _ = _select(plan, c.ok, eta, no_limit, c.ids, c.crew, c.straight)
        todo: set[int] = set()
        for req, fit, got in zip(plan.requirements, c.ok, lines, strict=True):
            todo.update(j for j in got if not exact[j])
            if got and req.within_m is None:
                last = max(eta[j] for j in got)
                todo.update(
                    j for j in range(k) if fit[j] and not exact[j] and eta[j] - err[j] <= last
                )
        if not todo:
            break
        for j in todo:
            ranked, n = route[j]
            eta[j], exact[j] = ranked.eta(n), True
    for j, (ranked, n) in route.items():
        i = int(c.index[j])
        times.eta[i] = eta[j]
        if math.isfinite(eta[j]):
            times.lengths[i] = lambda r=ranked, n=n: r.length_m(n)
    return lines, refused


def _by_dijkstra(
    incident, plan: Plan, pool: UnitPool, c: _Shortlist, times: _Times
) -> tuple[list[list[int]], list[Refusal]]:
    """Fill the card from backward Dijkstra searches, one per mode, stopped at a horizon.

    Each mode's search first stops at the time by which the card would be filled if roads
    were ``_DETOUR``× the straight line at the graph's typical speed; when a line's choice
    could still depend on a unit beyond that horizon, that mode is searched once more over
    the whole graph. The answer is always the one unlimited searches would give.
    """
    est = times.eta[c.index].copy()  # fly units: exact already
    for mode in {m for m in c.modes if m != "fly"}:
        speed = pool.travel.roads[mode].typical_speed_mps
        for j in (j for j, m in enumerate(c.modes) if m == mode):
            est[j] = _DETOUR * c.straight[j] / speed + _SLACK_S
    no_limit = [math.inf] * len(c.ids)
    guess, _ = _select(plan, c.ok, est.tolist(), no_limit, c.ids, c.crew, c.straight)
    limits = _horizons(plan, c.ok, est.tolist(), c.modes, guess, c.crew, c.straight)
    targets: dict = {}
    refused = _road_times(incident, pool, c.index, limits, times, targets)
    while True:
        horizon = [times.horizon.get(m, math.inf) for m in c.modes]
        eta = times.eta[c.index].tolist()
        lines, unsure = _select(plan, c.ok, eta, horizon, c.ids, c.crew, c.straight)
        if not unsure:
            return lines, refused
        again = {c.modes[j]: None for j in unsure}  # one more search per mode, whole graph
        refused += _road_times(incident, pool, c.index, again, times, targets)


def _eta_floor(pool: UnitPool, straight: np.ndarray) -> np.ndarray:
    """A lower bound of each pooled unit's ETA: the straight line at its mode's top speed
    (drones: their exact flight time). No route can be faster, so a unit whose bound is past
    a line's last pick cannot change that line."""
    floor = np.zeros(len(pool))
    for mode in set(pool.mode.tolist()):
        idx = np.flatnonzero(pool.mode == mode)
        if mode == "fly":
            floor[idx] = pool.travel.fly.time_s(straight[idx])
        else:
            # 0.999: haversine and the graph's own projection differ by far less than 0.1 %
            floor[idx] = 0.999 * straight[idx] / pool.travel.roads[mode].top_speed_mps
    return floor


def _rank_and_fill(
    incident,
    plan: Plan,
    pool: UnitPool,
    fits: list[np.ndarray],
    straight: np.ndarray,
    chosen: set[int],
) -> tuple[_Shortlist, _Times, list[list[int]], list[Refusal]]:
    """Exact ETAs for the shortlisted units, and the card filled from them."""
    shortlist = np.array(sorted(chosen), dtype=np.int64)
    # Plain lists over the shortlist: the card is filled by a few small Python loops.
    times = _Times(np.full(len(pool), np.inf))
    c = _Shortlist(
        shortlist,
        pool.mode[shortlist].tolist(),
        [f[shortlist].tolist() for f in fits],
        [pool.units[i].unit_id for i in shortlist],
        pool.crew[shortlist].tolist(),
        straight[shortlist].tolist(),
    )
    for j in (j for j, m in enumerate(c.modes) if m == "fly"):
        i = int(shortlist[j])  # exact: straight line at cruise speed after the launch delay
        times.eta[i] = pool.travel.fly.time_s(c.straight[j])
        times.dist[i] = c.straight[j]
    road = {m for m in c.modes if m != "fly"}
    if road and all(pool.travel.roads[m].has_hierarchy for m in road):
        lines, refused = _by_hierarchy(incident, plan, pool, c, times)
    else:
        lines, refused = _by_dijkstra(incident, plan, pool, c, times)
    return c, times, lines, refused


def _could_beat(plan: Plan, fits: list[np.ndarray], lines: list[list[int]], c: _Shortlist,
                times: _Times, floor: np.ndarray, chosen: set[int]) -> set[int]:  # fmt: skip
    """Units left out of the shortlist that could still arrive before a line's last pick
    (all fitting units, where a line is unmet): the straight-line shortlist is a guess, and
    a unit behind it by road-distance may be the soonest."""
    wider: set[int] = set()
    for req, ok, got in zip(plan.requirements, fits, lines, strict=True):
        if req.within_m is not None:
            continue  # a zone line lists everyone within the zone, all shortlisted already
        met = len(got) >= req.units and sum(c.crew[j] for j in got) >= req.min_crew
        last = max(times.eta[int(c.index[j])] for j in got) if met and got else math.inf
        out = np.flatnonzero(ok & (floor < last))
        wider.update(i for i in out.tolist() if i not in chosen)
    return wider


# -- the recommender ----------------------------------------------------------------------------
def recommend(
    incident: tuple[float, float],
    plan: Plan,
    units: Sequence[Candidate] | UnitPool,
    travel: Travel | None = None,
    *,
    stale_after_s: float = STALE_AFTER_S,
    shortlist_extra: int = SHORTLIST_EXTRA,
    remit: bool = True,
) -> Recommendation:
    """Fill ``plan`` for an incident at ``incident`` (lon, lat) with the soonest fitting units.

    ``units`` is a list of candidates (then ``travel`` is required) or a prepared
    ``UnitPool``. Road ETAs come from the contraction hierarchy when ``routingkit-cch`` is
    installed (``_by_hierarchy``), else from Dijkstra searches (``_by_dijkstra``). Kinds
    whose remit (``attends``) excludes the incident type are dropped from every line first
    (``remit=False`` only where the plan is not an incident's, as in a re-assignment).
    """
    if remit:
        plan = within_remit(plan)
    if isinstance(units, UnitPool):
        pool = units
    else:
        if travel is None:
            raise ValueError(msg("dispatch.travel_models_required"))
        pool = UnitPool(units, travel, stale_after_s=stale_after_s)
    straight = haversine_m_array(incident[0], incident[1], pool.lonlat[:, 0], pool.lonlat[:, 1])
    fits = [pool.fits(r) for r in plan.requirements]
    floor = _eta_floor(pool, straight)
    chosen: set[int] = set()
    for req, ok in zip(plan.requirements, fits, strict=True):
        cand = np.flatnonzero(ok)
        if req.within_m is not None:
            chosen.update(cand[straight[cand] <= req.within_m].tolist())
        need = req.units + max(0, req.min_crew)
        order = np.argsort(straight[cand], kind="stable")[: need + shortlist_extra]
        chosen.update(cand[order].tolist())
    while True:  # rank the shortlist; widen it while a unit left out could still do better
        c, times, lines, refused = _rank_and_fill(incident, plan, pool, fits, straight, chosen)
        wider = _could_beat(plan, fits, lines, c, times, floor, chosen)
        if not wider:
            break
        chosen |= wider
    shortlist = c.index
    crew = c.crew
    picks: list[Pick] = []
    unmet: list[Unmet] = []
    for r_i, (req, f, got) in enumerate(zip(plan.requirements, fits, lines, strict=True)):
        units_got = [int(shortlist[j]) for j in got]
        picks += [_pick(i, r_i, req, pool, times) for i in units_got]
        total = sum(crew[j] for j in got)
        if req.within_m is None and (len(got) < req.units or total < req.min_crew):
            unmet.append(_unmet(r_i, req, units_got, total, pool, f, times))
    kinds = {k for r in plan.requirements for k in r.kinds}
    refused = [r for k, r in pool.refused if k in kinds] + refused
    return Recommendation(plan, tuple(picks), tuple(unmet), tuple(refused))


def _pick(i: int, r_i: int, req: Requirement, pool: UnitPool, times: _Times) -> Pick:
    u = pool.units[i]
    kz, ke = kind_name(u.kind)
    dz, de = fmt_duration(times.eta[i])
    dist = fmt_distance(times.distance(i))
    how_zh, how_en = ("直线", "straight line") if u.mode == "fly" else ("道路", "by road")
    fill_zh, fill_en = _crew_words(u)
    if req.note_zh:
        fill_zh, fill_en = f"{fill_zh}，{req.note_zh}", f"{fill_en}, {req.note_en or req.note_zh}"
    pz, pe = _position_words(u, bool(pool.from_post[i]), bool(pool.stale[i]))
    pz, pe = (f"（{pz}）", f" ({pe})") if pz else ("", "")
    label = u.name or u.unit_id
    return Pick(
        unit_id=u.unit_id,
        kind=u.kind,
        requirement=r_i,
        eta_s=float(times.eta[i]),
        distance_m=times.distance(i),
        crew=u.crew,
        from_post=bool(pool.from_post[i]),
        text_zh=f"{kz} {label} 预计 {dz}到达（{how_zh} {dist}）{pz}，满足: {fill_zh}",
        text_en=f"{ke} {label}, ETA {de} {how_en} ({dist}){pe}, fills: {fill_en}",
    )


def _crew_words(u: Candidate) -> tuple[str, str]:
    if u.crew <= 0:
        return kind_name(u.kind)
    if _is_police(u.kind):
        return f"{u.crew} 名警力", f"{u.crew} officer{'s' if u.crew != 1 else ''}"
    return f"{u.crew} 人", f"{u.crew} {'people' if u.crew != 1 else 'person'}"


@cache
def _police_kinds() -> frozenset[str]:
    try:
        from pingan.units.catalogue import unit_kinds

        return frozenset(k for k, v in unit_kinds().items() if v.police)
    except (ImportError, OSError, ValueError, KeyError, TypeError):
        return frozenset({"patrol_car", "foot_patrol", "ptu", "traffic", "k9"})


def _is_police(kind: str) -> bool:
    return kind in _police_kinds()


def _unmet(r_i: int, req: Requirement, got, crew, pool: UnitPool, ok, times: _Times) -> Unmet:
    missing_u = max(0, req.units - len(got))
    missing_c = max(0, req.min_crew - crew)
    rz, re = _requirement_words(req)
    kinds, caps = set(req.kinds), set(req.capabilities)
    mine = [u for u in pool.all_units if u.kind in kinds]
    busy = sum(1 for u in mine if u.status != AVAILABLE)
    no_cap = sum(1 for u in mine if u.status == AVAILABLE and not caps <= set(u.capabilities))
    no_pos = sum(1 for k, _ in pool.refused if k in kinds)
    far = sum(1 for i in np.flatnonzero(ok) if not np.isfinite(times.eta[i]))
    gaps_zh, gaps_en = [], []
    if missing_u:
        gaps_zh.append(f"还缺 {missing_u} 个单位")
        gaps_en.append(f"{missing_u} more unit{'s' if missing_u > 1 else ''} needed")
    if missing_c:
        gaps_zh.append(f"还缺 {missing_c} 名警力")
        gaps_en.append(f"{missing_c} more officer{'s' if missing_c > 1 else ''} needed")
    why_zh = (
        f"同类单位: 忙碌 {busy}，缺少能力 {no_cap}，无可用位置 {no_pos}，未排入或无法到达 {far}"
    )
    why_en = (
        f"units of these kinds: busy {busy}, lacking capability {no_cap}, "
        f"no usable position {no_pos}, not shortlisted or unreachable {far}"
    )
    return Unmet(
        requirement=r_i,
        missing_units=missing_u,
        missing_crew=missing_c,
        text_zh=f"未满足: {rz} {'，'.join(gaps_zh)}（{why_zh}）",
        text_en=f"Unmet: {re}: {'; '.join(gaps_en)} ({why_en})",
    )


# -- re-assignment --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reassignment:
    freed_unit_id: str
    replaces_unit_id: str
    freed_eta_s: float
    current_eta_s: float
    text_zh: str
    text_en: str

    @property
    def saves_s(self) -> float:
        return self.current_eta_s - self.freed_eta_s


def suggest_reassignment(
    incident: tuple[float, float],
    assigned: Sequence[tuple[Candidate, float]],
    freed: Candidate,
    travel: Travel,
    *,
    min_gain_s: float = 60.0,
    stale_after_s: float = STALE_AFTER_S,
) -> Reassignment | None:
    """Should ``freed`` take over from an assigned unit still on its way?

    ``assigned`` pairs each unit en route with its remaining ETA. The freed unit may replace
    one of the same kind with no more capabilities and no larger crew than it has; the one it
    would beat by the most, by at least ``min_gain_s``.
    """
    plan = Plan("reassignment", None, (Requirement(kinds=(freed.kind,)),))
    rec = recommend(
        incident,
        plan,
        [freed],
        travel,
        stale_after_s=stale_after_s,
        shortlist_extra=0,
        remit=False,
    )
    if not rec.picks:
        return None
    eta = rec.picks[0].eta_s
    can = [
        (u, t)
        for u, t in assigned
        if u.kind == freed.kind
        and set(u.capabilities) <= set(freed.capabilities)
        and u.crew <= freed.crew
        and t - eta >= min_gain_s
    ]
    if not can:
        return None
    worst, t = max(can, key=lambda p: p[1])
    kz, ke = kind_name(freed.kind)
    fz, fe = fmt_duration(eta)
    cz, ce = fmt_duration(t)
    gz, ge = fmt_duration(t - eta)
    a, b = freed.name or freed.unit_id, worst.name or worst.unit_id
    return Reassignment(
        freed_unit_id=freed.unit_id,
        replaces_unit_id=worst.unit_id,
        freed_eta_s=eta,
        current_eta_s=float(t),
        text_zh=f"建议改派: 刚空闲的{kz} {a} 预计 {fz}到达，比 {b}（还需 {cz}）快 {gz}",
        text_en=(
            f"Suggest re-assignment: freed {ke} {a} arrives in {fe}, "
            f"{ge} sooner than {b} ({ce} left)"
        ),
    )


# -- coverage of a key area -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AreaCoverage:
    """Share of sample points of an area reached within each tier, and each point's time."""

    share: dict[float, float]
    points: np.ndarray  # (k, 2) lon/lat sample points
    time_s: np.ndarray  # fastest arrival at each point


def sample_polygon(polygon: Sequence[tuple[float, float]], max_points: int = 300) -> np.ndarray:
    """A regular grid of about ``max_points`` (lon, lat) points inside the polygon."""
    ring = np.asarray(polygon, dtype=np.float64)
    lon0, lat0 = float(ring[:, 0].mean()), float(ring[:, 1].mean())
    xy = local_xy(ring[:, 0], ring[:, 1], lon0, lat0)
    poly = shapely.Polygon(xy)
    if poly.is_empty or poly.area <= 0:
        return ring[:1].copy()
    step = math.sqrt(poly.area / max(1, max_points))
    x0, y0, x1, y1 = poly.bounds
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
    pts = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
    if pts.shape[0] == 0:
        c = poly.representative_point()
        pts = np.array([[c.x, c.y]])
    k = math.pi / 180.0 * 6371008.8
    return np.column_stack(
        [pts[:, 0] / (k * math.cos(math.radians(lat0))) + lon0, pts[:, 1] / k + lat0]
    )


def area_coverage(
    polygon: Sequence[tuple[float, float]],
    units: Sequence[Candidate],
    travel: Travel,
    *,
    tiers_s: Sequence[float] = DEFAULT_TIERS_S,
    max_points: int = 300,
    stale_after_s: float = STALE_AFTER_S,
) -> AreaCoverage:
    """Share of a key area within reach of the available units for each 1/3/5-minute tier.

    One multi-source Dijkstra per mode (``nearest_source``); drones by straight line.
    """
    pts = sample_polygon(polygon, max_points)
    best = np.full(pts.shape[0], np.inf)
    horizon = float(max(tiers_s))
    by_mode: dict[str, list[tuple[float, float]]] = {}
    for u in units:
        if u.status != AVAILABLE:
            continue
        pos, _, _ = _position(u, stale_after_s)  # stale: the post, as for recommendations
        if pos is not None:
            by_mode.setdefault(u.mode, []).append(pos)
    for mode, positions in sorted(by_mode.items()):
        p = np.asarray(positions, dtype=np.float64)
        if mode == "fly" and travel.fly is not None:
            for lon, lat in p:
                d = haversine_m_array(lon, lat, pts[:, 0], pts[:, 1])
                best = np.minimum(
                    best, travel.fly.launch_delay_s + d / (travel.fly.speed_kmh / 3.6)
                )
        elif mode in travel.roads:
            engine = travel.roads[mode]
            src = engine.snap(p, strict=False)
            dst = engine.snap(pts, strict=False)
            if src.ok.any() and dst.ok.any():
                t, _ = engine.nearest_source(src.take(np.flatnonzero(src.ok)), dst, limit_s=horizon)
                best = np.minimum(best, np.where(dst.ok, t, np.inf))
    share = {float(t): float(np.mean(best <= t)) for t in tiers_s}
    return AreaCoverage(share, pts, best)
