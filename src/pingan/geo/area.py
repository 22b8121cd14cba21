"""The service area (服务范围): where the configured city accepts places at all.

A point far outside the city (a phone's 0,0 before its first fix, a swapped lon/lat) is not
a place the bureau answers for: stored, it would stretch every map and every grid built over
the city's points. The area is the city's road-network bounds widened by a margin in
kilometres (PINGAN_SERVICE_AREA_MARGIN_KM), so a real city gets its area from its own OSM
extract and the sample from the synthetic Kangbashi. Pure: no store, no web.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pingan.geo.graph import EARTH_RADIUS_M

_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """A (west, south, east, north) box in WGS-84 degrees, margin already included."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def around(cls, bounds: tuple[float, float, float, float], margin_km: float) -> ServiceArea:
        """The box `bounds` widened by `margin_km` on every side (clamped to the globe)."""
        w, s, e, n = bounds
        dlat = margin_km * 1000.0 / _M_PER_DEG
        coslat = max(math.cos(math.radians(max(abs(s), abs(n)))), 1e-6)
        dlon = dlat / coslat
        return cls(
            west=max(-180.0, w - dlon),
            south=max(-90.0, s - dlat),
            east=min(180.0, e + dlon),
            north=min(90.0, n + dlat),
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    def contains(self, lon: float, lat: float) -> bool:
        """True when the point lies in the box (NaN never does)."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def inside(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Vectorised `contains`: a boolean mask."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        return (lon >= self.west) & (lon <= self.east) & (lat >= self.south) & (lat <= self.north)

    def describe(self) -> str:
        """The box in words for a refusal: 经度/纬度 ranges."""
        return (
            f"经度 lon {self.west:.4f}…{self.east:.4f}, 纬度 lat {self.south:.4f}…{self.north:.4f}"
        )
