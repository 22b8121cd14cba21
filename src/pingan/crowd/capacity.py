"""Area and capacity of a key area (pure): geodesic area and LB/T 034-2014 capacities.

Instantaneous capacity C = Σ Xᵢ / Yᵢ over the area's parts (Xᵢ usable area in m², Yᵢ m² per
visitor); daily capacity = C × turnover (how many times the area fills in a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pyproj import Geod

from pingan.i18n import msg

_GEOD = Geod(ellps="WGS84")


def geodesic_area_m2(polygon: Sequence[tuple[float, float]]) -> float:
    """Area of a (lon, lat) ring on the WGS-84 ellipsoid, whatever its winding."""
    if len(polygon) < 3:
        raise ValueError(msg("crowd.polygon_points"))
    lons, lats = zip(*polygon, strict=True)
    area, _ = _GEOD.polygon_area_perimeter(lons, lats)
    return abs(area)


def instant_capacity(parts: Iterable[tuple[float, float]]) -> int:
    """Σ usable_area / m2_per_visitor over the parts, rounded down."""
    total = 0.0
    for usable_m2, m2_per_visitor in parts:
        if usable_m2 < 0 or m2_per_visitor <= 0:
            raise ValueError(msg("crowd.bad_area"))
        total += usable_m2 / m2_per_visitor
    return int(total)


def daily_capacity(instant: int, turnover: float) -> int:
    if turnover <= 0:
        raise ValueError(msg("crowd.bad_turnover"))
    return int(instant * turnover)
