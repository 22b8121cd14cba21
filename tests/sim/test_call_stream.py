"""The calls have their own random stream: runs that differ only in what the units do (cover
moves, the dispatcher's pace) file the same calls, so their figures compare like for like."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.sim.day import SimConfig
from pingan.sim.run import simulation_for

READER = Actor.system("test")


def _calls(path: Path, config: SimConfig) -> tuple[list[tuple], list[tuple]]:
    """The calls filed (type, area, seconds after the start, and for calls not taken on the
    spot: where, what was said, the source) and what the units did about them."""
    settings = Settings(data_dir=path, database_url=None)
    build_demo(settings, sample_incidents=False)
    db = Database(settings.resolved_database_url)
    try:
        simulation_for(settings, db, config).run()
        with db.session() as session:
            found, _ = incidents.list_incidents(
                session, READER, incidents.IncidentFilter(), limit=1000
            )
            calls = sorted(
                (i.type_code, i.area_code, (i.received_at - config.start).total_seconds(),
                 *(() if i.source == Source.OFFICER else (i.lon, i.lat, i.summary, i.source)))
                for i in found
            )  # fmt: skip
            handled = sorted(
                (i.received_at, i.dispatched_at, i.on_scene_at,
                 tuple(a.unit_id for a in incidents.assignments(session, READER, i.id)))
                for i in found
            )  # fmt: skip
            return calls, handled
    finally:
        db.dispose()


def test_dispatch_behaviour_does_not_change_the_calls(tmp_path):
    start = (utcnow() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    base = dict(day_kind="holiday", start=start, end=start + timedelta(minutes=30), speed=None,
                tick_s=20, rate_scale=15, help_scale=0.0)  # fmt: skip
    calls_a, handled_a = _calls(tmp_path / "a", SimConfig(**base))
    calls_b, handled_b = _calls(
        tmp_path / "b", SimConfig(**base, moveups=True, dispatcher_delay_s=5.0)
    )
    assert handled_a != handled_b  # the units did differ
    assert len(calls_a) >= 5 and calls_a == calls_b
