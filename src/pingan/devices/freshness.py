"""Staleness rules for positions: live, stale or lost by the age of the newest fix (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Freshness(StrEnum):
    LIVE = "live"  # 实时
    STALE = "stale"  # 位置过时
    LOST = "lost"  # 失联
    UNKNOWN = "unknown"  # 从未上报 (never reported)


FRESHNESS_NAMES_ZH = {
    Freshness.LIVE: "实时",
    Freshness.STALE: "位置过时",
    Freshness.LOST: "失联",
    Freshness.UNKNOWN: "未上报",
}


@dataclass(frozen=True, slots=True)
class FreshnessRules:
    """A fix older than `stale_after_s` is stale, older than `lost_after_s` lost.

    Dispatch must not treat a stale position as where the unit is; a lost device is
    reported to the duty commander.
    """

    stale_after_s: float = 60.0
    lost_after_s: float = 1800.0

    def __post_init__(self) -> None:
        if not 0 < self.stale_after_s <= self.lost_after_s:
            raise ValueError("need 0 < stale_after_s <= lost_after_s")


def freshness(fix_at: float | None, now: float, rules: FreshnessRules) -> Freshness:
    """Classify a fix taken at `fix_at` (Unix seconds) as seen at `now`."""
    if fix_at is None:
        return Freshness.UNKNOWN
    age = now - fix_at
    if age > rules.lost_after_s:
        return Freshness.LOST
    if age > rules.stale_after_s:
        return Freshness.STALE
    return Freshness.LIVE
