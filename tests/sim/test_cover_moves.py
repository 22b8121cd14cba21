"""The simulated dispatcher accepts a cover move when a busy unit leaves its key area's
circle uncovered, drives the mover to the cover point, and home once released (pinned
simulated start, no calls: the only busy unit is the one the test takes)."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.dispatch import cover
from pingan.sim.day import SimConfig
from pingan.sim.run import simulation_for
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus

READER = Actor.system("test")


def _busy_unit_leaving_a_gap(sim) -> int:  # type: ignore[no-untyped-def]
    """A free unit whose going busy makes the recommender propose a move."""
    with sim.db.session() as session:
        free, _ = units.list_units(session, status=["available"], limit=500)
        for unit in free:
            units.claim_for_dispatch(session, unit.id)
            session.expire_all()  # the claim is an UPDATE: reload the units it changed
            advice = cover.moveups(session, READER, sim.city, at=sim.clock)
            session.rollback()
            if advice.proposals:
                return unit.id
    raise AssertionError("no single busy unit leaves a gap a move can fill")


def test_the_sim_dispatcher_accepts_a_cover_move_and_releases_it(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings, sample_incidents=False)
    start = (utcnow() - timedelta(minutes=30)).replace(second=0, microsecond=0)
    config = SimConfig(day_kind="holiday", start=start, speed=None, tick_s=15, rate_scale=0.0,
                       help_scale=0.0, moveups=True)  # fmt: skip
    db = Database(settings.resolved_database_url)
    try:
        sim = simulation_for(settings, db, config)
        sim.step()  # the shift's plan approved: every unit has its post
        busy_id = _busy_unit_leaving_a_gap(sim)
        with db.session() as session:
            assert units.claim_for_dispatch(session, busy_id)
            session.commit()
            area = units.get_unit(session, busy_id).area_code
        for _ in range(12):  # three simulated minutes: seen, the dispatcher's delay, accepted
            sim.step()
        assert sim.figures.moveups >= 1
        with db.session() as session:
            covering = [u for u in units.list_units(session, limit=500)[0] if u.cover_lon]
            assert covering and all(u.cover_area_code for u in covering)
            mover = covering[0]
            home = sim.home_of(mover)
            assert (home.lon, home.lat) == (mover.cover_lon, mover.cover_lat)
            trip = sim.trips.get(mover.id)
            assert trip is None or tuple(trip.coords[-1]) == (mover.cover_lon, mover.cover_lat)
            if area is not None and mover.cover_area_code == area:
                units.move_status(session, busy_id, UnitStatus.AVAILABLE)  # back from its call
            else:
                cover.release(session, READER, mover.id)
            session.commit()
            released = units.get_unit(session, mover.id)
            assert released.cover_lon is None
            plan_home = sim.home_of(released)
            assert (plan_home.lon, plan_home.lat) != (mover.cover_lon, mover.cover_lat)
    finally:
        db.dispose()
