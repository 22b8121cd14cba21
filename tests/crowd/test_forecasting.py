"""Forecasts from stored counts: the model follows the history there is; too little is said;
the service's forecaster reads China's holidays and make-up working days, and says which
years its calendar lacks."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.crowd import forecasting
from pingan.crowd.forecast import gbm
from pingan.crowd.forecast.calendar_features import DayCalendar
from pingan.crowd.models import AreaCount
from pingan.geo.city import load_city
from pingan.sim.visitors import hourly_visitors
from tests.clock import pinned_clock

LOCAL = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_EVE = datetime(2026, 9, 30, 8, tzinfo=LOCAL)  # 1 October 2026 is a Thursday
ORDINARY_MORNING = datetime(2026, 6, 10, 9, 20, tzinfo=LOCAL)  # a Wednesday, no holiday near


def seed_history(db, days: int, now: datetime = ORDINARY_MORNING) -> None:
    """Hourly fused counts from the Kangbashi simulation, ending at the hour of `now` (the
    tests pin the clock there, so no figure depends on the day they run)."""
    now = now.astimezone(UTC)
    today = now.astimezone(LOCAL).date()
    series = hourly_visitors(today - timedelta(days=days), today + timedelta(days=1))
    rows = []
    for code, counts in series.counts.items():
        for hour, value in zip(series.hours, counts, strict=True):
            at = hour.astype(datetime).replace(tzinfo=LOCAL).astimezone(UTC) + timedelta(minutes=30)
            if at < now - timedelta(hours=1):
                rows.append(
                    {
                        "area_code": code,
                        "at": at,
                        "count": float(value),
                        "sigma": None,
                        "density_ppm2": None,
                        "capacity_share": None,
                        "level": "normal",
                    }
                )
    with db.engine.begin() as conn:
        conn.execute(AreaCount.__table__.insert(), rows)


def record_calendar_rows(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, float]]:
    """Each day's calendar features as the forecaster computed them, by ISO day."""
    days: dict[str, dict[str, float]] = {}
    real = gbm.calendar_features

    def recording(hours, calendar, weather=None):
        x, names = real(hours, calendar, weather)
        for hour, row in zip(np.asarray(hours, dtype="datetime64[h]"), x, strict=True):
            days[str(hour.astype("datetime64[D]"))] = dict(zip(names, row, strict=True))
        return x, names

    monkeypatch.setattr(gbm, "calendar_features", recording)
    return days


def day_total(result: forecasting.Forecast, day: date) -> float:
    return sum(
        v or 0.0
        for values in result.values.values()
        for at, v in zip(result.hours, values, strict=True)
        if at.date() == day
    )


