"""Forecast error (pure): WAPE, per horizon band and on daily totals.

WAPE = Σ|y − ŷ| / Σy over the cells that were observed. Unlike MAPE it does not blow up on
the quiet night hours, and it reads as "people mis-forecast per 100 who came": a WAPE of
10 % over a day means 10 visitors wrong for every 100 that came, summed over the hours.
"""

from __future__ import annotations

import numpy as np


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ|y − ŷ| / Σy over cells where y is known; NaN when nothing was observed or Σy = 0."""
    y = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if y.shape != f.shape:
        raise ValueError("actual and forecast must have the same shape")
    seen = ~np.isnan(y)
    total = y[seen].sum()
    if not seen.any() or total <= 0:
        return float("nan")
    return float(np.abs(y[seen] - f[seen]).sum() / total)


def daily_totals(hourly: np.ndarray) -> np.ndarray:
    """Sum the last axis in blocks of 24 hours; a day with a missing hour is NaN."""
    x = np.asarray(hourly, dtype=np.float64)
    days = x.shape[-1] // 24
    return x[..., : days * 24].reshape(*x.shape[:-1], days, 24).sum(axis=-1)
