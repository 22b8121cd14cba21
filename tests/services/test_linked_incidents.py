"""A concluded help-service case ends the incident it opened, through the incident state
machine, on both stores: a missing child handed over after a unit reached the scene
(resolved, then closed), a breakdown cleared before any unit arrived (cancelled with the
outcome as the reason), and an incident a dispatcher had already cancelled (left as it is)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pingan.auth.roles import Role
from pingan.bus.registry import Registry
from pingan.bus.relay import Relay
from pingan.bus.transport import InProcessTransport
from pingan.incidents.handlers import help_case_concluded
from tests.helpers import FOUNTAIN, bind, create_unit, report_fix
from tests.services.conftest import GUARDIAN_ID
from tests.services.test_missing_api import missing_body

API = "/api/v1/services"


@pytest.fixture
def relay(client, db) -> Iterator[Relay]:
    reg = Registry()
    reg.add("incidents.help_services", ["missing.found", "breakdown.cleared"], help_case_concluded)
    transport = InProcessTransport(db, reg)
    transport.register()
    yield Relay(db, transport)
    transport.close()


def _incident(client, accounts, incident_id: int) -> dict:
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=accounts.headers(Role.DISPATCHER))
    assert r.status_code == 200, r.text
    return r.json()


def test_missing_person_handed_over_resolves_and_closes_its_incident(client, accounts, relay):
    citizen, officer = accounts.headers(Role.CITIZEN), accounts.headers(Role.OFFICER)
    dispatcher = accounts.headers(Role.DISPATCHER)
    report = client.post(f"{API}/missing", json=missing_body(), headers=citizen).json()
    incident_id = report["incident_id"]
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡A01")
    bind(client, accounts, unit["id"])
    base = f"/api/v1/incidents/{incident_id}"
    sent = client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]]}, headers=dispatcher)
    assert sent.status_code == 200, sent.text
    scene = _incident(client, accounts, incident_id)
    report_fix(client, officer, unit["id"], (scene["lon"], scene["lat"]))
    for step in ("acknowledge", "en-route", "on-scene"):
        r = client.post(f"{base}/units/{unit['id']}/{step}", json={}, headers=officer)
        assert r.status_code == 200, r.text
    assert _incident(client, accounts, incident_id)["state"] == "on_scene"

    close = f"{API}/missing/{report['id']}/close"
    done = client.post(close, json={"guardian_id_number": GUARDIAN_ID}, headers=officer)
    assert done.status_code == 200, done.text
    relay.drain()

    incident = _incident(client, accounts, incident_id)
    assert incident["state"] == "closed" and incident["outcome"].startswith("走失人员已交监护人")
    last = incident["timeline"][-2:]
    assert [(e["kind"], e["from_state"], e["to_state"]) for e in last] == [
        ("resolved", "on_scene", "resolved"),
        ("closed", "resolved", "closed"),
    ]
    assert all(e["actor"] == "help-services" for e in last)
    assert report["case_number"] in last[1]["note"] and "监护人" in last[1]["note"]
    english = {**dispatcher, "Accept-Language": "en"}
    en = client.get(f"/api/v1/incidents/{incident_id}", headers=english).json()
    assert "guardian" in en["timeline"][-1]["note"]  # the same note, in the reader's language
    unit_now = client.get(f"/api/v1/units/{unit['id']}", headers=dispatcher).json()
    assert unit_now["status"] == "available"  # released by the resolution


def test_breakdown_cleared_cancels_an_incident_no_unit_reached(client, accounts, relay):
    citizen, dispatcher = accounts.headers(Role.CITIZEN), accounts.headers(Role.DISPATCHER)
    officer = accounts.headers(Role.OFFICER)
    body = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "vehicle": "白色大众轿车",
            "problem": "发动机无法启动", "plate": "蒙K12345", "phone": "13512345678"}  # fmt: skip

    def cleared_breakdown() -> tuple[int, str]:
        row = client.post(f"{API}/breakdowns", json=body, headers=citizen).json()
        url = f"{API}/breakdowns/{row['id']}"
        sent = client.post(f"{url}/dispatch", json={"to": "police"}, headers=dispatcher).json()
        return sent["incident_id"], url

    incident_id, url = cleared_breakdown()
    assert _incident(client, accounts, incident_id)["state"] == "received"
    assert client.post(f"{url}/clear", headers=officer).status_code == 200
    relay.drain()
    incident = _incident(client, accounts, incident_id)
    assert incident["state"] == "cancelled"
    last = incident["timeline"][-1]
    assert (last["kind"], last["from_state"], last["actor"]) == (
        "cancelled", "received", "help-services"
    )  # fmt: skip
    assert last["note"].startswith("故障车辆已清障") and " / " not in last["note"]  # one language
    english = {**dispatcher, "Accept-Language": "en"}
    en = client.get(f"/api/v1/incidents/{incident_id}", headers=english).json()
    assert "no unit on scene" in en["timeline"][-1]["note"]  # the same note, in English

    # A dispatcher cancelled the incident first: the clearance leaves it as it was.
    incident_id, url = cleared_breakdown()
    cancel = {"reason": "重复报警"}
    r = client.post(f"/api/v1/incidents/{incident_id}/cancel", json=cancel, headers=dispatcher)
    assert r.status_code == 200, r.text
    before = _incident(client, accounts, incident_id)
    assert client.post(f"{url}/clear", headers=officer).status_code == 200
    relay.drain()
    after = _incident(client, accounts, incident_id)
    assert after["state"] == "cancelled" and after["timeline"] == before["timeline"]
