"""Auto-dispatch: the policy file decides; the recommendation is sent as is, or nothing."""

from __future__ import annotations

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
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
