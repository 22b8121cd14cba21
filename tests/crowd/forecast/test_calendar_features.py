"""Calendar features: China's holidays and make-up working days (调休), holiday periods."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pingan.crowd.forecast.calendar_features import (
    CALENDAR_COLUMNS,
    MAX_GAP_DAYS,
    calendar_features,
    china_calendar,
    holiday_calendar,
)

CHINA = china_calendar()


def day_row(day: str, calendar=CHINA, hour: int = 12) -> dict[str, float]:
    hours = np.array([np.datetime64(f"{day}T{hour:02d}", "h")])
    x, names = calendar_features(hours, calendar)
    return dict(zip(names, x[0], strict=True))


def test_makeup_saturday_is_a_workday() -> None:
    row = day_row("2026-10-10")  # Saturday worked in lieu of National Day (调休上班)
    assert row["day_of_week"] == 5
    assert row["workday"] == 1 and row["makeup_workday"] == 1 and row["holiday"] == 0
    assert CHINA.is_workday(date(2026, 9, 20))  # the Sunday before


def test_national_day_is_a_holiday_period() -> None:
    first = day_row("2026-10-01")
    assert first["holiday"] == 1 and first["workday"] == 0
    assert first["holiday_day"] == 1 and first["holiday_days_left"] == 7
    last = day_row("2026-10-07")  # a Wednesday, off in lieu
    assert last["workday"] == 0 and last["holiday_day"] == 7 and last["holiday_days_left"] == 1
    after = day_row("2026-10-08")
    assert after["workday"] == 1 and after["days_after_holiday"] == 1
    assert day_row("2026-09-30")["days_to_holiday"] == 1


def test_ordinary_weekend_is_off_but_not_a_holiday_period() -> None:
    row = day_row("2026-11-14")  # Saturday
    assert row["workday"] == 0 and row["holiday"] == 0 and row["holiday_day"] == 0


def test_hour_and_weekday_columns_and_weather() -> None:
    hours = np.datetime64("2026-07-20T00", "h") + np.arange(48)  # Monday 00:00 on
    weather = {"temperature_c": np.linspace(20, 30, 48), "rain_mm": np.zeros(48)}
    x, names = calendar_features(hours, CHINA, weather)
    assert names == (*CALENDAR_COLUMNS, "temperature_c", "rain_mm")
    assert x.shape == (48, len(names))
    assert x[:, 0].tolist() == list(range(24)) * 2
    assert set(x[:24, 1]) == {0} and set(x[24:, 1]) == {1}
    assert x[-1, -2] == 30


def test_holiday_set_without_makeup_days_and_no_calendar() -> None:
    nz = holiday_calendar([date(2024, 12, 25), date(2024, 12, 26)])
    assert day_row("2024-12-25", nz)["holiday"] == 1
    assert day_row("2024-12-24", nz)["days_to_holiday"] == 1
    plain = day_row("2024-12-25", None)
    assert plain["workday"] == 1 and plain["days_to_holiday"] == MAX_GAP_DAYS


def test_wrong_weather_length_is_refused() -> None:
    hours = np.datetime64("2026-07-20T00", "h") + np.arange(5)
    with pytest.raises(ValueError):
        calendar_features(hours, CHINA, {"rain_mm": np.zeros(4)})
