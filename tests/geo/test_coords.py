import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.geo.coords import (
    CoordinateError,
    Crs,
    gcj02_to_wgs84,
    haversine_m,
    to_wgs84,
    wgs84_to_gcj02,
)

KANGBASHI = (109.78, 39.61)


def test_gcj02_shift_in_kangbashi_is_hundreds_of_metres():
    g = wgs84_to_gcj02(*KANGBASHI)
    shift = haversine_m(KANGBASHI[0], KANGBASHI[1], g.lon, g.lat)
    assert 100 < shift < 800


@given(
    st.floats(min_value=73.0, max_value=135.0),
    st.floats(min_value=18.0, max_value=53.0),
)
def test_inverse_round_trips_within_a_centimetre(lon, lat):
    g = wgs84_to_gcj02(lon, lat)
    w = gcj02_to_wgs84(g.lon, g.lat)
    assert haversine_m(lon, lat, w.lon, w.lat) < 0.01


def test_outside_china_is_unchanged():
    assert wgs84_to_gcj02(7.42, 43.73).lon == 7.42
    assert to_wgs84(7.42, 43.73, Crs.GCJ02).lat == 43.73


@pytest.mark.parametrize(
    "lon,lat", [(math.nan, 39.0), (109.0, math.inf), (181.0, 39.0), (109.0, -91.0)]
)
def test_invalid_coordinates_are_refused(lon, lat):
    with pytest.raises(CoordinateError):
        to_wgs84(lon, lat)


def test_unknown_crs_is_refused():
    with pytest.raises(ValueError):
        to_wgs84(109.0, 39.0, "bd09")
