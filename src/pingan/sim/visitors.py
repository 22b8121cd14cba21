"""Simulated hourly visitors per key area of the sample Kangbashi (康巴什客流模拟).

SYNTHETIC: shaped after what the bureau tells us — about 20,000 visitors on an ordinary day,
about 50,000 on a public holiday, more in summer and at weekends, the evening peak at the
lakeside music fountain (the show runs around 20:00–22:00 in summer, earlier in spring and
autumn, not at all in winter), the museum open by day only and shut on Mondays, rain emptying
the outdoor areas. It feeds the forecast backtests and, later, the demo's simulation.

Every day draws from its own random stream, seeded by (seed, day), so one day comes out the
same whether it is simulated alone or inside a year. Hours are local wall-clock hour starts
(Asia/Shanghai, no daylight saving): subtract 8 h for UTC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
import numpy as np

DEFAULT_SEED = 20260728
NORMAL_DAILY_TOTAL = 20_000.0  # an ordinary day, averaged over the week and the year
HOLIDAY_DAILY_TOTAL = 50_000.0  # a public holiday (节假日)
WEEKDAY_FACTOR = 0.92  # 5 × 0.92 + 2 × 1.2 = 7: the week averages out to 1
WEEKEND_FACTOR = 1.2
SEASON_AMPLITUDE = 0.25  # summer +25 %, winter −25 % around the yearly mean
HOLIDAY_SEASON_AMPLITUDE = 0.1  # a cold Spring Festival draws fewer than National Day
PEAK_DAY_OF_YEAR = 200  # mid-July
RAIN_OUTDOOR_CUT = 0.6  # heavy rain (≥ 2 mm/h) keeps 40 % of outdoor visitors
RAIN_INDOOR_GAIN = 0.2  # ... and sends 20 % more indoors
DAY_NOISE_SIGMA = 0.06  # the whole city's day (events, mood)
AREA_NOISE_SIGMA = 0.05  # one area's day
HOUR_DISPERSION = 60.0  # gamma shape of the hourly noise: CV ≈ 13 % at large counts


def _profile(weights: dict[tuple[int, int], float]) -> np.ndarray:
    """24 relative weights from {(first_hour, last_hour): weight}, zero elsewhere."""
    out = np.zeros(24)
    for (first, last), w in weights.items():
        out[first : last + 1] = w
    return out


@dataclass(frozen=True)
class AreaPattern:
    """How one key area fills over the day; `share` is its part of the city's visitors."""

    share: float
    outdoor: bool
    hours: np.ndarray  # 24 relative weights, local hours


# Area codes as in sim/data/kangbashi_key_areas.yaml (a test checks they agree).
AREAS: dict[str, AreaPattern] = {
    # the fountain's evening show is added per season in _area_hours
    "music_fountain": AreaPattern(0.22, True, _profile({(9, 18): 0.6, (19, 22): 1.0})),
    "lakeside": AreaPattern(
        0.18, True, _profile({(6, 8): 0.8, (9, 17): 1.2, (18, 21): 2.6, (22, 22): 0.8})
    ),
    "bridge_3": AreaPattern(
        0.08, True, _profile({(7, 18): 0.6, (19, 19): 1.5, (20, 21): 2.5, (22, 22): 1.8})
    ),
    "central_square": AreaPattern(
        0.17, True, _profile({(6, 8): 1.0, (9, 18): 1.3, (19, 21): 2.8, (22, 22): 0.8})
    ),
    "museum": AreaPattern(
        0.10,
        False,
        _profile({(9, 9): 1.0, (10, 11): 2.0, (12, 13): 1.2, (14, 15): 1.8, (16, 16): 0.6}),
    ),
    "theatre": AreaPattern(
        0.07, False, _profile({(10, 12): 0.4, (13, 14): 1.0, (15, 17): 0.4, (18, 19): 3.0})
    ),
    "shopping_street": AreaPattern(
        0.18,
        False,
        _profile({(10, 13): 1.0, (14, 16): 1.6, (17, 18): 1.2, (19, 20): 1.8, (21, 22): 0.8}),
    ),
}
AREA_CODES: tuple[str, ...] = tuple(AREAS)
FOUNTAIN_OFF_SEASON_SHARE = 0.3  # no show from November to April: a third of the visitors


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


@cache
def _day_kind(day: date) -> str:
    """'holiday', 'workday' or 'rest' (weekend), with make-up working days (调休) as workdays."""
    if day in chinese_calendar.holidays:
        return "holiday"
    if day in chinese_calendar.workdays or day.weekday() < 5:
        return "workday"
    return "rest"


def _season(day: date) -> float:
    """+1 in mid-July, −1 in mid-January."""
    return math.cos(2 * math.pi * (day.timetuple().tm_yday - PEAK_DAY_OF_YEAR) / 365.25)


def expected_daily_total(day: date) -> float:
    """Visitors expected over all key areas on `day`, before weather and chance.

    Ordinary days: 20,000 × season × weekday/weekend; public holidays: about 50,000.
    Holidays are those of the `chinese-calendar` package (it knows years up to its release).
    """
    kind = _day_kind(day)
    if kind == "holiday":
        return HOLIDAY_DAILY_TOTAL * (1 + HOLIDAY_SEASON_AMPLITUDE * _season(day))
    week = WEEKDAY_FACTOR if kind == "workday" else WEEKEND_FACTOR
    return NORMAL_DAILY_TOTAL * (1 + SEASON_AMPLITUDE * _season(day)) * week


def _fountain_show_start(day: date) -> int | None:
    """Hour the evening show starts: 20:00 in summer, 19:00 in May/Sep/Oct, none in winter."""
    if day.month in (6, 7, 8):
        return 20
    if day.month in (5, 9, 10):
        return 19
    return None


def _area_hours(code: str, day: date) -> tuple[float, np.ndarray]:
    """(share of the day's visitors, 24 hourly weights) for one area on one day."""
    pattern = AREAS[code]
    if code == "music_fountain":
        show = _fountain_show_start(day)
        if show is None:
            return pattern.share * FOUNTAIN_OFF_SEASON_SHARE, pattern.hours
        hours = pattern.hours.copy()
        hours[show - 1] += 2.0  # crowds gather before the show
        hours[show] += 7.0
        hours[show + 1] += 5.0
        return pattern.share, hours
    if code == "museum" and day.weekday() == 0 and _day_kind(day) != "holiday":
        return 0.0, pattern.hours  # museums in China close on Mondays, not on holidays
    return pattern.share, pattern.hours


def expected_hourly(day: date, areas: Sequence[str] = AREA_CODES) -> dict[str, np.ndarray]:
    """Expected visitors per area per local hour on `day`, before weather and chance."""
    parts = {code: _area_hours(code, day) for code in AREA_CODES}
    total_share = sum(share for share, _ in parts.values())
    day_total = expected_daily_total(day)
    out = {}
    for code in areas:
        share, hours = parts[code]
        out[code] = day_total * share / total_share * hours / hours.sum()
    return out


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
    outdoor = np.array([AREAS[code].outdoor for code in AREA_CODES])[:, None]
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
    unknown = [a for a in areas if a not in AREAS]
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
