"""WAPE and daily totals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pingan.crowd.forecast.metrics import daily_totals, wape


def test_wape_is_absolute_error_over_actual_total() -> None:
    y = np.array([[10.0, 0.0, 30.0], [20.0, 40.0, np.nan]])
    f = np.array([[12.0, 5.0, 27.0], [20.0, 30.0, 999.0]])
    assert wape(y, f) == pytest.approx((2 + 5 + 3 + 0 + 10) / 100)  # the NaN cell is skipped


def test_wape_perfect_and_undefined() -> None:
    y = np.arange(5.0)
    assert wape(y, y) == 0.0
    assert math.isnan(wape(np.zeros(3), np.ones(3)))
    with pytest.raises(ValueError):
        wape(np.zeros(3), np.zeros(4))


def test_daily_totals_blocks_of_24_and_missing_hour() -> None:
    x = np.ones((2, 50))
    x[1, 30] = np.nan
    d = daily_totals(x)
    assert d.shape == (2, 2)
    assert d[0].tolist() == [24, 24] and d[1, 0] == 24 and math.isnan(d[1, 1])
