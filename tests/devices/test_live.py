"""Live state without a store: newest fix wins, units follow their devices, batches drain."""

from __future__ import annotations

import time

from pingan.devices.counters import Counters
from pingan.devices.freshness import Freshness, FreshnessRules
from pingan.devices.live import DeviceInfo, LiveState
from pingan.devices.protocol import StatusReport, Telemetry
from pingan.devices.trail import TrailRule

CAR = DeviceInfo(1, "CAR-1", "smart_car", 10)
CAM = DeviceInfo(2, "BC-1", "body_camera", 10)


def live(**kw) -> LiveState:
    state = LiveState(FreshnessRules(60, 1800), TrailRule(10, 50), Counters(), **kw)
    state.sync([CAR, CAM], {})
    return state


def t(at: float, lon: float = 109.78, lat: float = 39.61, **kw) -> Telemetry:
    return Telemetry.model_validate({"ts": at, "lon": lon, "lat": lat, **kw})


def test_newest_fix_wins_and_late_fixes_are_ignored():
    s, now = live(), time.time()
    assert s.apply_fix(CAR, now, 109.78, 39.61, t(now, battery_pct=80))
    assert not s.apply_fix(CAR, now - 1, 109.70, 39.60, t(now - 1))
    d = s.get("CAR-1")
    assert (d.lon, d.lat, d.battery_pct) == (109.78, 39.61, 80)


def test_unit_position_is_its_newest_device_fix():
    s, now = live(), time.time()
    s.apply_fix(CAR, now - 5, 109.70, 39.60, t(now - 5))
    s.apply_fix(CAM, now - 1, 109.71, 39.61, t(now - 1))
    s.apply_fix(CAR, now - 3, 109.72, 39.62, t(now - 3))  # newer for the car, older for unit
    _, units = s.view(now)
    assert units[0]["unit_id"] == 10 and units[0]["serial"] == "BC-1"
    assert units[0]["lon"] == 109.71


def test_drain_collects_latest_rows_and_kept_fixes_once():
    s, now = live(), time.time()
    for k in range(5):  # 5 fixes 1 s and 8.6 m apart: only the first is kept
        s.apply_fix(CAR, now - 10 + k, 109.78 + k * 1e-4, 39.61, t(now - 10 + k))
    s.apply_status(CAM, now, StatusReport.model_validate({"ts": now, "state": "busy"}))
    batch = s.drain()
    assert {d[0] for d in batch.devices} == {"CAR-1", "BC-1"}
    assert len(batch.fixes) == 1 and batch.units == [(10, 109.78 + 4e-4, 39.61, now - 6)]
    assert not s.drain()


def test_a_failed_batch_is_restored_without_losing_newer_state():
    s, now = live(), time.time()
    s.apply_fix(CAR, now - 2, 109.78, 39.61, t(now - 2))
    batch = s.drain()
    s.apply_fix(CAR, now - 1, 109.79, 39.61, t(now - 1))
    s.restore(batch)
    again = s.drain()
    assert [d[2] for d in again.devices] == [109.79]  # the newest position
    assert len(again.fixes) == 2  # both kept fixes, oldest first
    assert again.fixes[0][3] == 109.78


def test_freshness_changes_are_reported_once_and_not_for_first_fixes():
    s, now = live(), time.time()
    s.apply_fix(CAR, now - 30, 109.78, 39.61, t(now - 30))
    assert s.freshness_changes(now) == []  # unknown → live: not announced
    changes = s.freshness_changes(now + 40)
    assert [(i.serial, a, b) for i, a, b in changes] == [("CAR-1", Freshness.LIVE, Freshness.STALE)]
    assert s.freshness_changes(now + 41) == []
    assert s.counts(now + 40)["stale"] == 1 and s.counts(now + 40)["unknown"] == 1


def test_flush_is_requested_when_enough_changes_wait():
    calls = []
    s, now = live(flush_at=3, on_full=lambda: calls.append(1)), time.time()
    for k in range(6):
        s.apply_fix(CAR, now - 10 + k, 109.78 + k * 1e-3, 39.61, t(now - 10 + k))
    assert calls == [1]  # asked once until the next drain
    s.drain()
    for k in range(3):
        s.apply_fix(CAR, now - 3 + k, 109.70 + k * 1e-3, 39.61, t(now - 3 + k))
    assert calls == [1, 1]


def test_sync_follows_new_bindings():
    s = live()
    s.sync([DeviceInfo(1, "CAR-1", "smart_car", None), CAM], {})
    assert s.get("CAR-1").info.unit_id is None
