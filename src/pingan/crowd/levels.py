"""Crowd levels (pure): two scales, hysteresis, a minimum duration and a repeat interval.

The area's level is the higher of its capacity-share level and its density level. A level is
*entered* when the value reaches its threshold and *left* only when it falls `hysteresis`
below it, so a crowd hovering at the line does not flap. A change must hold for
`min_duration_s` before it is announced (one miscount is not a crowd) — except escalation to
critical, announced at once because lives are at stake. While a level holds, its alert is
repeated at most every `repeat_s`, so the command room is reminded but not flooded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum

from pingan.crowd.settings import AreaThresholds


class Level(IntEnum):
    NORMAL = 0
    YELLOW = 1
    ORANGE = 2
    RED = 3
    CRITICAL = 4

    @property
    def code(self) -> str:
        return self.name.lower()


LEVEL_ZH = {
    Level.NORMAL: "正常",
    Level.YELLOW: "黄色",
    Level.ORANGE: "橙色",
    Level.RED: "红色",
    Level.CRITICAL: "危急",
}


def scale_level(value: float, scale: dict[str, float], current: Level, margin: float) -> Level:
    """Level on one scale, holding `current` until the value falls `margin` below its line."""
    ladder = [(Level[name.upper()], thr) for name, thr in scale.items()]
    ladder.sort()
    raw = Level.NORMAL
    for level, thr in ladder:
        if value >= thr:
            raw = level
    if raw >= current:
        return raw
    held = raw
    for level, thr in ladder:
        if raw < level <= current and value >= thr * (1.0 - margin):
            held = level
    return held


@dataclass(frozen=True, slots=True)
class Observation:
    """One fused estimate for an area at a moment."""

    at: datetime
    count: float
    density_ppm2: float | None  # None when the usable area is unknown
    capacity_share: float | None  # None when the capacity is unknown


def observed_level(obs: Observation, cfg: AreaThresholds, current: Level) -> Level:
    levels = [Level.NORMAL]
    if obs.capacity_share is not None:
        levels.append(scale_level(obs.capacity_share, cfg.capacity_share, current, cfg.hysteresis))
    if obs.density_ppm2 is not None:
        levels.append(scale_level(obs.density_ppm2, cfg.density_ppm2, current, cfg.hysteresis))
    return max(levels)


@dataclass(frozen=True, slots=True)
class TrackerState:
    level: Level = Level.NORMAL
    since: datetime | None = None
    pending: Level | None = None
    pending_since: datetime | None = None
    last_alert_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """What the command room hears: a new level, or a reminder that a level holds."""

    at: datetime
    before: Level
    after: Level
    repeat: bool = False


def step(
    state: TrackerState, obs: Observation, cfg: AreaThresholds
) -> tuple[TrackerState, Change | None]:
    """Advance one area's tracker by one observation (observations in time order)."""
    seen = observed_level(obs, cfg, state.level)
    if seen == state.level:
        state = replace(state, pending=None, pending_since=None)
        due = state.last_alert_at is None or (
            (obs.at - state.last_alert_at).total_seconds() >= cfg.repeat_s
        )
        if state.level > Level.NORMAL and due:
            return replace(state, last_alert_at=obs.at), Change(obs.at, seen, seen, repeat=True)
        return state, None
    same_side = state.pending is not None and (state.pending > state.level) == (seen > state.level)
    if not same_side:
        state = replace(state, pending=seen, pending_since=obs.at)
    elif state.pending != seen:
        state = replace(state, pending=seen)  # still away from the level: keep the clock
    held = (obs.at - state.pending_since).total_seconds()  # type: ignore[operator]
    if seen is Level.CRITICAL or held >= cfg.min_duration_s:
        change = Change(obs.at, state.level, seen)
        return TrackerState(level=seen, since=obs.at, last_alert_at=obs.at), change
    return state, None
