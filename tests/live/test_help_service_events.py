"""Help-service changes reach the live feed (the KPI wall counts them as they happen), for
the roles that read the service statistics; a car found publishes an event without its plate."""

from __future__ import annotations

import json

from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from tests.helpers import FOUNTAIN
from tests.live.test_stream import _events, _frames
from tests.services.conftest import GUARDIAN_ID, ago

SERVICES = "/api/v1/services"


def test_help_service_families_reach_those_who_read_the_statistics(client, accounts):
    hub = client.app.state.live.attach()
    types = ["lost_found.returned", "missing.found", "breakdown.cleared", "parking.car_found"]
    hub.publish([e for i, t in enumerate(types, 1) for e in _events(i, 1, t)])
    url = f"/api/v1/live/stream?until_idle=0.2&cursor={hub.epoch}:0"
    for role in (Role.DISPATCHER, Role.COMMANDER, Role.AUDITOR):
        seen = _frames(client.get(url, headers=accounts.headers(role)).text)
        assert [f["event"] for f in seen] == types, role
    for role in (Role.VOLUNTEER, Role.OFFICER):
        assert _frames(client.get(url, headers=accounts.headers(role)).text) == [], role


def test_a_car_found_publishes_an_event_without_the_plate(client, accounts, db):
    officer = accounts.headers(Role.OFFICER)
    read = {"plate": "蒙K85123", "camera_id": "P-LAKE-01", "lon": FOUNTAIN[0] + 0.002,
            "lat": FOUNTAIN[1], "at": ago(minutes=20), "confidence": 0.93}  # fmt: skip
    assert (
        client.post(
            f"{SERVICES}/parking/reads", json={"reads": [read]}, headers=officer
        ).status_code
        == 201
    )
    owner = {"plate": "蒙K85123", "owner_id_number": GUARDIAN_ID}
    assert client.post(f"{SERVICES}/parking/owners", json=owner, headers=officer).status_code == 201
    ask = {"plate": "蒙K85123", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    refused = client.post(f"{SERVICES}/parking/find", json=ask, headers=officer)
    assert refused.status_code == 403
    with db.session() as s:
        assert not s.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "parking.car_found")
        ).all()
    found = client.post(
        f"{SERVICES}/parking/find", json={**ask, "reason": "车主求助找车，已核实"}, headers=officer
    )
    assert found.status_code == 200, found.text
    with db.session() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "parking.car_found")).all()
        assert len(rows) == 1
        payload = rows[0].payload
    assert payload["basis"] == "officer"
    assert "85123" not in json.dumps(payload, ensure_ascii=False)
