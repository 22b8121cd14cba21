"""LightGBM global model: one model for all series, calendar features and lags ≥ 24 h.

Choice — direct within a day, recursive across days: every lag is at least 24 h back, so a
whole day ahead is forecast at once from observed values; the next day then reads the first
day's forecast as its "yesterday". Seven steps cover a week (a recursion per hour would be
168 steps, each compounding its error; one model per horizon would be 168 models).
The price: the next hour is forecast as well as the whole next day, no better — minutes-ahead
trends are the early-warning engine's job (`pingan.crowd.early_warning`).

Series of very different sizes share the model by scaling: targets and lags are divided by
the series' mean over the last `scale_days` days, and the forecast multiplied back. The loss
is L1 on the scaled target, the closest LightGBM offers to WAPE.

The trees correct a typical day rather than build each hour from nothing (`residual`): the
target is the scaled count less the same hour's mean over the last five days of the same type
(working day, Saturday off, Sunday or holiday — `lag_features`), and the features say how far
recent days ran from their own typical day. On Auckland's counts this took next-day WAPE
from 0.75 to about 0.70 of seasonal-naive's on 2023 (validation), but only from 0.78 to 0.77
on 2024 (test); the simulated city gained more (docs/forecasting.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pingan.crowd.forecast.base import HOURS_PER_WEEK, check_history
from pingan.crowd.forecast.calendar_features import DayCalendar, calendar_features
from pingan.crowd.forecast.lag_features import (
    day_types,
    nanmean,
    rolling_mean,
    same_type_mean,
    shift,
)
from pingan.crowd.forecast.panel import HourlyPanel

LAGS = (24, 48, 72, 96, 120, 144, 168, 336, 504)  # hours back; all ≥ one day
MAX_LAG = 4 * HOURS_PER_WEEK  # the four-week same-hour mean reaches this far
STEP = 24  # hours forecast per recursion step


@dataclass(frozen=True)
class GBMParams:
    """LightGBM settings; the defaults were checked on Auckland and the simulated city."""

    n_estimators: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 40
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    objective: str = "l1"
    n_jobs: int = 1  # threads; more help on a dedicated server, hurt on a busy one
    seed: int = 7
    extra: dict[str, Any] = field(default_factory=dict)


class LightGBMForecaster:
    """Global gradient-boosted trees over series × hours (see module notes)."""

    name = "lightgbm"

    def __init__(
        self,
        calendar: DayCalendar | None = None,
        params: GBMParams | None = None,
        scale_days: int = 56,
        residual: bool = True,
    ) -> None:
        self.calendar = calendar
        self.params = params or GBMParams()
        self.scale_days = scale_days
        self.residual = residual
        self.names: tuple[str, ...] | None = None
        self.weather_columns: tuple[str, ...] = ()
        self.feature_names: tuple[str, ...] = ()
        self._booster: Any = None

    # --- features -------------------------------------------------------------------
    def _scale(self, values: np.ndarray) -> np.ndarray:
        """Each series' mean over the last `scale_days` days (1 where nothing was seen)."""
        scale = nanmean(values[:, -self.scale_days * 24 :], axis=1)
        return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)

    def _features(
        self, scaled: np.ndarray, hours: np.ndarray, weather: Mapping[str, np.ndarray], cols: slice
    ) -> np.ndarray:
        """Feature rows (series-major) for the columns `cols` of `scaled` (series × hours)."""
        n_series = scaled.shape[0]
        cal, cal_names = calendar_features(hours, self.calendar, weather)
        workday = cal[:, cal_names.index("workday")]
        holiday = cal[:, cal_names.index("holiday")]
        lagged = [shift(scaled, lag)[:, cols] for lag in LAGS]
        same_hour = nanmean(
            np.stack([shift(scaled, k * HOURS_PER_WEEK)[:, cols] for k in (1, 2, 3, 4)]),
            axis=0,
        )
        types = day_types(workday, cal[:, cal_names.index("day_of_week")])
        type_mean, type_latest = same_type_mean(scaled[:, : cols.stop], types[: cols.stop])
        # how far recent days ran from their own typical day: a level shift (school
        # holidays, a closed street) shows here before the 4-week means catch up
        surprise = scaled[:, : cols.stop] - type_mean
        surprise_hour = shift(surprise, 24)[:, cols]
        surprise_day = shift(rolling_mean(surprise, 24), 24)[:, cols]
        surprise_week = shift(rolling_mean(surprise, HOURS_PER_WEEK), 24)[:, cols]
        day_mean = shift(rolling_mean(scaled, 24), 24)[:, cols]
        week_mean = shift(rolling_mean(scaled, HOURS_PER_WEEK), 24)[:, cols]
        n_cols = lagged[0].shape[1]
        per_hour = np.column_stack(
            [
                cal[cols],
                np.r_[np.full(24, np.nan), workday[:-24]][cols],
                np.r_[np.full(HOURS_PER_WEEK, np.nan), workday[:-HOURS_PER_WEEK]][cols],
                np.r_[np.full(HOURS_PER_WEEK, np.nan), holiday[:-HOURS_PER_WEEK]][cols],
            ]
        )
        series = np.repeat(np.arange(n_series, dtype=np.float64), n_cols)[:, None]
        per_series = np.column_stack(
            [
                m.reshape(-1)
                for m in (
                    *lagged,
                    same_hour,
                    day_mean,
                    week_mean,
                    type_mean[:, cols],
                    type_latest[:, cols],
                    surprise_hour,
                    surprise_day,
                    surprise_week,
                )
            ]
        )
        self.feature_names = (
            "series",
            *cal_names,
            "workday_lag24",
            "workday_lag168",
            "holiday_lag168",
            *(f"lag{lag}" for lag in LAGS),
            "same_hour_mean_4w",
            "day_mean_lag24",
            "week_mean_lag24",
            "same_type_mean_5d",
            "same_type_latest",
            "surprise_lag24",
            "surprise_day_lag24",
            "surprise_week_lag24",
        )
        return np.hstack([series, np.tile(per_hour, (n_series, 1)), per_series])

    def _base(self, x: np.ndarray) -> np.ndarray:
        """The typical hour the trees correct: the same hour on recent days of the same type,
        else over the last four weeks, else 0 (all scaled); 0 when not `residual`."""
        if not self.residual:
            return np.zeros(len(x))
        base = x[:, self.feature_names.index("same_type_mean_5d")]
        fallback = x[:, self.feature_names.index("same_hour_mean_4w")]
        return np.nan_to_num(np.where(np.isnan(base), fallback, base))

    # --- the interface --------------------------------------------------------------
    def fit(self, history: HourlyPanel) -> LightGBMForecaster:
        """Train on every observed hour that has four weeks of history before it."""
        import lightgbm

        check_history(history, None, MAX_LAG + 24)
        with np.errstate(all="ignore"):
            scale = self._scale(history.values)
            scaled = history.values / scale[:, None]
            self.weather_columns = tuple(history.weather)
            x = self._features(
                scaled, history.hours(), history.weather, slice(MAX_LAG, history.n_hours)
            )
        y = scaled[:, MAX_LAG:].reshape(-1) - self._base(x)
        keep = ~np.isnan(y)
        p = self.params
        params = {
            "objective": p.objective,
            "learning_rate": p.learning_rate,
            "num_leaves": p.num_leaves,
            "min_data_in_leaf": p.min_child_samples,
            "bagging_fraction": p.subsample,
            "bagging_freq": 1,
            "feature_fraction": p.colsample_bytree,
            "num_threads": p.n_jobs,
            "seed": p.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
            **p.extra,
        }
        data = lightgbm.Dataset(
            x[keep],
            y[keep],
            feature_name=list(self.feature_names),
            categorical_feature=[0],
            free_raw_data=True,
        )
        self._booster = lightgbm.train(params, data, num_boost_round=p.n_estimators)
        self.names = history.names
        return self

    def predict(
        self,
        history: HourlyPanel,
        horizon: int,
        future_weather: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Forecast a day at a time, each day reading the previous day's forecast as lags.

        Weather the model was trained with should come as `future_weather` (forecasts);
        columns not given are unknown to the trees (NaN), which costs accuracy.
        """
        if self._booster is None:
            raise RuntimeError("fit first")
        check_history(history, self.names, MAX_LAG)
        past = history.window(history.n_hours - MAX_LAG, history.n_hours)
        scale = self._scale(history.values)
        n_past = past.n_hours
        work = np.concatenate(
            [past.values / scale[:, None], np.full((len(scale), horizon), np.nan)], axis=1
        )
        hours = past.start + np.arange(n_past + horizon).astype("timedelta64[h]")
        weather = {}
        for name in self.weather_columns:
            ahead = (future_weather or {}).get(name)
            ahead = np.full(horizon, np.nan) if ahead is None else np.asarray(ahead)[:horizon]
            weather[name] = np.concatenate([past.weather.get(name, np.full(n_past, np.nan)), ahead])
        for first in range(n_past, n_past + horizon, STEP):
            cols = slice(first, min(first + STEP, n_past + horizon))
            with np.errstate(all="ignore"):
                x = self._features(work, hours, weather, cols)
            pred = (self._booster.predict(x) + self._base(x)).reshape(len(scale), -1)
            work[:, cols] = np.clip(pred, 0.0, None)
        return work[:, n_past:] * scale[:, None]
