"""Statistical baseline: exponential smoothing of daily totals, spread by an hourly profile.

Daily totals per series follow ETS(A,N,A) on log(1 + total) — additive level and weekly
season on the log scale, i.e. a multiplicative weekly pattern — with the smoothing weights
(α for the level, γ for the season) chosen per series from a small grid by one-step squared
error, as AutoETS would choose among its candidates. Each forecast day is spread over the
hours by that weekday's share of each hour over the last `profile_weeks` weeks.

Our own implementation (NumPy, all series at once, milliseconds): statsforecast's AutoETS
brings numba and its compile time into every CI run; AutoARIMA is slower still. It knows no
holidays: that is what the LightGBM model is for.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pingan.crowd.forecast.base import HOURS_PER_WEEK, check_history, fill_from_past_weeks
from pingan.crowd.forecast.metrics import daily_totals
from pingan.crowd.forecast.panel import HourlyPanel

ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
GAMMAS = (0.01, 0.05, 0.1, 0.2, 0.3)
SEASON_DAYS = 7


def _whole_days(history: HourlyPanel) -> tuple[np.ndarray, int, int]:
    """(hourly values of the complete local days before the day of `end`, first day's
    weekday, hours of the current day already past)."""
    start_hour = int((history.start - history.start.astype("datetime64[D]")).astype(int))
    skip = (24 - start_hour) % 24
    into_today = int((history.end - history.end.astype("datetime64[D]")).astype(int))
    stop = history.n_hours - into_today
    first_day = (history.start + np.timedelta64(skip, "h")).astype("datetime64[D]")
    weekday = int((first_day.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    return history.values[:, skip:stop], weekday, into_today


def _smooth(
    logy: np.ndarray, alpha: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ETS(A,N,A) over days (series × days); returns (level, season[7], one-step SSE).

    Missing days (NaN) leave the state as it is. The first two weeks only warm the state up.
    """
    n_days = logy.shape[1]
    first = np.nan_to_num(logy[:, :SEASON_DAYS], nan=np.nanmean(logy))
    level = first.mean(axis=1)
    season = first - level[:, None]
    sse = np.zeros(logy.shape[0])
    for d in range(SEASON_DAYS, n_days):
        y = logy[:, d]
        s = season[:, d % SEASON_DAYS]
        err = y - (level + s)
        seen = ~np.isnan(err)
        err = np.where(seen, err, 0.0)
        if d >= 2 * SEASON_DAYS:
            sse += err**2
        new_level = level + alpha * err
        season[:, d % SEASON_DAYS] = np.where(seen, s + gamma * (y - new_level - s), s)
        level = new_level
    return level, season, sse


class DailyETS:
    """ETS(A,N,A) on log daily totals × a weekday hourly profile (see module notes)."""

    name = "ets_daily"

    def __init__(self, profile_weeks: int = 4) -> None:
        self.profile_weeks = profile_weeks
        self.names: tuple[str, ...] | None = None
        self.alpha: np.ndarray | None = None
        self.gamma: np.ndarray | None = None

    def fit(self, history: HourlyPanel) -> DailyETS:
        """Pick α, γ per series from the grid by one-step squared error on log totals."""
        check_history(history, None, 3 * HOURS_PER_WEEK)
        hourly, _, _ = _whole_days(history)
        logy = np.log1p(daily_totals(hourly))
        n = logy.shape[0]
        best = np.full(n, np.inf)
        self.alpha = np.zeros(n)
        self.gamma = np.zeros(n)
        for a in ALPHAS:
            for g in GAMMAS:
                _, _, sse = _smooth(logy, np.full(n, a), np.full(n, g))
                better = sse < best
                best[better] = sse[better]
                self.alpha[better] = a
                self.gamma[better] = g
        self.names = history.names
        return self

    def predict(
        self,
        history: HourlyPanel,
        horizon: int,
        future_weather: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        if self.alpha is None or self.gamma is None:
            raise RuntimeError("fit first")
        check_history(history, self.names, 3 * HOURS_PER_WEEK)
        hourly, weekday, into_today = _whole_days(history)
        n_past_days = hourly.shape[1] // 24
        level, season, _ = _smooth(np.log1p(daily_totals(hourly)), self.alpha, self.gamma)
        n_days = -(-(into_today + horizon) // 24)
        future = np.arange(n_past_days, n_past_days + n_days)
        day_total = np.expm1(level[:, None] + season[:, future % SEASON_DAYS])
        profile = self._profile(hourly, weekday)  # (series, 7, 24)
        future_weekday = (weekday + future) % 7
        out = (day_total[:, :, None] * profile[:, future_weekday, :]).reshape(len(level), -1)
        return np.clip(out[:, into_today : into_today + horizon], 0.0, None)

    def _profile(self, hourly: np.ndarray, weekday: int) -> np.ndarray:
        """Share of each hour in the day, per weekday, over the last `profile_weeks` weeks."""
        n_days = hourly.shape[1] // 24
        keep = min(n_days, self.profile_weeks * SEASON_DAYS)
        recent = fill_from_past_weeks(hourly)[:, (n_days - keep) * 24 :]
        days = recent.reshape(recent.shape[0], keep, 24)
        weekdays = (weekday + np.arange(n_days - keep, n_days)) % 7
        sums = np.zeros((recent.shape[0], 7, 24))
        for w in range(7):
            sums[:, w] = days[:, weekdays == w].sum(axis=1)
        totals = sums.sum(axis=2, keepdims=True)
        flat = sums.sum(axis=1, keepdims=True)
        flat = flat / np.maximum(flat.sum(axis=2, keepdims=True), 1e-9)
        return np.where(totals > 0, sums / np.maximum(totals, 1e-9), flat)
