"""The simulated Kangbashi visitors: deterministic, 20k / 50k a day, the right shapes."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

import numpy as np
import pytest
import yaml

from pingan.sim import visitors
from pingan.sim.visitors import AREA_CODES, expected_daily_total, expected_hourly, hourly_visitors


@pytest.fixture(scope="module")
def year_2026() -> visitors.VisitorSeries:
    return hourly_visitors(date(2026, 1, 1), date(2027, 1, 1))


def day_slice(day: date) -> slice:
    i = (day - date(2026, 1, 1)).days
    return slice(24 * i, 24 * i + 24)


def test_area_codes_match_the_key_area_file() -> None:
    path = resources.files("pingan.sim") / "data" / "kangbashi_key_areas.yaml"
    codes = [a["code"] for a in yaml.safe_load(path.read_text(encoding="utf-8"))["key_areas"]]
    assert set(AREA_CODES) == set(codes)


def test_deterministic_per_seed_and_per_day(year_2026: visitors.VisitorSeries) -> None:
    week = hourly_visitors(date(2026, 7, 6), date(2026, 7, 13))
    again = hourly_visitors(date(2026, 7, 6), date(2026, 7, 13))
    other = hourly_visitors(date(2026, 7, 6), date(2026, 7, 13), seed=1)
    part = hourly_visitors(date(2026, 7, 6), date(2026, 7, 13), areas=["museum"])
    cols = slice(day_slice(date(2026, 7, 6)).start, day_slice(date(2026, 7, 12)).stop)
    for code in AREA_CODES:
        assert np.array_equal(week.counts[code], again.counts[code])
        assert np.array_equal(week.counts[code], year_2026.counts[code][cols])
    assert not np.array_equal(week.counts["lakeside"], other.counts["lakeside"])
    assert np.array_equal(part.counts["museum"], week.counts["museum"])
    assert week.hours[0] == np.datetime64("2026-07-06T00") and week.hours.size == 7 * 24
    assert np.array_equal(week.rain_mm, again.rain_mm)


def test_daily_totals_near_20k_normal_and_50k_on_holidays(
    year_2026: visitors.VisitorSeries,
) -> None:
    import chinese_calendar

    totals = year_2026.daily_totals()
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(totals.size)]
    holiday = np.array([d in chinese_calendar.holidays for d in days])
    assert abs(totals[~holiday].mean() - 20_000) < 0.1 * 20_000
    national_day = totals[[days.index(date(2026, 10, d)) for d in range(1, 8)]]
    assert abs(national_day.mean() - 50_000) < 0.1 * 50_000
    assert expected_daily_total(date(2026, 10, 2)) > 2 * expected_daily_total(date(2026, 10, 13))
    # a make-up Saturday (调休) is expected like a weekday, not a weekend
    assert expected_daily_total(date(2026, 10, 10)) < expected_daily_total(date(2026, 10, 17))


def test_fountain_peaks_at_the_summer_evening_show(year_2026: visitors.VisitorSeries) -> None:
    day = year_2026.counts["music_fountain"][day_slice(date(2026, 7, 18))]
    assert int(np.argmax(day)) in (20, 21)
    winter = expected_hourly(date(2026, 1, 17))["music_fountain"]
    summer = expected_hourly(date(2026, 7, 18))["music_fountain"]
    assert summer.max() > 5 * winter.max()


def test_museum_open_by_day_and_shut_on_ordinary_mondays(
    year_2026: visitors.VisitorSeries,
) -> None:
    museum = year_2026.counts["museum"]
    by_hour = museum.reshape(-1, 24)
    assert by_hour[:, :9].sum() == 0 and by_hour[:, 17:].sum() == 0
    assert museum[day_slice(date(2026, 6, 8))].sum() == 0  # a Monday
    assert museum[day_slice(date(2026, 10, 5))].sum() > 0  # a Monday in National Day


def test_rain_lowers_outdoor_areas(year_2026: visitors.VisitorSeries) -> None:
    heavy = year_2026.rain_mm >= 2.0
    assert heavy.sum() > 10
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    expected = {c: np.concatenate([expected_hourly(d)[c] for d in days]) for c in AREA_CODES}
    lit = heavy & (expected["lakeside"] > 0) & (expected["shopping_street"] > 0)
    ratio = {c: year_2026.counts[c][lit].sum() / expected[c][lit].sum() for c in AREA_CODES}
    assert ratio["lakeside"] < 0.7 and ratio["shopping_street"] > 0.9


def test_bad_ranges_and_areas_refused() -> None:
    with pytest.raises(ValueError):
        hourly_visitors(date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(ValueError):
        hourly_visitors(date(2026, 1, 1), date(2026, 1, 2), areas=["moon"])
