"""Two dispatchers racing for one available unit: exactly one wins, on real connections."""

from __future__ import annotations

import threading

import pytest

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import Conflict
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.units import service as units
from pingan.units.models import Unit

DISPATCHER = Actor(user_id=None, username="race", role=Role.DISPATCHER)
ROUNDS = 10
CONTENDERS = 4


def _incident(session, vault, i: int) -> int:
    new = incidents.NewIncident(
        type_code="theft", summary=f"race {i}", lon=109.78, lat=39.6, source=Source.CALL_110
    )
    return incidents.create_incident(session, DISPATCHER, vault, new).id


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_exactly_one_dispatcher_gets_the_unit(db, vault, round_):
    with db.session() as session:
        unit_id = units.create_unit(session, Actor.system(), call_sign="抢01", kind="patrol_car").id
        incident_ids = [_incident(session, vault, i) for i in range(CONTENDERS)]
    barrier = threading.Barrier(CONTENDERS)
    wins, losses, errors = [], [], []

    def attempt(incident_id: int) -> None:
        with db.session() as session:
            barrier.wait()
            try:
                incidents.dispatch_units(session, DISPATCHER, incident_id, [unit_id])
                wins.append(incident_id)
            except Conflict as exc:
                losses.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
                errors.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in incident_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(wins) == 1, (wins, losses)
    assert losses == ["unit_unavailable"] * (CONTENDERS - 1)
    with db.session() as session:
        assert session.get(Unit, unit_id).status == "dispatched"
        losers = [i for i in incident_ids if i not in wins]
        for incident_id in losers:
            inc = incidents.get_incident(session, DISPATCHER, incident_id)
            assert inc.state == "received"  # the loser's request wrote nothing
        assert len(incidents.assignments(session, DISPATCHER, wins[0])) == 1
