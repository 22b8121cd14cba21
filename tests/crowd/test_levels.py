"""Levels, hysteresis, minimum duration and repeats (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from pingan.crowd.levels import Level, Observation, TrackerState, scale_level, step
from pingan.crowd.settings import measure_for, thresholds_for

CFG = thresholds_for("lakeside")
T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
DENSITY = CFG.density_ppm2


def obs(seconds: float, density: float, share: float | None = None) -> Observation:
    return Observation(T0 + timedelta(seconds=seconds), density * 1000, density, share)


def run(series):
    state, changes = TrackerState(), []
    for t, d in series:
        state, change = step(state, obs(t, d), CFG)
        if change:
            changes.append(change)
    return state, changes


def test_two_scales_the_higher_wins():
    o = Observation(T0, 900, density_ppm2=1.0, capacity_share=0.92)
    state, _ = step(TrackerState(), o, CFG)
    state, change = step(state, Observation(T0 + timedelta(seconds=61), 900, 1.0, 0.92), CFG)
    assert change.after is Level.ORANGE


def test_a_single_spike_is_not_announced():
    _, changes = run([(0, 1.0), (10, 4.5), (20, 1.0), (80, 1.0)])
    assert changes == []


def test_a_level_must_hold_for_the_minimum_duration():
    _, changes = run([(t, 4.2) for t in range(0, 120, 10)])
    assert [(c.before, c.after) for c in changes] == [(Level.NORMAL, Level.ORANGE)]
    assert changes[0].at == T0 + timedelta(seconds=60)


def test_hysteresis_stops_flapping_at_the_line():
    line = DENSITY["orange"]
    wobble = [(t, line * (1.02 if (t // 10) % 2 else 0.98)) for t in range(0, 600, 10)]
    state, changes = run(
        [(t, line * 1.1) for t in range(0, 70, 10)] + [(t + 70, d) for t, d in wobble]
    )
    assert [c.after for c in changes if not c.repeat] == [Level.ORANGE]
    assert state.level is Level.ORANGE


def test_leaving_a_level_needs_a_clear_drop_that_holds():
    line = DENSITY["orange"]
    series = [(t, line * 1.1) for t in range(0, 70, 10)]
    series += [(70 + t, line * 0.3) for t in range(0, 70, 10)]
    _, changes = run(series)
    assert [(c.before, c.after) for c in changes if not c.repeat] == [
        (Level.NORMAL, Level.ORANGE),
        (Level.ORANGE, Level.NORMAL),
    ]


def test_critical_is_raised_at_once():
    _, changes = run([(0, 1.0), (5, DENSITY["critical"] + 0.5)])
    assert (
        changes
        and changes[0].after is Level.CRITICAL
        and changes[0].at == T0 + timedelta(seconds=5)
    )


def test_repeats_are_spaced_by_the_repeat_interval():
    _, changes = run([(t, 4.5) for t in range(0, 1300, 10)])
    repeats = [c for c in changes if c.repeat]
    gaps = [(b.at - a.at).total_seconds() for a, b in pairwise(changes)]
    assert repeats and all(g >= CFG.repeat_s for g in gaps)


def test_area_overrides_apply():
    assert (
        thresholds_for("bridge_3").density_ppm2["orange"]
        < thresholds_for("lakeside").density_ppm2["orange"]
    )
    assert measure_for("orange")[0] and measure_for("normal") == ("", "")


@given(st.floats(0, 12), st.sampled_from(list(Level)))
def test_hysteresis_never_jumps_above_the_raw_level_or_below_it_when_rising(value, current):
    held = scale_level(value, DENSITY, current, CFG.hysteresis)
    raw = scale_level(value, DENSITY, Level.NORMAL, CFG.hysteresis)
    assert raw <= held <= max(raw, current)
