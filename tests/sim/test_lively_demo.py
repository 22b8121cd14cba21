"""`pingan demo` with no options is alive within 30 seconds at any hour of the wall clock:
new calls, units on the move and changing crowd counts, whether it is started at 04:00 or in
the evening.

The run is driven flat out over the simulated stretch that 30 real seconds of the demo's
replay cover (30 s × its speed): the steps depend on the simulated clock and the seed only,
the replay's pacing merely spaces them out in wall time, so the same calls, fixes and counts
are what the page shows in its first 30 seconds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.cli import DEFAULT_SEED
from pingan.config import Settings
from pingan.crowd.models import AreaCount
from pingan.db.engine import Database
from pingan.demo import build_demo, live_day
from pingan.geo.coords import haversine_m
from pingan.incidents import service as incidents
from pingan.sim.day import LOCAL
from pingan.sim.run import LIVELY, simulation_for
from pingan.units import service as units
from tests.clock import local_time, pinned_clock

READER = Actor.system("test")
FIRST_S = 30.0  # of the page being open


def _default_demo(tmp_path):  # type: ignore[no-untyped-def]
    """The store and the simulated day exactly as `pingan demo` with no options builds them
    (the command's defaults: tick 5 s, the simulated dispatcher, the default seed)."""
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings)
    config, _ = live_day(
        "holiday", speed=None, rewind_minutes=None, busy=None, auto_dispatch=True,
        seed=DEFAULT_SEED, tick_s=5.0,
    )  # fmt: skip
    return settings, config


@pytest.mark.parametrize("hour", [4, 20], ids=["quiet_04h", "evening_20h"])
def test_the_default_demo_shows_calls_moving_units_and_crowds_in_its_first_30_seconds(
    tmp_path, hour
):
    with pinned_clock(local_time(hour, 0)) as now:
        settings, config = _default_demo(tmp_path)
        assert config.rewind_speed == LIVELY["speed"] and config.speed == 1.0
        behind = now + timedelta(minutes=1) - config.start  # building the store took a moment
        assert timedelta(0) <= behind - timedelta(hours=LIVELY["replay_h"]) <= timedelta(minutes=1)
        window = timedelta(seconds=FIRST_S * config.rewind_speed)
        db = Database(settings.resolved_database_url)
        try:
            sim = simulation_for(
                settings, db, replace(config, end=config.start + window, rewind_speed=None)
            )
            # whatever the wall clock says, the world opens on the evening's crowds
            assert sim.local_hour(config.start) == pytest.approx(LIVELY["opens_at_h"])
            sim.run()
            with db.session() as session:
                found, _ = incidents.list_incidents(
                    session, READER, incidents.IncidentFilter(since=config.start), limit=1000
                )
                calls = [i for i in found if not i.sample]
                moved = [
                    u
                    for u in units.list_units(session, limit=500)[0]
                    if u.position_at is not None
                    and u.position_at >= config.start
                    and u.post_lon is not None
                    and haversine_m(u.lon, u.lat, u.post_lon, u.post_lat) > 50
                ]
                counts = session.execute(
                    select(AreaCount.area_code, AreaCount.count).where(AreaCount.at >= config.start)
                ).all()
        finally:
            db.dispose()
    assert len(calls) >= 2, [c.received_at.astimezone(LOCAL) for c in calls]
    assert all(config.start <= c.received_at <= config.start + window for c in calls)
    assert any(c.state != "received" for c in calls)  # the dispatcher sent someone
    assert len(moved) >= 3
    by_area: dict[str, set[int]] = {}
    for code, count in counts:
        by_area.setdefault(code, set()).add(count)
    assert sum(len(seen) > 1 for seen in by_area.values()) >= 5  # (the museum shuts at 17:00)
