"""Rolling-origin backtests: origins, bands, every model on the same cells."""

from __future__ import annotations

import numpy as np
import pytest

from pingan.crowd.forecast import (
    DailyETS,
    HourlyPanel,
    SeasonalNaive,
    midnight_origins,
    rolling_origin,
)


def weekly_panel(weeks: int = 8) -> HourlyPanel:
    week = np.arange(168, dtype=float) % 24 + np.repeat(np.arange(7.0), 24)
    return HourlyPanel(np.datetime64("2026-03-02T00"), np.tile(week, (2, weeks)), ("a", "b"))


def test_midnight_origins_checked() -> None:
    panel = weekly_panel()
    assert midnight_origins(panel, np.datetime64("2026-03-16"), 2, 7) == [336, 504]
    with pytest.raises(ValueError):
        midnight_origins(panel, np.datetime64("2026-03-16T05", "h"), 1, 1)
    with pytest.raises(ValueError):
        midnight_origins(panel, np.datetime64("2026-04-20"), 2, 7)  # the week runs off the end


def test_perfectly_weekly_series_gives_zero_naive_error() -> None:
    panel = weekly_panel()
    origins = midnight_origins(panel, np.datetime64("2026-03-23"), 3, 5)
    res = rolling_origin(
        panel, {"naive": SeasonalNaive, "ets": DailyETS}, origins, train_hours=3 * 168
    )
    naive = res["naive"]
    assert set(naive.wape) == {"next_hour", "next_6h", "next_day", "next_7d", "daily_7d"}
    assert all(v == pytest.approx(0.0) for v in naive.wape.values())
    assert naive.n_origins == 3 and naive.fit_s >= 0
    assert res["ets"].wape["daily_7d"] < 0.05


def test_each_series_error_is_kept_beside_the_pooled_one() -> None:
    panel = weekly_panel()
    values = panel.values.copy()
    values[1, 5 * 168 :] *= 2  # series b doubles from week 6: naive misses it, a stays exact
    panel = HourlyPanel(panel.start, values, panel.names)
    origins = midnight_origins(panel, np.datetime64("2026-04-06"), 1, 7)
    naive = rolling_origin(panel, {"naive": SeasonalNaive}, origins, train_hours=3 * 168)["naive"]
    a, b = naive.series_wape["next_day"]
    assert a == pytest.approx(0.0) and b == pytest.approx(0.5)
    assert naive.median_series_wape("next_day") == pytest.approx(0.25)
    assert naive.wape["next_day"] == pytest.approx(1 / 3)  # pooled: b weighs twice as much
