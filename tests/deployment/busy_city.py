"""A brute-force day on a tiny city, independent of the planner's model code: Poisson calls
at a few demand points, exponential time on each call, the nearest free unit sent, a call
with every unit busy lost. It records, for each call, whether a free unit could reach it
within the radius at that moment, and each unit's busy spells (dispatch → release)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np


@dataclass
class TinyUnit:
    kind: str
    times: np.ndarray  # (positions, points) seconds; a loop cycles through its positions
    period_s: float = 0.0  # time to walk the loop once (0: stands at its post)

    def position(self, t: float) -> int:
        n = self.times.shape[0]
        if n == 1 or self.period_s <= 0:
            return 0
        return int((t % self.period_s) / self.period_s * n)


@dataclass
class TinyDay:
    covered: int = 0  # calls with a free unit within the radius when they came
    calls: int = 0
    lost: int = 0
    spells: list[tuple[str, float, float]] = field(default_factory=list)  # kind, start, end


def run(
    units: list[TinyUnit],
    rates_per_s: np.ndarray,
    mean_service_s: float,
    radius_s: float,
    horizon_s: float,
    seed: int,
) -> TinyDay:
    rng = np.random.default_rng(seed)
    total = float(rates_per_s.sum())
    share = rates_per_s / total
    free_at = [0.0] * len(units)  # when each unit is back from its call
    releases: list[tuple[float, int]] = []
    out = TinyDay()
    t = 0.0
    while True:
        t += rng.exponential(1.0 / total)
        if t >= horizon_s:
            break
        while releases and releases[0][0] <= t:
            heapq.heappop(releases)
        point = int(rng.choice(len(share), p=share))
        free = [u for u in range(len(units)) if free_at[u] <= t]
        eta = {u: units[u].times[units[u].position(t), point] for u in free}
        out.calls += 1
        if any(e <= radius_s for e in eta.values()):
            out.covered += 1
        if not free:
            out.lost += 1
            continue
        u = min(free, key=lambda k: eta[k])
        end = t + rng.exponential(mean_service_s)
        free_at[u] = end
        heapq.heappush(releases, (end, u))
        out.spells.append((units[u].kind, t, min(end, horizon_s)))
    return out
