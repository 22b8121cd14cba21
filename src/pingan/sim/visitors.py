"""Simulated hourly visitors per key area of the sample Kangbashi (康巴什客流模拟).

SYNTHETIC: the expected day is the crowd domain's seeded typical profile of the sample city
(crowd/typical_visitors.yaml: about 20,000 visitors on an ordinary day, about 50,000 on a
public holiday, more in summer and at weekends, the fountain's evening show, the museum shut
on Mondays); this module adds what no profile knows in advance: the weather (rain empties
the outdoor areas) and chance. It feeds the forecast backtests and the simulated day.

Every day draws from its own random stream, seeded by (seed, day), so one day comes out the
same whether it is simulated alone or inside a year. Hours are local wall-clock hour starts
(Asia/Shanghai, no daylight saving): subtract 8 h for UTC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pingan.crowd import profile
from pingan.crowd.forecast.calendar_features import DayCalendar, china_calendar
from pingan.crowd.forecast.panel import HourlyPanel

DEFAULT_SEED = 20260728
RAIN_OUTDOOR_CUT = 0.6  # heavy rain (≥ 2 mm/h) keeps 40 % of outdoor visitors
RAIN_INDOOR_GAIN = 0.2  # ... and sends 20 % more indoors
DAY_NOISE_SIGMA = 0.06  # the whole city's day (events, mood)
AREA_NOISE_SIGMA = 0.05  # one area's day
HOUR_DISPERSION = 60.0  # gamma shape of the hourly noise: CV ≈ 13 % at large counts

# Area codes as in sim/data/kangbashi_key_areas.yaml (a test checks they agree).
AREA_CODES: tuple[str, ...] = tuple(profile.seed().areas)


@dataclass(frozen=True)
class VisitorSeries:
    """Hourly visitors arriving in each key area, with the weather that shaped them."""

    hours: np.ndarray  # datetime64[h], local hour starts
    counts: dict[str, np.ndarray]  # area code -> int64 visitors per hour
    temperature_c: np.ndarray  # float, per hour
    rain_mm: np.ndarray  # float, mm in the hour

    def daily_totals(self) -> np.ndarray:
        """Visitors per day over all areas (the figure the bureau quotes)."""
        total = sum(self.counts.values())
        return np.asarray(total).reshape(-1, 24).sum(axis=1)


def _season(day: date) -> float:
    """+1 in mid-July, −1 in mid-January (the seed's seasons)."""
    peak = profile.seed().peak_day_of_year
    return math.cos(2 * math.pi * (day.timetuple().tm_yday - peak) / 365.25)


def expected_daily_total(day: date) -> float:
    """Visitors expected over all key areas on `day`, before weather and chance.

    Holidays are those of the `chinese-calendar` package (it knows years up to its release).
    """
    return profile.seed().total(day, profile.day_kind(day))


def expected_hourly(day: date, areas: Sequence[str] = AREA_CODES) -> dict[str, np.ndarray]:
    """Expected visitors per area per local hour on `day`, before weather and chance."""
    return profile.seed().hourly(day, profile.day_kind(day), tuple(areas))


def _weather(day: date, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(temperature °C, rain mm) per hour: Ordos is −10 °C in January, +22 °C in July."""
    season = _season(day)
    mean = 6.0 + 16.0 * season + rng.normal(0.0, 3.0)
    diurnal = 5.0 * np.cos(2 * np.pi * (np.arange(24) - 15) / 24)
    temperature = mean + diurnal + rng.normal(0.0, 0.7, 24)
    rain = np.zeros(24)
    p_rain = 0.05 + 0.2 * max(season, 0.0)  # dry winters, rain in July and August
    if rng.random() < p_rain:
        start = int(rng.integers(0, 24))
        length = int(rng.integers(1, 7))
        rain[start : start + length] = rng.exponential(2.0, size=len(rain[start : start + length]))
    return temperature, rain


def _simulate_day(day: date, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One day's (counts[area, 24] for every area, temperature[24], rain[24]).

    Every area is drawn, in a fixed order, so asking for a subset changes no number.
    """
    rng = np.random.default_rng([seed, day.toordinal()])
    temperature, rain = _weather(day, rng)
    wet = np.minimum(rain / 2.0, 1.0)
    expected = expected_hourly(day)
    mean = np.stack([expected[code] for code in AREA_CODES])
    seeds = profile.seed().areas
    outdoor = np.array([seeds[code].outdoor for code in AREA_CODES])[:, None]
    mean *= np.where(outdoor, 1.0 - RAIN_OUTDOOR_CUT * wet, 1.0 + RAIN_INDOOR_GAIN * wet)
    mean *= rng.lognormal(0.0, DAY_NOISE_SIGMA)
    mean *= rng.lognormal(0.0, AREA_NOISE_SIGMA, size=(len(AREA_CODES), 1))
    mean *= rng.gamma(HOUR_DISPERSION, 1.0 / HOUR_DISPERSION, size=mean.shape)
    return rng.poisson(mean).astype(np.int64), temperature, rain


def hourly_visitors(
    start: date,
    end: date,
    seed: int = DEFAULT_SEED,
    areas: Sequence[str] = AREA_CODES,
) -> VisitorSeries:
    """Visitors per area per hour for the days start ≤ day < end (deterministic for a seed)."""
    unknown = [a for a in areas if a not in AREA_CODES]
    if unknown:
        raise ValueError(f"未知重点区域 unknown key area(s): {', '.join(unknown)}")
    if end <= start:
        raise ValueError("结束日期须晚于开始日期 end must be after start")
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    sims = [_simulate_day(d, seed) for d in days]
    counts = np.concatenate([s[0] for s in sims], axis=1)
    rows = [AREA_CODES.index(code) for code in areas]
    return VisitorSeries(
        hours=np.datetime64(start, "h") + np.arange(24 * len(days)),
        counts={code: counts[k] for code, k in zip(areas, rows, strict=True)},
        temperature_c=np.concatenate([s[1] for s in sims]),
        rain_mm=np.concatenate([s[2] for s in sims]),
    )


def kangbashi_panel(
    start: date, end: date, seed: int | None = None, weather: bool = True
) -> tuple[HourlyPanel, DayCalendar]:
    """The simulated city's key areas as a forecasting panel, with China's calendar."""
    sim = hourly_visitors(start, end, DEFAULT_SEED if seed is None else seed)
    panel = HourlyPanel(
        start=sim.hours[0],
        values=np.stack([sim.counts[c] for c in AREA_CODES]).astype(np.float64),
        names=AREA_CODES,
        weather={"temperature_c": sim.temperature_c, "rain_mm": sim.rain_mm} if weather else {},
    )
    return panel, china_calendar()
