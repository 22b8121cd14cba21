"""Live state: the newest position, status and battery of every device and unit.

Updates land in memory in O(1) and are visible at once to readers in this process. With
PINGAN_REDIS_URL set, a mirror thread copies changed entries to Redis every few tens of
milliseconds in one pipelined HSET, so API processes without the gateway see them too.
Changes are also collected for the store (position history, last known positions), which
a separate loop writes in batches — never one transaction per message.
No store or HTTP imports here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pingan.devices.counters import Counters
from pingan.devices.freshness import Freshness, FreshnessRules, freshness
from pingan.devices.protocol import StatusReport, Telemetry
from pingan.devices.trail import TrailRule, keep_fix

MAX_HISTORY_BACKLOG = 500_000  # kept fixes waiting for the store before the oldest are dropped


@dataclass(slots=True)
class DeviceInfo:
    """What the gateway needs to know about a registered device (the registry cache)."""

    id: int
    serial: str
    kind: str
    unit_id: int | None


@dataclass(slots=True)
class DeviceLive:
    info: DeviceInfo
    lon: float | None = None
    lat: float | None = None
    fix_at: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    alt_m: float | None = None
    battery_pct: float | None = None
    state: str | None = None
    recording: bool | None = None
    status_at: float | None = None
    seen_at: float | None = None
    mark: Freshness = Freshness.UNKNOWN

    def view(self, now: float, rules: FreshnessRules) -> dict[str, Any]:
        return {
            "serial": self.info.serial,
            "device_id": self.info.id,
            "kind": self.info.kind,
            "unit_id": self.info.unit_id,
            "lon": self.lon,
            "lat": self.lat,
            "fix_at": _iso(self.fix_at),
            "age_s": _age(self.fix_at, now),
            "freshness": freshness(self.fix_at, now, rules).value,
            "speed_mps": self.speed_mps,
            "heading_deg": self.heading_deg,
            "alt_m": self.alt_m,
            "battery_pct": self.battery_pct,
            "state": self.state,
            "recording": self.recording,
            "seen_at": _iso(self.seen_at),
        }

    def raw(self) -> dict[str, Any]:
        """Compact form for Redis: Unix times; readers recompute age and freshness."""
        return {
            "serial": self.info.serial,
            "device_id": self.info.id,
            "kind": self.info.kind,
            "unit_id": self.info.unit_id,
            "lon": self.lon,
            "lat": self.lat,
            "fix_at": self.fix_at,
            "speed_mps": self.speed_mps,
            "heading_deg": self.heading_deg,
            "alt_m": self.alt_m,
            "battery_pct": self.battery_pct,
            "state": self.state,
            "recording": self.recording,
            "seen_at": self.seen_at,
        }


@dataclass(slots=True)
class UnitLive:
    """A unit's position is the newest fix of any device bound to it."""

    unit_id: int
    lon: float
    lat: float
    fix_at: float
    serial: str

    def raw(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "lon": self.lon,
            "lat": self.lat,
            "fix_at": self.fix_at,
            "serial": self.serial,
        }


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat()


def _age(t: float | None, now: float) -> float | None:
    return None if t is None else round(now - t, 1)


def view_from_raw(raw: dict[str, Any], now: float, rules: FreshnessRules) -> dict[str, Any]:
    """Turn a stored raw entry (memory or Redis) into the API view."""
    out = dict(raw)
    fix_at = raw.get("fix_at")
    out["fix_at"] = _iso(fix_at)
    out["age_s"] = _age(fix_at, now)
    out["freshness"] = freshness(fix_at, now, rules).value
    if "seen_at" in raw:
        out["seen_at"] = _iso(raw["seen_at"])
    return out


@dataclass(slots=True)
class Drained:
    """Changes since the last store write, as plain tuples:

    devices (serial, id, lon, lat, fix_at, battery_pct, state, seen_at); units (unit_id,
    lon, lat, fix_at); kept fixes (device_id, unit_id, at, lon, lat, speed_mps, battery_pct).
    """

    devices: list[tuple] = field(default_factory=list)
    units: list[tuple] = field(default_factory=list)
    fixes: list[tuple] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.devices or self.units or self.fixes)


