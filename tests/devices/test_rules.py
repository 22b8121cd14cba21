"""Staleness and history-thinning rules (pure)."""

from __future__ import annotations

import pytest

from pingan.devices.freshness import Freshness, FreshnessRules, freshness
from pingan.devices.trail import TrailRule, approx_distance_m, keep_fix

RULES = FreshnessRules(stale_after_s=60, lost_after_s=1800)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, Freshness.LIVE),
        (60, Freshness.LIVE),
        (60.1, Freshness.STALE),
        (1800, Freshness.STALE),
        (1800.1, Freshness.LOST),
        (-5, Freshness.LIVE),  # device clock slightly ahead
    ],
)
def test_freshness_by_age(age, expected):
    assert freshness(1000.0 - age, 1000.0, RULES) is expected


def test_never_reported_is_unknown():
    assert freshness(None, 1000.0, RULES) is Freshness.UNKNOWN


def test_rules_must_be_ordered():
    with pytest.raises(ValueError):
        FreshnessRules(stale_after_s=100, lost_after_s=50)
    with pytest.raises(ValueError):
        FreshnessRules(stale_after_s=0, lost_after_s=50)


def test_distance_is_close_to_great_circle():
    # 0.001° of latitude ≈ 111.2 m; of longitude at 39.61° N ≈ 85.6 m
    assert approx_distance_m(109.78, 39.61, 109.78, 39.611) == pytest.approx(111.2, rel=1e-3)
    assert approx_distance_m(109.78, 39.61, 109.781, 39.61) == pytest.approx(85.7, rel=2e-3)


def test_trail_keeps_first_then_by_time_or_distance():
    rule = TrailRule(interval_s=10, min_move_m=50)
    assert keep_fix(rule, None, 0.0, 109.78, 39.61)
    last = (0.0, 109.78, 39.61)
    assert not keep_fix(rule, last, 5.0, 109.7801, 39.61)  # 8.6 m, 5 s
    assert keep_fix(rule, last, 10.0, 109.78, 39.61)  # interval reached while parked
    assert keep_fix(rule, last, 2.0, 109.781, 39.61)  # 86 m moved
    assert not keep_fix(rule, last, 0.0, 109.79, 39.61)  # not newer
    assert not keep_fix(TrailRule(10, 0), last, 2.0, 109.79, 39.61)  # distance rule off
