"""The patrol rota: every camera within its interval when capacity allows, high-risk areas and
peaks more often, deterministic, no camera starves when overloaded."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.video import rota
from pingan.video.rota import Peak, RotaCamera, RotaRules
from pingan.video.settings import rota_rules

# 2026-07-28 00:00 Asia/Shanghai
MIDNIGHT = datetime(2026, 7, 27, 16, 0, tzinfo=UTC)
EVENING = Peak(time(18, 0), time(22, 30), 2.0)


def test_coverage_of_the_shipped_rules_over_24_hours():
    rules = rota_rules()
    cams = [RotaCamera(f"c{i}", w) for i, w in enumerate([3, 2.5, 2, 1.5, 1, 1, 0.5] * 3)]
    peak_load = max(rota.load(cams, MIDNIGHT + timedelta(hours=h), rules) for h in range(24))
    assert peak_load <= rules.capacity_per_min
    visits = rota.plan(cams, MIDNIGHT, 24 * 60, rules)
    for c in rota.coverage(cams, visits, rules):
        assert c.late_visits == 0, c


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.sampled_from([0.5, 1, 1.5, 2, 3, 5]), min_size=1, max_size=30),
    base=st.integers(10, 60),
    evening=st.booleans(),
)
def test_every_camera_within_its_interval_when_the_load_fits(weights, base, evening):
    peaks = (EVENING,) if evening else ()
    cams = [RotaCamera(f"c{i:02d}", w) for i, w in enumerate(weights)]
    probe = RotaRules(base, 2, 1, peaks)
    need = max(rota.load(cams, MIDNIGHT + timedelta(minutes=m), probe) for m in range(0, 1440, 30))
    rules = RotaRules(base, 2, max(1, math.ceil(need)), peaks)
    visits = rota.plan(cams, MIDNIGHT, 24 * 60, rules)
    assert len(visits) == len({(v.at, v.camera_id) for v in visits})
    per_minute = Counter(v.at for v in visits)
    assert max(per_minute.values()) <= rules.capacity_per_min
    for c in rota.coverage(cams, visits, rules):
        assert c.late_visits == 0, c


def test_high_risk_cameras_and_the_evening_peak_are_checked_more_often():
    rules = RotaRules(30, 2, 10, (EVENING,))
    cams = [RotaCamera("bridge", 3.0), RotaCamera("museum", 1.0)]
    visits = rota.plan(cams, MIDNIGHT, 24 * 60, rules)
    n = Counter(v.camera_id for v in visits)
    assert n["bridge"] >= 2.5 * n["museum"]
    local = [(v.at + timedelta(hours=8)).time() for v in visits if v.camera_id == "museum"]
    midday = sum(1 for t in local if time(12) <= t < time(16, 30))
    peak = sum(1 for t in local if time(18) <= t < time(22, 30))
    assert peak >= 1.8 * midday  # same 4.5 hours, interval halved


def test_never_checked_first_by_weight_then_overdue_first_and_capacity_respected():
    rules = RotaRules(30, 2, 2)
    cams = [RotaCamera("low", 1), RotaCamera("high", 3), RotaCamera("mid", 2)]
    assert rota.due(cams, {}, MIDNIGHT, rules) == ["high", "mid"]
    last = {"low": MIDNIGHT - timedelta(minutes=40), "high": MIDNIGHT, "mid": MIDNIGHT}
    assert rota.due(cams, last, MIDNIGHT + timedelta(minutes=1), rules) == ["low"]


def test_overload_starves_no_camera_and_the_plan_is_deterministic():
    rules = RotaRules(5, 2, 1)
    cams = [RotaCamera(f"c{i}", 1 + i % 3) for i in range(20)]  # needs ~7 checks a minute
    first = rota.plan(cams, MIDNIGHT, 240, rules)
    assert first == rota.plan(cams, MIDNIGHT, 240, rules)
    cover = rota.coverage(cams, first, rules)
    assert all(c.visits >= 10 for c in cover)
    assert max(c.worst_gap_min or 0 for c in cover) <= 2 * len(cams)  # about round-robin at worst
