"""Lag features (pure): what the counts before a day say about each hour of it.

Every feature at column t reads columns t − 24 h and earlier only, so a whole day ahead can be
forecast at once from observed counts and nothing of the day forecast leaks into its own
features. Arrays are series × hours; NaN is a missing hour and stays unknown (never 0).

Day types: a Monday is more like last Friday than like yesterday's Sunday, and a holiday Monday
more like a Sunday. `day_types` sorts days into working days, Saturdays off and other days off
(Sundays, holidays); `same_type_mean` averages the same hour over the last few days of the
forecast day's type — the typical day the trees then correct.
"""

from __future__ import annotations

import numpy as np

WORKDAY, SATURDAY_OFF, OTHER_OFF = 0, 1, 2


def shift(x: np.ndarray, lag: int) -> np.ndarray:
    """x[..., t − lag] at column t (NaN before the start)."""
    out = np.full(x.shape, np.nan)
    if lag < x.shape[-1]:
        out[..., lag:] = x[..., : x.shape[-1] - lag]
    return out


def nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the seen values along `axis`, NaN where none (without NumPy's warning)."""
    seen = ~np.isnan(x)
    count = seen.sum(axis=axis)
    total = np.where(seen, x, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """NaN-aware mean of x[:, t − window + 1 … t] for every t (NaN where nothing seen)."""
    seen = ~np.isnan(x)
    csum = np.cumsum(np.where(seen, x, 0.0), axis=1)
    ccount = np.cumsum(seen, axis=1)
    pad = np.zeros((x.shape[0], 1))
    csum = np.concatenate([pad, csum], axis=1)
    ccount = np.concatenate([pad, ccount], axis=1)
    lo = np.maximum(np.arange(1, x.shape[1] + 1) - window, 0)
    total = csum[:, 1:] - csum[:, lo]
    count = ccount[:, 1:] - ccount[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def day_types(workday: np.ndarray, day_of_week: np.ndarray) -> np.ndarray:
    """Per hour: WORKDAY, SATURDAY_OFF or OTHER_OFF (Sundays, holidays, other days off)."""
    workday = np.asarray(workday).astype(bool)
    saturday = np.asarray(day_of_week) == 5
    return np.where(workday, WORKDAY, np.where(saturday, SATURDAY_OFF, OTHER_OFF))


def same_type_mean(
    x: np.ndarray, types: np.ndarray, n_days: int = 5, max_days: int = 28
) -> tuple[np.ndarray, np.ndarray]:
    """Per column t: the mean and the latest of x at the same hour on the last `n_days` days
    (within `max_days` back, from 1 day back) whose type equals t's; NaN where none.

    The latest same-type value is the "last Friday" for a Monday; the mean smooths one odd day.
    """
    total = np.zeros(x.shape)
    count = np.zeros(x.shape)
    latest = np.full(x.shape, np.nan)
    for k in range(1, max_days + 1):
        lag = 24 * k
        if lag >= x.shape[1]:
            break
        back = shift(x, lag)
        match = (shift(types.astype(np.float64), lag) == types)[None, :]
        take = match & ~np.isnan(back) & (count < n_days)
        latest = np.where(take & np.isnan(latest), back, latest)
        total += np.where(take, back, 0.0)
        count += take
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan), latest
