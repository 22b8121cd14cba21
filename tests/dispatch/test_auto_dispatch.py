"""Auto-dispatch: the policy file decides; the recommendation is sent as is, or nothing."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.base import utcnow
from pingan.dispatch.service import PoolCache, auto_dispatch, auto_dispatches
from pingan.geo.city import load_city
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.units import service as units
from tests.dispatch.test_dispatch_api import FOUNTAIN, SQUARE

DISPATCHER = Actor(user_id=None, username="d", role=Role.DISPATCHER)


def _incident(session, vault, type_code: str) -> int:
    new = incidents.NewIncident(
        type_code=type_code,
        summary="x",
        lon=FOUNTAIN[0],
        lat=FOUNTAIN[1],
        source=Source.VIDEO_ANALYTICS,
    )
    return incidents.create_incident(session, DISPATCHER, vault, new).id


def test_policy_reads_the_data_file():
    assert auto_dispatches("crowding", 1) and auto_dispatches("fight", 1)
    assert not auto_dispatches("fight", 2) and not auto_dispatches("theft", 3)


def test_auto_dispatch_sends_the_recommendation_only_when_the_policy_says(db, vault, tmp_path):
    city = load_city(cache_dir=tmp_path)
    pools = PoolCache()
    system = Actor.system()
    with db.session() as session:
        for i, (kind, where) in enumerate(
            [("ptu", FOUNTAIN), ("ptu", SQUARE), ("patrol_car", SQUARE), ("patrol_car", FOUNTAIN)]
        ):
            units.create_unit(session, system, call_sign=f"U{i}", kind=kind, post=where)
        theft = _incident(session, vault, "theft")
        assert auto_dispatch(session, city, pools, theft) == []
        fight = _incident(session, vault, "fight")
        sent = auto_dispatch(session, city, pools, fight)
        assert len(sent) == 3
        inc = incidents.get_incident(session, DISPATCHER, fight)
        assert inc.state == "dispatched"
        steps = incidents.timeline(session, DISPATCHER, fight)
        assert steps[-1].actor == "auto-dispatch" and "自动派警" in steps[-1].note
        # a second call changes nothing: the incident is no longer waiting
        assert auto_dispatch(session, city, pools, fight) == []


def test_auto_dispatch_stamps_the_order_at_the_calls_receipt_in_a_replayed_day(db, vault, tmp_path):
    """A call replayed hours back (the simulated day) is sent at its own moment, not at the
    wall clock's: otherwise its crews would wait for a time the day never reaches."""
    city = load_city(cache_dir=tmp_path)
    system = Actor.system()
    received = utcnow().replace(microsecond=0) - timedelta(hours=3)
    with db.session() as session:
        for i, kind in enumerate(["ptu", "ptu", "patrol_car"]):
            units.create_unit(session, system, call_sign=f"R{i}", kind=kind, post=SQUARE)
        new = incidents.NewIncident(
            type_code="fight", summary="x", lon=FOUNTAIN[0], lat=FOUNTAIN[1],
            source=Source.CALL_110, received_at=received,
        )  # fmt: skip
        fight = incidents.create_incident(session, system, vault, new).id  # as the 110 line
        assert len(auto_dispatch(session, city, PoolCache(), fight)) == 3
        inc = incidents.get_incident(session, DISPATCHER, fight)
        assert inc.dispatched_at == received
        sent = incidents.assignments(session, DISPATCHER, fight)
        assert {a.dispatched_at for a in sent} == {received}
