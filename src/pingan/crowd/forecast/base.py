"""The one interface every forecaster keeps, so backtests and the service treat them alike.

`fit` learns from a history; `predict` forecasts the `horizon` hours after the end of a
(possibly newer) history without refitting — fit nightly, forecast every hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from pingan.crowd.forecast.panel import HourlyPanel

HOURS_PER_WEEK = 168


class Forecaster(Protocol):
    """Forecasts visitors per series per hour; predictions are never negative."""

    name: str

    def fit(self, history: HourlyPanel) -> Forecaster:
        """Learn from `history` (series × hours); returns self."""
        ...

    def predict(
        self,
        history: HourlyPanel,
        horizon: int,
        future_weather: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """(n_series, horizon) forecasts for the hours from `history.end` on."""
        ...


def check_history(history: HourlyPanel, names: tuple[str, ...] | None, min_hours: int) -> None:
    """Refuse a history of other series, or too short for the model's lags."""
    if names is not None and history.names != names:
        raise ValueError("history holds other series than the model was fitted on")
    if history.n_hours < min_hours:
        raise ValueError(f"history too short: {history.n_hours} h < {min_hours} h")


def fill_from_past_weeks(values: np.ndarray, weeks: int = 4) -> np.ndarray:
    """NaN cells filled with the same hour 1, 2, … `weeks` weeks earlier or later, then 0.

    A sensor outage should not become a forecast of an empty square.
    """
    out = np.array(values, dtype=np.float64)
    for k in range(1, weeks + 1):
        shift = k * HOURS_PER_WEEK
        if shift >= out.shape[1]:
            break
        gap = np.isnan(out)
        out[:, shift:][gap[:, shift:]] = out[:, :-shift][gap[:, shift:]]
        gap = np.isnan(out)
        out[:, :-shift][gap[:, :-shift]] = out[:, shift:][gap[:, :-shift]]
    return np.nan_to_num(out, nan=0.0)