def test_three_weeks_of_history_give_an_ets_forecast(client, accounts, db):
    seed_history(db, 24)
    with pinned_clock(ORDINARY_MORNING):
        r = client.get("/api/v1/crowd/forecast?hours=48", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "ets" and body["history_days"] >= 21
    assert len(body["hours"]) == 48 and set(body["areas"]) >= {"music_fountain", "museum"}
    fountain = [v for v in body["areas"]["music_fountain"] if v is not None]
    assert len(fountain) == 48 and min(fountain) >= 0 and max(fountain) > 0


def test_too_little_history_is_said_plainly(client, accounts, db):
    seed_history(db, 2)
    with pinned_clock(ORDINARY_MORNING):
        r = client.get("/api/v1/crowd/forecast", headers=accounts.headers(Role.COMMANDER))
        too_long = client.get(
            "/api/v1/crowd/forecast?hours=500", headers=accounts.headers(Role.COMMANDER)
        )
    assert r.status_code == 409 and r.json()["code"] == "not_enough_history"
    assert too_long.status_code == 422


def test_the_ladder_reaches_lightgbm_with_eight_weeks(db, tmp_path):
    seed_history(db, 60)
    with pinned_clock(ORDINARY_MORNING), db.session() as s:
        result = forecasting.forecast(s, Actor.system(), load_city(cache_dir=tmp_path), hours=24)
    assert result.model == "lightgbm" and len(result.hours) == 24
    assert result.hours[0] == ORDINARY_MORNING.replace(minute=0)


def test_the_forecast_endpoint_reads_national_day_as_a_holiday_and_a_makeup_sunday_as_work(
    client, accounts, db, monkeypatch
):
    days = record_calendar_rows(monkeypatch)
    with pinned_clock(NATIONAL_DAY_EVE):
        seed_history(db, 60, NATIONAL_DAY_EVE)
        r = client.get("/api/v1/crowd/forecast?hours=48", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "lightgbm" and body["hours"][0].startswith("2026-09-30T08:00")
    national_day = days["2026-10-01"]  # Thursday, ahead: a holiday, not a working day
    assert national_day["holiday"] == 1 and national_day["workday"] == 0
    assert national_day["holiday_day"] == 1 and national_day["holiday_days_left"] == 7
    makeup = days["2026-09-20"]  # Sunday in the history, worked in lieu (调休上班)
    assert makeup["day_of_week"] == 6 and makeup["workday"] == 1 and makeup["makeup_workday"] == 1
    calendar = body["calendar"]
    assert calendar["used"] is True and calendar["missing_years"] == []
    assert calendar["first_year"] <= 2026 <= calendar["last_year"]
    assert "chinese-calendar" in calendar["source"]


def test_the_same_history_forecasts_more_visitors_for_a_holiday_than_an_ordinary_day(db, tmp_path):
    seed_history(db, 60, NATIONAL_DAY_EVE)
    city = load_city(cache_dir=tmp_path)
    with db.session() as s:
        holiday = forecasting.forecast(s, Actor.system(), city, hours=48, now=NATIONAL_DAY_EVE)
        ordinary = forecasting.forecast(
            s, Actor.system(), city, hours=48, now=NATIONAL_DAY_EVE,
            calendar=DayCalendar(holidays=frozenset()),
        )  # fmt: skip
    assert holiday.model == ordinary.model == "lightgbm"
    national_day = date(2026, 10, 1)  # the simulation: ~50,000 visitors, an ordinary day ~20,000
    assert day_total(holiday, national_day) > 1.5 * day_total(ordinary, national_day)


def test_a_year_the_calendar_lacks_is_named_in_the_answer_and_logged(db, tmp_path, caplog):
    now = first_unknown_january()
    seed_history(db, 60, now)
    with caplog.at_level(logging.WARNING, logger=forecasting.__name__), db.session() as s:
        result = forecasting.forecast(
            s, Actor.system(), load_city(cache_dir=tmp_path), hours=24, now=now
        )
    assert result.model == "lightgbm" and len(result.hours) == 24  # it keeps forecasting
    assert result.calendar.missing_years == (now.year,) and result.calendar.used
    assert result.calendar.last_year == now.year - 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"节假日日历缺少{now.year}年" in w for w in warnings)


def test_a_holidays_file_fills_the_missing_year_and_its_days_reach_the_forecaster(
    db, tmp_path, monkeypatch
):
    now = first_unknown_january()
    year = now.year
    path = tmp_path / "holidays.yaml"
    path.write_text(  # a made-up schedule: the test needs a year no release knows
        f"source: test schedule, not a State Council notice\n"
        f"years:\n  {year}:\n"
        f"    holidays: ['{year}-01-21..{year}-01-23']\n"
        f"    makeup_workdays: [{first_weekend_day(year)}]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(runtime, "_current", None)  # the service reads PINGAN_* then
    monkeypatch.setenv("PINGAN_HOLIDAYS_FILE", str(path))
    days = record_calendar_rows(monkeypatch)
    seed_history(db, 60, now)
    with db.session() as s:
        result = forecasting.forecast(
            s, Actor.system(), load_city(cache_dir=tmp_path), hours=72, now=now
        )
    assert result.calendar.missing_years == () and result.calendar.last_year == year
    assert "holidays.yaml: test schedule" in result.calendar.source
    assert days[f"{year}-01-21"]["holiday"] == 1 and days[f"{year}-01-21"]["workday"] == 0
    makeup = days[first_weekend_day(year).isoformat()]
    assert makeup["workday"] == 1 and makeup["makeup_workday"] == 1


def test_a_broken_holidays_file_is_logged_and_the_service_keeps_the_package_years(
    tmp_path, monkeypatch, caplog
):
    path = tmp_path / "holidays.yaml"
    path.write_text("source: x\nyears:\n  2030:\n    holidays: [2031-01-01]\n", encoding="utf-8")
    monkeypatch.setattr(runtime, "_current", None)
    monkeypatch.setenv("PINGAN_HOLIDAYS_FILE", str(path))
    with caplog.at_level(logging.ERROR, logger=forecasting.__name__):
        calendar = forecasting.service_calendar()
    assert 2030 not in calendar.years and date(2026, 10, 1) in calendar.holidays
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(str(path) in e and "2031-01-01" in e for e in errors)


def first_unknown_january() -> datetime:
    """20 January of the first year past the service calendar's data (2027 with 1.11.0)."""
    return datetime(max(forecasting.service_calendar().years) + 1, 1, 20, 8, tzinfo=LOCAL)


def first_weekend_day(year: int) -> date:
    """The year's first Saturday or Sunday after 3 January: a day in the 60-day history."""
    day = date(year, 1, 4)
    while day.weekday() < 5:
        day += timedelta(days=1)
    return day
