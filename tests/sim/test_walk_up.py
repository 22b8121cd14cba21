"""现场求助: a visitor within sight of a free officer on foot is helped on the spot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.sim import day as sim_day
from pingan.sim.day import SimConfig, file_call
from pingan.sim.run import simulation_for
from pingan.units import service as units

READER = Actor.system("test")


@pytest.fixture
def sim(tmp_path, monkeypatch):
    monkeypatch.setitem(sim_day.WALK_UP, "share", 1.0)  # everyone in sight walks up
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings, sample_incidents=False)
    db = Database(settings.resolved_database_url)
    yield simulation_for(settings, db, SimConfig(day_kind="holiday", seed=7)), db
    db.dispose()


def _foot_unit(session):
    free, _ = units.list_units(session, kind="foot_patrol", status=["available"])
    return free[0]


def test_a_call_beside_a_foot_patrol_is_taken_on_the_spot_within_a_minute(sim):
    simulation, db = sim
    with db.session() as session:
        officer = _foot_unit(session)
        code = officer.area_code or next(iter(simulation.city.key_areas))
        at = utcnow() - timedelta(minutes=5)
        units.report_position(session, READER, officer.id, lon=109.7800, lat=39.5955, at=at)
        session.commit()
        # 50 m north of the officer: within sight
        incident_id = file_call(simulation, session, at, "disturbance", code, (109.7800, 39.59595))
        incident = incidents.get_incident(session, READER, incident_id)
        assert incident.source == Source.OFFICER and incident.summary.startswith("现场求助")
        assert incident.state == "on_scene"
        (assignment,) = incidents.assignments(session, READER, incident_id)
        assert assignment.unit_id == officer.id
        reached = (assignment.on_scene_at - incident.received_at).total_seconds()
        assert 0 < reached <= 60
        session.expire_all()  # the claim is a conditional UPDATE: read the row again
        assert units.get_unit(session, officer.id).status == "on_scene"


def test_a_call_out_of_sight_goes_to_110_and_waits_for_the_dispatcher(sim):
    simulation, db = sim
    with db.session() as session:
        officer = _foot_unit(session)
        code = officer.area_code or next(iter(simulation.city.key_areas))
        at = utcnow() - timedelta(minutes=5)
        units.report_position(session, READER, officer.id, lon=109.7800, lat=39.5955, at=at)
        session.commit()
        far = (109.7800, 39.5955 + 2000 / 111_000)  # 2 km away; nobody else stands there
        incident_id = file_call(simulation, session, at, "disturbance", code, far)
        incident = incidents.get_incident(session, READER, incident_id)
        assert incident.source != Source.OFFICER
        assert incident.state == "received"
        assert incidents.assignments(session, READER, incident_id) == []
