"""Rolling-origin backtests (pure): every model, the same origins, the same error bands.

At each origin the models are fitted on the `train_hours` before it and forecast the week
after it. Forecasts for the short bands (bands ending within a day) are also issued every
`issue_every` hours through the first day, from the model fitted at the origin and the counts
seen so far — as the service will run: fit nightly, forecast every hour. Longer bands and the
daily totals come from the forecast issued at the origin (local midnight).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pingan.crowd.forecast.base import HOURS_PER_WEEK, Forecaster
from pingan.crowd.forecast.metrics import daily_totals, wape
from pingan.crowd.forecast.panel import HourlyPanel


@dataclass(frozen=True)
class Band:
    """Hours ahead `first`..`last` (1 = the hour that starts at the forecast's issue)."""

    name: str
    first: int
    last: int


DEFAULT_BANDS = (
    Band("next_hour", 1, 1),
    Band("next_6h", 1, 6),
    Band("next_day", 1, 24),
    Band("next_7d", 1, HOURS_PER_WEEK),
)
DAILY = "daily_7d"  # WAPE of the seven daily totals forecast at the origin


@dataclass(frozen=True)
class BacktestResult:
    """One model's errors over all origins and series, and its mean fit/predict times.

    `wape` pools all series (busy sites weigh most); `series_wape` is each series' own, so a
    model that only serves the busiest sites well shows in its median.
    """

    model: str
    wape: dict[str, float]
    fit_s: float
    predict_s: float
    n_origins: int
    series_wape: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def median_series_wape(self, band: str) -> float:
        """The median over series of their own WAPE in `band` (series never seen left out)."""
        seen = [w for w in self.series_wape.get(band, ()) if not np.isnan(w)]
        return float(np.median(seen)) if seen else float("nan")


def midnight_origins(
    panel: HourlyPanel, first_day: np.datetime64, n: int, step_days: int
) -> list[int]:
    """Column indices of `n` local midnights from `first_day`, `step_days` apart."""
    first = int((np.datetime64(first_day, "h") - panel.start).astype(np.int64))
    if first % 24 != (-int(panel.start.astype(np.int64))) % 24:
        raise ValueError("first_day must be a local midnight")
    origins = [first + 24 * step_days * i for i in range(n)]
    if origins[0] < 0 or origins[-1] + HOURS_PER_WEEK > panel.n_hours:
        raise ValueError("origins leave the panel: fewer origins or an earlier first day")
    return origins


def rolling_origin(
    panel: HourlyPanel,
    models: Mapping[str, Callable[[], Forecaster]],
    origins: Sequence[int],
    *,
    train_hours: int,
    horizon: int = HOURS_PER_WEEK,
    bands: Sequence[Band] = DEFAULT_BANDS,
    issue_every: int = 3,
) -> dict[str, BacktestResult]:
    """WAPE per band (and on daily totals) for every model over the same origins.

    `models` maps a name to a factory of a fresh, unfitted model. Weather in the panel is
    handed to `predict` as the future's weather — a perfect weather forecast, which flatters
    models that use it; drop the panel's weather to test without.
    """
    short = max((b.last for b in bands if b.last <= 24), default=0)
    results = {}
    for name, make in models.items():
        errors: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {
            b.name: ([], []) for b in (*bands, Band(DAILY, 1, horizon))
        }
        fit_s: list[float] = []
        predict_s: list[float] = []
        for origin in origins:
            t0 = time.perf_counter()
            model = make().fit(panel.window(max(0, origin - train_hours), origin))
            fit_s.append(time.perf_counter() - t0)
            issues = [0, *(range(issue_every, 24, issue_every) if short and issue_every else ())]
            for k in issues:
                issue = origin + k
                ahead = horizon if k == 0 else short
                history = panel.window(max(0, origin - train_hours), issue)
                future = {w: v[issue : issue + ahead] for w, v in panel.weather.items()}
                t0 = time.perf_counter()
                forecast = model.predict(history, ahead, future)
                if k == 0:
                    predict_s.append(time.perf_counter() - t0)
                actual = panel.values[:, issue : issue + ahead]
                for band in bands:
                    if k == 0 or band.last <= short:
                        cols = slice(band.first - 1, band.last)
                        errors[band.name][0].append(actual[:, cols])
                        errors[band.name][1].append(forecast[:, cols])
                if k == 0:
                    errors[DAILY][0].append(daily_totals(actual))
                    errors[DAILY][1].append(daily_totals(forecast))
        results[name] = BacktestResult(
            model=name,
            wape={
                band: wape(
                    np.concatenate([a.ravel() for a in ys]), np.concatenate([f.ravel() for f in fs])
                )
                for band, (ys, fs) in errors.items()
            },
            fit_s=float(np.mean(fit_s)),
            predict_s=float(np.mean(predict_s)),
            n_origins=len(origins),
            series_wape={
                band: tuple(
                    wape(np.concatenate([a[i] for a in ys]), np.concatenate([f[i] for f in fs]))
                    for i in range(panel.values.shape[0])
                )
                for band, (ys, fs) in errors.items()
            },
        )
    return results
