"""Lag features read only the days before the forecast day: no count of day D reaches D's row."""

from __future__ import annotations

from datetime import date

import numpy as np

from pingan.crowd.forecast import GBMParams, LightGBMForecaster, holiday_calendar
from pingan.crowd.forecast.calendar_features import calendar_features
from pingan.crowd.forecast.lag_features import (
    OTHER_OFF,
    SATURDAY_OFF,
    WORKDAY,
    day_types,
    rolling_mean,
    same_type_mean,
    shift,
)

START = np.datetime64("2024-03-04T00")  # a Monday
# New Zealand, 2024: Good Friday 29 March, Easter Monday 1 April
NZ_EASTER = holiday_calendar([date(2024, 3, 29), date(2024, 4, 1)], years=[2024])


def hours(n_days: int) -> np.ndarray:
    return START + np.arange(24 * n_days).astype("timedelta64[h]")


def counts(n_days: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).poisson(50, size=(2, 24 * n_days)).astype(float)


def types_of(n_days: int) -> np.ndarray:
    cal, names = calendar_features(hours(n_days), NZ_EASTER)
    return day_types(cal[:, names.index("workday")], cal[:, names.index("day_of_week")])


def day_cols(day: np.datetime64) -> slice:
    first = int((np.datetime64(day, "h") - START).astype(np.int64))
    return slice(first, first + 24)


def test_day_types_put_holidays_with_sundays_and_saturdays_apart() -> None:
    types = types_of(35)[::24]  # one per day from Monday 4 March
    assert types[0] == WORKDAY  # Monday 4 March
    assert types[5] == SATURDAY_OFF  # Saturday 9 March
    assert types[6] == OTHER_OFF  # Sunday 10 March
    assert types[25] == OTHER_OFF  # Good Friday 29 March
    assert types[28] == OTHER_OFF  # Easter Monday 1 April


def test_same_type_mean_reads_last_workdays_for_a_monday() -> None:
    n_days = 21
    x = np.arange(24 * n_days, dtype=float)[None, :]  # value = hour index
    mean, latest = same_type_mean(x, types_of(n_days), n_days=2)
    monday = day_cols(np.datetime64("2024-03-18"))
    # the latest working day before Monday 18 March is Friday 15 March (3 days back);
    # the two latest are Friday 15 and Thursday 14
    at_nine = monday.start + 9
    assert latest[0, at_nine] == x[0, at_nine - 3 * 24]
    assert mean[0, at_nine] == (x[0, at_nine - 3 * 24] + x[0, at_nine - 4 * 24]) / 2


def test_same_type_mean_for_easter_monday_reads_the_days_off_before() -> None:
    n_days = 35
    x = np.arange(24 * n_days, dtype=float)[None, :]
    _, latest = same_type_mean(x, types_of(n_days))
    easter_monday = day_cols(np.datetime64("2024-04-01"))
    # the latest Sunday-or-holiday before it is Easter Sunday, the day before
    assert latest[0, easter_monday.start + 12] == x[0, easter_monday.start + 12 - 24]


def test_no_feature_of_a_day_reads_that_day() -> None:
    n_days = 35
    before = counts(n_days)
    after = before.copy()
    target = day_cols(np.datetime64("2024-04-01"))
    after[:, target] = before[:, target] * 10 + 7  # the day forecast changes entirely
    types = types_of(n_days)
    for feature in (
        lambda x: shift(x, 24),
        lambda x: shift(rolling_mean(x, 24), 24),
        lambda x: same_type_mean(x, types)[0],
        lambda x: same_type_mean(x, types)[1],
    ):
        np.testing.assert_array_equal(feature(before)[:, target], feature(after)[:, target])


def test_lightgbm_rows_of_a_day_do_not_read_its_counts() -> None:
    n_days = 35
    model = LightGBMForecaster(NZ_EASTER, GBMParams(n_estimators=5))
    before = counts(n_days)
    after = before.copy()
    target = day_cols(np.datetime64("2024-04-01"))
    after[:, target] = np.nan  # not yet seen at the forecast's issue
    rows = model._features(before, hours(n_days), {}, target)
    np.testing.assert_array_equal(rows, model._features(after, hours(n_days), {}, target))
