"""Expected coverage with busy units (MEXCLP) against a brute-force day on a tiny city."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from pingan.deployment import busy
from pingan.deployment.coverage import Tier
from pingan.deployment.expected import PostedUnit, expected_shares, loop_positions
from tests.deployment import busy_city

INF = np.inf
T0 = datetime(2026, 7, 1, tzinfo=UTC)
# Four demand points (weights = call rates); two cars at posts, one foot unit walking a loop
# between two places (half its time near point 0 only, half where it also reaches point 3).
WEIGHTS = np.array([4.0, 3.0, 2.0, 1.0])
CAR1 = np.array([[50.0, 80.0, INF, INF]])
CAR2 = np.array([[INF, 60.0, 90.0, 95.0]])
FOOT = np.array([[30.0, INF, INF, INF], [70.0, INF, INF, 40.0]])
TIER = Tier("tier", 100.0, 1.0, frozenset({"car", "foot"}))
# 3 points. Measured (seed 7, 1,500 days): realized 92.7 % / 83.4 % at loads 0.15 / 0.3,
# expected 94.3 % / 86.2 %. MEXCLP overestimates a little: units busy together are
# correlated (a busy car pushes its calls onto the neighbour) and q is averaged per kind.
TOLERANCE = 0.03


def _tiny_day(load: float, days: int = 1500):
    mean_service = 1800.0
    total_rate = load * 3 / mean_service  # offered load per unit = rate × service ÷ units
    units = [
        busy_city.TinyUnit("car", CAR1),
        busy_city.TinyUnit("car", CAR2),
        busy_city.TinyUnit("foot", FOOT, period_s=600.0),
    ]
    rates = WEIGHTS / WEIGHTS.sum() * total_rate
    return busy_city.run(units, rates, mean_service, TIER.radius_s, days * 86400.0, seed=7)


def _analytic(day, days: int = 1500) -> tuple[float, float]:
    spells = [busy.BusySpell(k, T0 + timedelta(seconds=a), T0 + timedelta(seconds=b))
              for k, a, b in day.spells]  # fmt: skip
    q = busy.busy_fractions(
        spells,
        {"car": 2, "foot": 1},
        T0,
        T0 + timedelta(days=days),
        UTC,
        fallback={},
        default=0.0,
        cap=0.95,
    )
    qk = busy.shift_mean(q, range(24))
    posted = [PostedUnit("car", qk["car"], CAR1), PostedUnit("car", qk["car"], CAR2),
              PostedUnit("foot", qk["foot"], FOOT)]  # fmt: skip
    expected = expected_shares(WEIGHTS, posted, [TIER], 0.0)["tier"]
    free = [PostedUnit(p.kind, 0.0, p.times) for p in posted]
    return expected, expected_shares(WEIGHTS, free, [TIER], 0.0)["tier"]


def test_expected_coverage_matches_a_brute_force_day_and_all_free_overestimates():
    for load in (0.15, 0.3):
        day = _tiny_day(load)
        realized = day.covered / day.calls
        expected, all_free = _analytic(day)
        assert day.calls > 5000
        assert abs(expected - realized) <= TOLERANCE, (load, expected, realized)
        assert all_free - realized > 2 * TOLERANCE, (load, all_free, realized)


def test_a_delay_shrinks_every_budget_and_a_loop_counts_its_share_of_positions():
    loop = [PostedUnit("foot", 0.0, FOOT)]
    # from the loop: point 0 always (30 s or 70 s), point 3 half the time
    share = expected_shares(WEIGHTS, loop, [TIER], 0.0)["tier"]
    assert share == (4.0 + 0.5 * 1.0) / 10.0
    # 50 s of handling leaves 50 s: point 0 only from the first position (30 s, not 70 s)
    late = expected_shares(WEIGHTS, loop, [TIER], 50.0)["tier"]
    assert late == (0.5 * 4.0 + 0.5 * 1.0) / 10.0
    gone = expected_shares(WEIGHTS, loop, [TIER], 100.0)["tier"]  # no time left to walk
    assert gone == 0.0
    # over a spread of waits the figure is their average, not the figure at the median wait
    assert expected_shares(WEIGHTS, loop, [TIER], [0.0, 100.0])["tier"] == share / 2


def test_loop_positions_are_even_along_the_walked_path():
    coords = np.array([[0.0, 0.0], [0.001, 0.0], [0.001, 0.001], [0.0, 0.0]])
    pts = loop_positions(coords, 600.0, 4)
    assert pts.shape == (4, 2)
    assert tuple(pts[0]) == (0.0, 0.0)
    assert loop_positions(coords[:1], 600.0, 8).shape == (1, 2)  # no loop: the post
