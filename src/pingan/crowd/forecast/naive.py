"""Seasonal-naive forecaster: the same hour last week. The bar every model must clear."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pingan.crowd.forecast.base import HOURS_PER_WEEK, check_history, fill_from_past_weeks
from pingan.crowd.forecast.panel import HourlyPanel


class SeasonalNaive:
    """ŷ(t) = y(t − one week), the last week repeated over longer horizons."""

    name = "seasonal_naive"

    def __init__(self, season_hours: int = HOURS_PER_WEEK) -> None:
        self.season_hours = season_hours

    def fit(self, history: HourlyPanel) -> SeasonalNaive:
        """Nothing to learn."""
        check_history(history, None, self.season_hours)
        return self

    def predict(
        self,
        history: HourlyPanel,
        horizon: int,
        future_weather: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        check_history(history, None, self.season_hours)
        recent = history.values[:, -5 * self.season_hours :]
        last = fill_from_past_weeks(recent)[:, -self.season_hours :]
        reps = -(-horizon // self.season_hours)
        return np.clip(np.tile(last, reps)[:, :horizon], 0.0, None)
