"""Points arriving from users and devices: any accepted CRS in, WGS-84 out, or a 422."""

from __future__ import annotations

from pingan.errors import ValidationFailed
from pingan.geo.coords import CoordinateError, Crs, to_wgs84


def validated_point(lon: float, lat: float, crs: Crs | str = Crs.WGS84) -> tuple[float, float]:
    """Convert to WGS-84 (lon, lat), refusing NaN, out-of-range values and unknown systems."""
    try:
        crs = Crs(crs)
    except ValueError as exc:
        raise ValidationFailed(
            f"未知坐标系 {crs}；可选 wgs84, gcj02 / unknown coordinate system", code="bad_crs"
        ) from exc
    try:
        p = to_wgs84(lon, lat, crs)
    except CoordinateError as exc:
        raise ValidationFailed(str(exc), code="bad_coordinates") from exc
    return p.lon, p.lat
