"""WGS-84 coordinates and the GCJ-02 offset used by consumer map apps in China.

Pingan stores WGS-84 (lon, lat). Phones and consumer apps (AMap, Tencent) report GCJ-02,
a published obfuscation of WGS-84 that shifts points by up to ~700 m. No maintained PyPI
library implements it (pyproj has no GCJ-02 CRS), so the well-known forward formula is
written here and inverted by fixed-point iteration, which converges to < 1e-7 degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from pingan.i18n import msg

EARTH_RADIUS_M = 6371008.8  # mean Earth radius (IUGG), as pingan.geo.graph uses
_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323  # its first eccentricity squared


class Crs(StrEnum):
    """Coordinate reference systems accepted at the edge."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


class CoordinateError(ValueError):
    """A coordinate is not a finite WGS-84 longitude/latitude."""


@dataclass(frozen=True, slots=True)
class LonLat:
    lon: float
    lat: float


def validate_lonlat(lon: float, lat: float) -> LonLat:
    """Reject NaN, infinities and out-of-range values with a reason a person can act on."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CoordinateError(msg("geo.coordinates_not_finite"))
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError(msg("geo.lon_out_of_range", lon=lon))
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(msg("geo.lat_out_of_range", lat=lat))
    return LonLat(lon, lat)


def outside_china(lon: float, lat: float) -> bool:
    """GCJ-02 applies only inside China's rough bounding box; outside it equals WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lon: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """Forward transform (what a Chinese consumer app would display for a GPS fix)."""
    validate_lonlat(lon, lat)
    if outside_china(lon, lat):
        return LonLat(lon, lat)
    dlon, dlat = _offset(lon, lat)
    return LonLat(lon + dlon, lat + dlat)


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance: float = 1e-9) -> LonLat:
    """Inverse transform by fixed-point iteration (exact to ~1 cm after a few steps)."""
    validate_lonlat(lon, lat)
    if outside_china(lon, lat):
        return LonLat(lon, lat)
    wlon, wlat = lon, lat
    for _ in range(30):
        g = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = g.lon - lon, g.lat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < tolerance and abs(dlat) < tolerance:
            break
    return LonLat(wlon, wlat)


def to_wgs84(lon: float, lat: float, crs: Crs | str = Crs.WGS84) -> LonLat:
    """Normalise an input point to WGS-84, whatever system the caller used."""
    crs = Crs(crs)
    if crs is Crs.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return validate_lonlat(lon, lat)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on the mean Earth sphere (R = 6,371,008.8 m)."""
    r = EARTH_RADIUS_M
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))
