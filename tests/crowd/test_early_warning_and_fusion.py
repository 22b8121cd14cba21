"""Early warning from the trend, source fusion and capacities (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pingan.crowd.capacity import daily_capacity, geodesic_area_m2, instant_capacity
from pingan.crowd.early_warning import level_limits, net_inflow_per_s, warn
from pingan.crowd.fusion import SourceReading, fuse
from pingan.crowd.levels import Level, Observation, TrackerState, step
from pingan.crowd.settings import source_sigma, thresholds_for

CFG = thresholds_for("lakeside")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def test_net_inflow_is_the_slope_of_recent_counts():
    assert net_inflow_per_s([0, 60, 120, 180], [100, 160, 220, 280]) == pytest.approx(1.0)
    assert net_inflow_per_s([0, 60], [1, 2]) is None


def test_a_simulated_build_up_warns_before_the_threshold():
    area = 2000.0  # m²; orange at 4 p/m² = 8,000 people
    inflow = 25.0  # people per second, net
    state, warned_at, crossed_at = TrackerState(), None, None
    history: list[tuple[float, float]] = []
    for t in range(0, 900, 10):
        count = 2000 + inflow * t
        history.append((t, count))
        recent = [(s, c) for s, c in history if s >= t - CFG.trend_window_s]
        slope = net_inflow_per_s([s for s, _ in recent], [c for _, c in recent])
        w = warn(count, state.level, slope, CFG, usable_area_m2=area, capacity=None)
        if w and w.level >= Level.ORANGE and warned_at is None:
            warned_at = t
            assert "橙色" in w.text_zh and "orange" in w.text_en
        state, change = step(
            state, Observation(NOW + timedelta(seconds=t), count, count / area, None), CFG
        )
        if change and change.after >= Level.ORANGE and crossed_at is None:
            crossed_at = t
    assert warned_at is not None and crossed_at is not None
    assert crossed_at - warned_at >= 120  # minutes of notice, not seconds


def test_no_warning_when_the_crowd_is_leaving_or_far_off():
    assert warn(100, Level.NORMAL, -2.0, CFG, usable_area_m2=1000, capacity=None) is None
    assert warn(100, Level.NORMAL, 0.01, CFG, usable_area_m2=1000, capacity=None) is None


def test_the_warning_names_every_level_within_the_horizon():
    w = warn(1000, Level.NORMAL, 4.0, CFG, usable_area_m2=1000, capacity=None)
    assert [lv for lv, _ in w.steps] == [Level.YELLOW, Level.ORANGE]  # red is > 15 min away
    assert w.level is Level.ORANGE and w.seconds == 750
    assert "黄色" in w.text_zh and "橙色" in w.text_zh


def test_level_limits_take_the_lower_scale():
    limits = level_limits(CFG, usable_area_m2=1000, capacity=1500)
    assert limits[Level.YELLOW] == min(0.8 * 1500, 2.0 * 1000)
    assert limits[Level.CRITICAL] == 6.5 * 1000


def test_fusion_weights_accurate_fresh_sources_and_names_silent_ones():
    sig = source_sigma()
    est = fuse(
        [
            SourceReading("gate1", "gate", 1000, NOW),
            SourceReading("wifi1", "wifi", 1500, NOW),
            SourceReading("cam1", "camera", 800, NOW - timedelta(minutes=30)),
        ],
        NOW,
        silent_after_s=300,
        sigma_by_kind=sig,
    )
    assert 1000 <= est.count < 1050 and est.silent == ("cam1",)
    assert est.sigma < 0.03 * 1000


def test_all_silent_is_no_data_not_empty():
    est = fuse(
        [SourceReading("g", "gate", 0, NOW - timedelta(hours=1))],
        NOW,
        silent_after_s=300,
        sigma_by_kind=source_sigma(),
    )
    assert est.count is None and est.silent == ("g",)


def test_capacity_by_lbt_034():
    square = [(109.78, 39.60), (109.781, 39.60), (109.781, 39.601), (109.78, 39.601)]
    assert geodesic_area_m2(square) == pytest.approx(9536, rel=0.01)
    assert instant_capacity([(3000, 1.5), (1000, 2.0)]) == 2500
    assert daily_capacity(2500, 3) == 7500
    with pytest.raises(ValueError):
        instant_capacity([(100, 0)])
    with pytest.raises(ValueError):
        geodesic_area_m2([(0, 0), (1, 1)])
