"""Each key area's typical day: learned from the stored counts once there are enough days of
the kind, seeded for the sample city until then (crowd/typical_visitors.yaml)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from pingan.crowd import profile
from pingan.crowd.models import AreaCount
from pingan.sim.day import LOCAL

CODES = ("music_fountain", "museum")


def _store_days(db, days: list[date], hours: range = range(24)) -> None:  # type: ignore[no-untyped-def]
    """Counts every 30 minutes of the given local days: 100 + 10 × the hour at the fountain."""
    with db.session() as s:
        for day in days:
            for h in hours:
                for minute in (0, 30):
                    at = datetime(day.year, day.month, day.day, h, minute, tzinfo=LOCAL)
                    s.add(AreaCount(area_code="music_fountain", at=at, count=100.0 + 10 * h,
                                    level="normal"))  # fmt: skip
        s.commit()


def _until(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL)


def test_three_workdays_of_counts_replace_the_seed_for_workdays_only(db) -> None:
    # Mon 7 - Fri 11 September 2026, then a Wednesday, a Saturday and National Day asked for
    _store_days(db, [date(2026, 9, 7) + timedelta(days=k) for k in range(5)])
    with db.session() as s:
        wednesday = profile.typical_day(s, CODES, date(2026, 9, 16), _until(date(2026, 9, 14)),
                                        seeded=True)  # fmt: skip
        saturday = profile.typical_day(s, CODES, date(2026, 9, 19), _until(date(2026, 9, 14)),
                                       seeded=True)  # fmt: skip
    assert wednesday.sources == {"music_fountain": "learned:5 days", "museum": "seeded"}
    assert wednesday.values["music_fountain"] == pytest.approx(100.0 + 10 * np.arange(24))
    seed = profile.seed()
    assert saturday.sources["music_fountain"] == "seeded"
    assert saturday.values["music_fountain"] == pytest.approx(
        seed.hourly(date(2026, 9, 19), "rest", ("music_fountain",))["music_fountain"]
    )


def test_too_few_or_too_patchy_days_keep_the_seed(db) -> None:
    _store_days(db, [date(2026, 9, 7), date(2026, 9, 8)])  # two whole workdays
    _store_days(db, [date(2026, 9, 9), date(2026, 9, 10)], hours=range(8, 20))  # 12 h each
    with db.session() as s:
        got = profile.typical_day(s, CODES, date(2026, 9, 16), _until(date(2026, 9, 14)),
                                  seeded=True)  # fmt: skip
        bureau = profile.typical_day(s, CODES, date(2026, 9, 16), _until(date(2026, 9, 14)),
                                     seeded=False)  # fmt: skip
    assert got.sources["music_fountain"] == "seeded"
    assert bureau.values == {} and bureau.sources == {}  # a bureau's city has no seed


def test_a_makeup_sunday_is_learned_as_a_workday_and_a_holiday_apart(db) -> None:
    # Sun 20 September 2026 is worked (调休) for National Day; 1-3 October are holidays
    _store_days(db, [date(2026, 9, 20), date(2026, 9, 21), date(2026, 9, 22)])
    with db.session() as s:
        day_before = profile.typical_day(s, CODES, date(2026, 9, 23), _until(date(2026, 9, 23)),
                                         seeded=True)  # fmt: skip
        holiday = profile.typical_day(s, CODES, date(2026, 10, 2), _until(date(2026, 9, 23)),
                                      seeded=True)  # fmt: skip
    assert profile.day_kind(date(2026, 9, 20)) == "workday"
    assert day_before.sources["music_fountain"] == "learned:3 days"
    assert holiday.sources["music_fountain"] == "seeded"


def test_the_seed_gives_the_bureaus_day_totals_and_the_fountain_show() -> None:
    seed = profile.seed()
    national_day = sum(seed.hourly(date(2026, 10, 2), "holiday").values()).sum()
    assert national_day == pytest.approx(seed.total(date(2026, 10, 2), "holiday"))
    assert 45_000 < national_day < 55_000
    october = seed.hourly(date(2026, 10, 2), "holiday", ("music_fountain",))["music_fountain"]
    assert int(np.argmax(october)) == 19  # the 19:00 show in October
    monday = seed.hourly(date(2026, 9, 14), "workday", ("museum",))["museum"]
    assert monday.sum() == 0  # museums shut on Mondays
