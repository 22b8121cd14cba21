"""The 24-hour patrol rota (pure): which cameras to check now, earliest deadline first.

Every camera has a maximum interval between checks: the base interval divided by its risk
weight and by the peak factor in force (evening peaks, high-risk areas: more often), never
below the minimum. Time is cut, per camera, into windows of q = ⌊(⌊interval⌋ + 1) / 2⌋
minutes counted from a fixed epoch; the camera is checked once in every window, so two
checks are never more than 2q − 1 ≤ interval minutes apart. Each minute the cameras not yet
checked in their current window are taken earliest window end first, up to the capacity
(checks per minute an operator or GPU can take). For unit-length checks with integer
windows this earliest-deadline-first order is optimal, and the windows are all met whenever
the load Σ 1/q ≤ capacity (`load`); above it the most urgent still go first and no camera
starves. Halving the window is the price of a guarantee that holds from any starting state;
pinwheel scheduling shows none is possible near full load with the intervals themselves.
No clock and no store: times come in as arguments; the same inputs give the same rota.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=1)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Peak:
    start: time
    end: time  # exclusive; end < start means the window crosses midnight
    factor: float
    name: str = ""

    def covers(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True, slots=True)
class RotaRules:
    base_interval_min: float
    min_interval_min: float
    capacity_per_min: int
    peaks: tuple[Peak, ...] = ()
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class RotaCamera:
    id: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Visit:
    at: datetime
    camera_id: str


@dataclass(frozen=True, slots=True)
class CameraCoverage:
    camera_id: str
    visits: int
    worst_gap_min: float | None  # longest time between two checks (None: fewer than two)
    late_visits: int  # gaps longer than the interval in force at both ends, once settled


def peak_factor(at: datetime, rules: RotaRules) -> float:
    """The largest factor of the peaks covering `at` (local time), 1 outside them."""
    local = at.astimezone(ZoneInfo(rules.timezone)).time()
    return max((p.factor for p in rules.peaks if p.covers(local)), default=1.0)


def interval_min(camera: RotaCamera, at: datetime, rules: RotaRules) -> float:
    """The longest a camera may go unchecked at `at`, in minutes."""
    weight = max(camera.weight, 1e-6) * peak_factor(at, rules)
    return max(rules.min_interval_min, rules.base_interval_min / weight)


def window_min(camera: RotaCamera, at: datetime, rules: RotaRules) -> int:
    """The camera's window length q at `at`: one check per window keeps every gap ≤ interval."""
    return max(1, (math.floor(interval_min(camera, at, rules)) + 1) // 2)


def window(camera: RotaCamera, at: datetime, rules: RotaRules) -> tuple[datetime, datetime]:
    """The window containing `at` (whole minutes from the epoch): [start, end)."""
    q = window_min(camera, at, rules)
    minute = math.floor((at - EPOCH).total_seconds() / 60)
    start = EPOCH + timedelta(minutes=minute - minute % q)
    return start, start + timedelta(minutes=q)


def load(cameras: Sequence[RotaCamera], at: datetime, rules: RotaRules) -> float:
    """Checks per minute the rota does at `at`; ≤ capacity means every window is met."""
    return sum(1.0 / window_min(c, at, rules) for c in cameras)


def due(
    cameras: Sequence[RotaCamera],
    last_visit: Mapping[str, datetime | None],
    now: datetime,
    rules: RotaRules,
    *,
    slots: int | None = None,
) -> list[str]:
    """The cameras to check at `now`, most urgent first, at most `slots` (default capacity).

    Due: not checked since its current window began. Order: window end (for a camera that
    missed a window under overload, its overdue deadline, so it goes first), then higher
    weight (never-checked cameras first, by weight), then id. O(n log n).
    """
    slots = rules.capacity_per_min if slots is None else slots
    queue: list[tuple[datetime, float, str]] = []
    for cam in cameras:
        last = last_visit.get(cam.id)
        start, end = window(cam, now, rules)
        if last is None:
            queue.append((EPOCH, -cam.weight, cam.id))
        elif last < start:
            missed = last < start - (end - start)  # skipped a whole window: overload
            key = last + timedelta(minutes=interval_min(cam, now, rules)) if missed else end
            queue.append((key, -cam.weight, cam.id))
    queue.sort()
    return [cid for _, _, cid in queue[: max(0, slots)]]


def plan(
    cameras: Sequence[RotaCamera],
    start: datetime,
    minutes: int,
    rules: RotaRules,
    last_visit: Mapping[str, datetime | None] | None = None,
) -> list[Visit]:
    """The rota for `minutes` from `start`: `due` applied once a minute. O(minutes · n log n)."""
    last: dict[str, datetime | None] = {c.id: None for c in cameras}
    last.update(last_visit or {})
    visits: list[Visit] = []
    for k in range(minutes):
        now = start + k * STEP
        for cid in due(cameras, last, now, rules):
            visits.append(Visit(now, cid))
            last[cid] = now
    return visits


def coverage(
    cameras: Sequence[RotaCamera], visits: Sequence[Visit], rules: RotaRules
) -> list[CameraCoverage]:
    """Per camera: checks, the worst gap, and gaps longer than the interval in force at both
    of their ends — counted once every camera has had its first check (before that the rota
    is catching up with cameras never checked)."""
    by_cam: dict[str, list[datetime]] = {c.id: [] for c in cameras}
    for v in visits:
        by_cam.setdefault(v.camera_id, []).append(v.at)
    firsts = [min(t) for t in by_cam.values() if t]
    settled = max(firsts) if len(firsts) == len(by_cam) and firsts else None
    out = []
    for cam in cameras:
        times = sorted(by_cam[cam.id])
        gaps = [(b - a).total_seconds() / 60 for a, b in itertools.pairwise(times)]
        late = sum(
            1
            for a, b in itertools.pairwise(times)
            if settled is not None
            and a >= settled
            and (b - a).total_seconds() / 60
            > max(interval_min(cam, a, rules), interval_min(cam, b, rules)) + 1e-9
        )
        out.append(CameraCoverage(cam.id, len(times), max(gaps) if gaps else None, late))
    return out