class LiveState:
    """Newest state per device and unit, thread-safe; see the module docstring."""

    def __init__(
        self,
        rules: FreshnessRules,
        trail: TrailRule,
        counters: Counters,
        *,
        mirrored: bool = False,
        flush_at: int = 20_000,
        on_full: Callable[[], None] | None = None,
    ) -> None:
        self.rules = rules
        self.trail = trail
        self.counters = counters
        self.mirrored = mirrored
        self.flush_at = flush_at
        self.devices: dict[str, DeviceLive] = {}
        self.units: dict[int, UnitLive] = {}
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._dirty_units: set[int] = set()
        self._fixes: list[tuple] = []
        self._kept: dict[int, tuple[float, float, float]] = {}
        self._mirror: dict[str, float | None] = {}
        self._mirror_units: set[int] = set()
        self.on_full = on_full  # asks for an early store write when flush_at changes wait
        self._full_signalled = False

    # -- registry ------------------------------------------------------------------------
    def sync(self, infos: Iterable[DeviceInfo], seeds: dict[str, dict[str, Any]]) -> None:
        """Add newly registered devices (seeded with their stored state), follow bindings."""
        now = time.time()
        with self._lock:
            for info in infos:
                d = self.devices.get(info.serial)
                if d is None:
                    d = DeviceLive(info=info, **seeds.get(info.serial, {}))
                    d.mark = freshness(d.fix_at, now, self.rules)
                    self.devices[info.serial] = d
                    if d.fix_at is not None:
                        self._to_unit(d)
                        self._mirror[info.serial] = None
                elif d.info != info:
                    d.info = info
                    self._mirror[info.serial] = None

    # -- updates --------------------------------------------------------------------------
    def apply_fix(self, info: DeviceInfo, at: float, lon: float, lat: float, t: Telemetry) -> bool:
        """Take a fix; False if an equal or newer one is already known (out of order)."""
        with self._lock:
            d = self._device(info)
            d.seen_at = time.time()
            if d.fix_at is not None and at <= d.fix_at:
                return False
            d.lon, d.lat, d.fix_at = lon, lat, at
            d.speed_mps, d.heading_deg, d.alt_m = t.speed_mps, t.heading_deg, t.alt_m
            if t.battery_pct is not None:
                d.battery_pct = t.battery_pct
            self._dirty.add(info.serial)
            if keep_fix(self.trail, self._kept.get(info.id), at, lon, lat):
                self._kept[info.id] = (at, lon, lat)
                self._fixes.append(
                    (info.id, info.unit_id, at, lon, lat, t.speed_mps, d.battery_pct)
                )
            self._to_unit(d)
            if self.mirrored:
                self._mirror[info.serial] = at
            full = not self._full_signalled and len(self._dirty) + len(self._fixes) >= self.flush_at
            if full:
                self._full_signalled = True
        if not self.mirrored:
            self.counters.lags([time.time() - at])
        if full and self.on_full is not None:
            self.on_full()
        return True

    def apply_status(self, info: DeviceInfo, at: float, s: StatusReport) -> bool:
        with self._lock:
            d = self._device(info)
            d.seen_at = time.time()
            if d.status_at is not None and at <= d.status_at:
                return False
            d.state, d.status_at = s.state.value, at
            if s.battery_pct is not None:
                d.battery_pct = s.battery_pct
            if s.recording is not None:
                d.recording = s.recording
            self._dirty.add(info.serial)
            if self.mirrored:
                self._mirror.setdefault(info.serial, None)
        return True

    def _device(self, info: DeviceInfo) -> DeviceLive:
        d = self.devices.get(info.serial)
        if d is None:
            d = self.devices[info.serial] = DeviceLive(info=info)
        return d

    def _to_unit(self, d: DeviceLive) -> None:
        unit_id = d.info.unit_id
        if unit_id is None or d.fix_at is None or d.lon is None or d.lat is None:
            return
        u = self.units.get(unit_id)
        if u is None:
            self.units[unit_id] = UnitLive(unit_id, d.lon, d.lat, d.fix_at, d.info.serial)
        elif d.fix_at > u.fix_at:
            u.lon, u.lat, u.fix_at, u.serial = d.lon, d.lat, d.fix_at, d.info.serial
        else:
            return
        self._dirty_units.add(unit_id)
        if self.mirrored:
            self._mirror_units.add(unit_id)

    # -- readers ----------------------------------------------------------------------------
    def view(self, now: float | None = None) -> tuple[list[dict], list[dict]]:
        """(devices, units) as the API shows them, with age and freshness."""
        now = time.time() if now is None else now
        with self._lock:
            devices = [d.view(now, self.rules) for d in self.devices.values()]
            units = [view_from_raw(u.raw(), now, self.rules) for u in self.units.values()]
        return devices, units

    def get(self, serial: str) -> DeviceLive | None:
        return self.devices.get(serial)

    # -- store and mirror ----------------------------------------------------------------------
    def drain(self, *, devices: bool = True) -> Drained:
        """Take the changes for one store batch (copies, so later updates do not race).

        With devices=False the devices' own rows stay pending for a later batch: units and
        history are written every batch, the per-device rows (2,000 at 5 Hz) less often.
        """
        with self._lock:
            rows = [self.devices[s] for s in self._dirty] if devices else []
            units = [self.units[u] for u in self._dirty_units]
            out = Drained(
                devices=[
                    (
                        d.info.serial,
                        d.info.id,
                        d.lon,
                        d.lat,
                        d.fix_at,
                        d.battery_pct,
                        d.state,
                        d.seen_at,
                    )
                    for d in rows
                ],
                units=[(u.unit_id, u.lon, u.lat, u.fix_at) for u in units],
                fixes=self._fixes,
            )
            if devices:
                self._dirty = set()
            self._dirty_units, self._fixes = set(), []
            self._full_signalled = False
        return out

    def restore(self, drained: Drained) -> None:
        """Put a batch back after a failed store write; the newest state still wins."""
        with self._lock:
            self._dirty.update(d[0] for d in drained.devices)
            self._dirty_units.update(u[0] for u in drained.units)
            fixes = drained.fixes + self._fixes
            dropped = max(0, len(fixes) - MAX_HISTORY_BACKLOG)
            self._fixes = fixes[dropped:]
        if dropped:
            self.counters.note("history_dropped", dropped)

    def drain_mirror(self) -> tuple[dict[str, str], dict[str, str], list[float]]:
        """Changed entries as JSON for Redis, and the fix times that become visible."""
        with self._lock:
            devices = {s: json.dumps(self.devices[s].raw()) for s in self._mirror}
            units = {str(u): json.dumps(self.units[u].raw()) for u in self._mirror_units}
            fix_times = [t for t in self._mirror.values() if t is not None]
            self._mirror, self._mirror_units = {}, set()
        return devices, units, fix_times

    def freshness_changes(self, now: float) -> list[tuple[DeviceInfo, Freshness, Freshness]]:
        """Devices that went stale or lost, or came back, since the last call (for events).

        A first fix (unknown → live) is not announced: at start-up that would be every device.
        """
        changes = []
        with self._lock:
            for d in self.devices.values():
                f = freshness(d.fix_at, now, self.rules)
                if f is not d.mark:
                    if d.mark is not Freshness.UNKNOWN:
                        changes.append((d.info, d.mark, f))
                    d.mark = f
        return changes

    def counts(self, now: float | None = None) -> dict[str, int]:
        now = time.time() if now is None else now
        out = {f.value: 0 for f in Freshness}
        with self._lock:
            for d in self.devices.values():
                out[freshness(d.fix_at, now, self.rules).value] += 1
        return out
