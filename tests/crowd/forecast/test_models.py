"""Every forecaster: fits, forecasts the right shape, never negative; LightGBM beats naive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from pingan.crowd.forecast import (
    DailyETS,
    Forecaster,
    GBMParams,
    HourlyPanel,
    LightGBMForecaster,
    SeasonalNaive,
    midnight_origins,
    rolling_origin,
)

FAST = GBMParams(n_estimators=40, num_leaves=15)


def toy_panel(weeks: int = 6, weather: bool = False) -> HourlyPanel:
    """Three series with a daily and weekly rhythm, noise, a zero series and a gap."""
    rng = np.random.default_rng(1)
    t = np.arange(weeks * 168)
    day = np.clip(np.sin((t % 24 - 6) / 24 * 2 * np.pi), 0, None)
    week = np.where((t // 24) % 7 >= 5, 1.5, 1.0)
    base = np.stack([100 * day * week, 10 * day, np.zeros_like(day)])
    values = rng.poisson(base + 1).astype(float)
    values[0, 300:310] = np.nan
    w = {"temperature_c": 20 + 5 * day, "rain_mm": np.zeros(t.size)} if weather else {}
    return HourlyPanel(np.datetime64("2026-06-01T00"), values, ("a", "b", "c"), w)


MODELS: dict[str, Callable[[], Forecaster]] = {
    "naive": SeasonalNaive,
    "ets": DailyETS,
    "lgbm": lambda: LightGBMForecaster(None, FAST),
}


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("horizon", [1, 30, 200])
def test_shapes_and_no_negatives(make: Callable[[], Forecaster], horizon: int) -> None:
    panel = toy_panel()
    model = make().fit(panel)
    # forecast from a mid-day issue, with a history newer than the fit
    later = toy_panel(weeks=7).window(0, 6 * 168 + 13)
    for history in (panel, later):
        f = model.predict(history, horizon)
        assert f.shape == (3, horizon)
        assert np.isfinite(f).all() and (f >= 0).all()


def test_weather_columns_are_used_when_given() -> None:
    panel = toy_panel(weather=True)
    model = LightGBMForecaster(None, FAST).fit(panel)
    assert "rain_mm" in model.feature_names
    future = {"temperature_c": np.full(24, 25.0), "rain_mm": np.zeros(24)}
    assert model.predict(panel, 24, future).shape == (3, 24)
    assert model.predict(panel, 24).shape == (3, 24)  # unknown weather is allowed


def test_other_series_or_short_history_refused() -> None:
    panel = toy_panel()
    model = DailyETS().fit(panel)
    other = HourlyPanel(panel.start, panel.values, ("x", "y", "z"))
    with pytest.raises(ValueError):
        model.predict(other, 24)
    with pytest.raises(ValueError):
        SeasonalNaive().fit(panel.window(0, 100))


def test_seasonal_naive_repeats_last_week() -> None:
    panel = toy_panel()
    f = SeasonalNaive().predict(panel, 200)
    last = np.nan_to_num(panel.values[:, -168:])
    assert np.array_equal(f[:, :168], last)
    assert np.array_equal(f[:, 168:], last[:, :32])


def test_lightgbm_beats_seasonal_naive_on_simulated_kangbashi() -> None:
    """Around National Day 2025 the naive forecast copies the wrong kind of week."""
    from pingan.sim.visitors import kangbashi_panel

    panel, china = kangbashi_panel(date(2025, 3, 1), date(2025, 10, 20))
    origins = midnight_origins(panel, np.datetime64("2025-09-29"), 2, 7)
    models = {
        "naive": SeasonalNaive,
        "lgbm": lambda: LightGBMForecaster(china, GBMParams(n_estimators=120)),
    }
    res = rolling_origin(panel, models, origins, train_hours=26 * 168, issue_every=0)
    assert res["lgbm"].wape["daily_7d"] < 0.6 * res["naive"].wape["daily_7d"]
    assert res["lgbm"].wape["next_7d"] < res["naive"].wape["next_7d"]
