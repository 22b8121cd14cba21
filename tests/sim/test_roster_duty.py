"""The simulated day brings units on duty per their roster shift and off at its end."""

from __future__ import annotations

from datetime import date, timedelta

from pingan.config import Settings
from pingan.db.engine import Database
from pingan.demo import DEMO_UNITS, build_demo
from pingan.sim.day import SimConfig
from pingan.sim.run import simulation_for
from pingan.units import service as units
from tests.clock import local_time

NIGHT_ONLY = ("PTU-10", "特04", "机关15")  # the evening peak's extra forces
DAY_ONLY = ("网格员02", "联防05", "城管03")  # grid workers and day partners


def _statuses(db: Database) -> dict[str, str]:
    """The rostered fleet's statuses (the demo's filed locksmith is a company's, not rostered)."""
    with db.session() as session:
        listed = units.list_units(session, limit=1000)[0]
        return {u.call_sign: u.status for u in listed if u.kind != "locksmith"}


def test_the_roster_leaves_the_filed_locksmith_on_call(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings, sample_incidents=False, fleet="article",
               roster_days=[date(2026, 10, 1)])  # fmt: skip
    config = SimConfig(day_kind="holiday", start=local_time(7, 58), end=local_time(8, 2),
                       speed=None, tick_s=60, rate_scale=0, help_scale=0)  # fmt: skip
    db = Database(settings.resolved_database_url)
    try:
        sim = simulation_for(settings, db, config)
        for _ in range(3):
            sim.step()
        with db.session() as session:
            listed = units.list_units(session, limit=1000)[0]
        assert [u.status for u in listed if u.kind == "locksmith"] == ["available"]
    finally:
        db.dispose()


def test_units_come_on_and_go_off_duty_at_the_change_of_shift(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings, sample_incidents=False, fleet="article",
               roster_days=[date(2026, 10, 1), date(2026, 10, 2)])  # fmt: skip
    start = local_time(7, 58)  # the night shift of 1 October, two minutes before day shift
    config = SimConfig(day_kind="holiday", start=start, end=start + timedelta(minutes=4),
                       speed=None, tick_s=60, rate_scale=0, help_scale=0)  # fmt: skip
    db = Database(settings.resolved_database_url)
    try:
        sim = simulation_for(settings, db, config)
        sim.step()  # 07:58, night shift
        night = _statuses(db)
        assert len(night) == 142 and {call_sign for call_sign, *_ in DEMO_UNITS} <= set(night)
        assert all(night[c] != "off_duty" for c in NIGHT_ONLY)
        assert all(night[c] == "off_duty" for c in DAY_ONLY)
        assert sum(s != "off_duty" for s in night.values()) == 126
        for _ in range(3):
            sim.step()  # 07:59, 08:00: the day shift's roster takes over, 08:01
        day = _statuses(db)
        assert all(day[c] == "off_duty" for c in NIGHT_ONLY)
        assert all(day[c] != "off_duty" for c in DAY_ONLY)
        assert sum(s != "off_duty" for s in day.values()) == 133
    finally:
        db.dispose()
