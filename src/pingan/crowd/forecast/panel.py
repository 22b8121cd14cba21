"""Hourly panel: many series of counts on one regular hourly grid (the models' input).

Hours are local wall-clock hour starts (calendar features need the local day); converting
from the store's UTC is the caller's job. Missing hours are NaN, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

WEATHER_COLUMNS = ("temperature_c", "rain_mm")


@dataclass(frozen=True)
class HourlyPanel:
    """Counts for `names` (rows) over consecutive hours from `start` (columns).

    `weather` holds optional city-wide columns (see WEATHER_COLUMNS), one value per hour.
    """

    start: np.datetime64
    values: np.ndarray
    names: tuple[str, ...]
    weather: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 2 or values.shape[0] != len(self.names):
            raise ValueError("values must be (len(names), n_hours)")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "start", np.datetime64(self.start, "h"))
        for name, column in self.weather.items():
            if name not in WEATHER_COLUMNS or len(column) != values.shape[1]:
                raise ValueError(f"weather column {name!r}: unknown name or wrong length")

    @property
    def n_hours(self) -> int:
        return int(self.values.shape[1])

    @property
    def end(self) -> np.datetime64:
        """The first hour after the panel (where a forecast starts)."""
        return self.start + np.timedelta64(self.n_hours, "h")

    def hours(self) -> np.ndarray:
        """The hour start of every column (datetime64[h])."""
        return self.start + np.arange(self.n_hours).astype("timedelta64[h]")

    def window(self, first: int, stop: int) -> HourlyPanel:
        """Columns first ≤ i < stop as a panel of their own."""
        first, stop, _ = slice(first, stop).indices(self.n_hours)
        return HourlyPanel(
            start=self.start + np.timedelta64(first, "h"),
            values=self.values[:, first:stop],
            names=self.names,
            weather={k: np.asarray(v)[first:stop] for k, v in self.weather.items()},
        )
