"""Expected coverage with busy units (pure core): what a plan's circles are worth on the day.

Model — Daskin's MEXCLP (1983) with a busy fraction per unit kind and hour
-------------------------------------------------------------------------
Demand point ``i`` is covered in tier ``t`` when at least one *free* eligible unit can reach
it within the tier's budget. Each unit ``u`` is busy with probability ``q_u`` (its kind's
busy fraction over the shift's hours, ``busy.py``), independently of the others, so

    P(i covered in t) = 1 − Π_u (1 − (1 − q_u) · p_ut(i))

where ``p_ut(i)`` is the chance that ``u``, where it stands when the call comes, reaches
``i`` within ``radius_t − delay``: 0 or 1 for a unit at its post; for a foot unit walking
its patrol loop, the share of positions along the loop (evenly spaced in time) from which
it does. ``delay`` is the wait before a unit moves (call → dispatch order →
acknowledgement → en route): a 60 s circle with 45 s of handling leaves 15 s of walking.
The figure is averaged over quantiles of the measured waits (``busy.median_delays``).

Why MEXCLP rather than the alternatives:

* MALP (ReVelle & Hogan 1989) asks a chance constraint per point ("covered with probability
  ≥ α") and uses a *local* busy fraction per neighbourhood; it is built to size a fleet, and
  its answer is a yes/no per point, not the share the day will realize.
* Larson's hypercube with Jarvis' approximation models the dispatch preference order and the
  correlation between busy units (a busy neighbour makes the next one busier), which is
  more exact, but it needs each point's full ordered list of units and one service-rate
  class; our units differ by kind (walk, drive), serve different tiers, and foot units move
  along loops. At the busy fractions we see (well under 0.5) the correlation it corrects
  for is small, and the brute-force test (tests/deployment/test_expected.py) measures how
  far the independence assumption is off on a tiny city.
* MEXCLP's term is linear in the number of units per site (for one kind), so the same
  figure can later become the optimiser's objective without changing the meaning.

The deterministic coverage (every unit free at its post, ``coverage.tier_shares``) is kept
beside it: it says where the circles are; this says what a call will find.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pingan.deployment.coverage import EPS, Tier


@dataclass(frozen=True, slots=True)
class PostedUnit:
    """A posted unit: its kind, its busy fraction, and its travel times to every demand point
    from each place it may stand when a call comes ((P, D) seconds; one row at a fixed post,
    one per sampled position along a patrol loop)."""

    kind: str
    busy: float
    times: np.ndarray


def reach_probability(times: np.ndarray, budget_s: float) -> np.ndarray:
    """(D,) share of the unit's positions from which it reaches each point within budget."""
    if budget_s < 0:
        return np.zeros(times.shape[1])
    return np.mean(times <= budget_s + EPS, axis=0)


def expected_shares(
    weights: np.ndarray,
    units: Sequence[PostedUnit],
    tiers: Sequence[Tier],
    delay_s: float | Sequence[float],
) -> dict[str, float]:
    """Demand-weighted expected share covered per tier (see module doc); a sequence of
    delays (quantiles of the wait before a unit moves) is averaged over, each equally."""
    delays = [float(delay_s)] if isinstance(delay_s, int | float) else list(delay_s)
    total = float(weights.sum())
    out = {}
    for tier in tiers:
        share = 0.0
        for delay in delays:
            none_free = np.ones(weights.shape[0])
            budget = tier.radius_s - delay
            for u in units:
                if u.kind in tier.unit_types:
                    none_free *= 1.0 - (1.0 - u.busy) * reach_probability(u.times, budget)
            share += float(weights @ (1.0 - none_free)) / total if total > 0 else 0.0
        out[tier.code] = share / len(delays)
    return out


def loop_positions(coords: np.ndarray, duration_s: float, samples: int) -> np.ndarray:
    """``samples`` points along a walked loop, evenly spaced in time (constant pace, so in
    length): where a patrolling officer is at a random moment. Without a loop: the post."""
    pts = np.asarray(coords, dtype=float).reshape(-1, 2)
    if pts.shape[0] < 2 or duration_s <= 0 or samples <= 1:
        return pts[:1]
    seg = np.hypot(*(np.diff(pts, axis=0) * [np.cos(np.radians(pts[:, 1].mean())), 1.0]).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if cum[-1] <= 0:
        return pts[:1]
    at = np.linspace(0.0, cum[-1], samples, endpoint=False)
    return np.column_stack([np.interp(at, cum, pts[:, 0]), np.interp(at, cum, pts[:, 1])])
