"""Which fixes to keep in the position history (pure).

Devices report at up to 5 Hz; replay and response-time audits need far fewer points. A fix
is kept when enough time has passed or the device moved far enough since the last kept fix,
so a parked car costs one row per interval and a moving one a row every ~min_move_m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_M_PER_DEG = math.pi / 180.0 * 6371008.8


@dataclass(frozen=True, slots=True)
class TrailRule:
    interval_s: float = 10.0
    min_move_m: float = 50.0


def approx_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: within 0.1 % of great-circle over a few kilometres."""
    x = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(x, lat2 - lat1) * _M_PER_DEG


def keep_fix(
    rule: TrailRule,
    last: tuple[float, float, float] | None,
    at: float,
    lon: float,
    lat: float,
) -> bool:
    """True if the fix (at, lon, lat) goes into history after the last kept `(at, lon, lat)`."""
    if last is None:
        return True
    last_at, last_lon, last_lat = last
    if at <= last_at:
        return False
    if at - last_at >= rule.interval_s:
        return True
    return (
        rule.min_move_m > 0 and approx_distance_m(last_lon, last_lat, lon, lat) >= rule.min_move_m
    )
