"""Points arriving from users and devices: any accepted CRS in, WGS-84 out, or a 422.

Every domain that takes a place goes through `validated_point`, so one rule decides what is
a place at all: a finite coordinate, in a known system, inside the city's service area.
"""

from __future__ import annotations

from pingan.errors import ValidationFailed
from pingan.geo.area import ServiceArea
from pingan.geo.coords import CoordinateError, Crs, to_wgs84
from pingan.i18n import msg


def service_area() -> ServiceArea:
    """This process's service area: the configured city's (one per process, see runtime)."""
    from pingan import runtime  # runtime imports dispatch, which imports this module

    return runtime.current().city.service_area()


def outside_service_area(area: ServiceArea) -> ValidationFailed:
    """The refusal every domain gives for a place the city does not serve."""
    return ValidationFailed(
        msg("geo.outside_service_area", area=area.describe()),
        code="outside_service_area",
    )


def in_service_area(lon: float, lat: float, area: ServiceArea | None = None) -> None:
    """Refuse a WGS-84 point outside `area` (default: this process's service area)."""
    area = area or service_area()
    if not area.contains(lon, lat):
        raise outside_service_area(area)


def validated_point(
    lon: float, lat: float, crs: Crs | str = Crs.WGS84, area: ServiceArea | None = None
) -> tuple[float, float]:
    """Convert to WGS-84 (lon, lat), refusing NaN, out-of-range values, unknown systems and
    places outside the service area (`area`, default: this process's)."""
    try:
        crs = Crs(crs)
    except ValueError as exc:
        raise ValidationFailed(msg("geo.bad_crs", crs=crs), code="bad_crs") from exc
    try:
        p = to_wgs84(lon, lat, crs)
    except CoordinateError as exc:
        raise ValidationFailed(str(exc), code="bad_coordinates") from exc
    in_service_area(p.lon, p.lat, area)
    return p.lon, p.lat
