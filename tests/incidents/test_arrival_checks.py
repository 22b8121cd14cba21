"""Response times cannot be faked: officers step only their bound units, an arrival needs the
unit's last fix at the scene (or a dispatcher's override, flagged), steps keep their order,
and reporters choose neither the priority nor the time of receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pingan.auth.roles import Role
from pingan.geo.coords import haversine_m
from tests.helpers import FOUNTAIN, bind, create_incident, create_unit, incident_body, report_fix

TWO_KM_EAST = (FOUNTAIN[0] + 0.0234, FOUNTAIN[1])  # about 2 km at this latitude


@pytest.fixture
def sent(client, accounts):  # type: ignore[no-untyped-def]
    """An incident received 5 minutes ago, with one unit (bound to the officer) en route."""
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    received = datetime.now(UTC) - timedelta(minutes=5)
    inc = create_incident(client, disp, received_at=received.isoformat())
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡D01")
    bind(client, accounts, unit["id"])
    base = f"/api/v1/incidents/{inc['id']}"
    at = (received + timedelta(seconds=10)).isoformat()
    r = client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]], "at": at}, headers=disp)
    assert r.status_code == 200, r.text
    for step, secs in (("acknowledge", 20), ("en-route", 30)):
        at = (received + timedelta(seconds=secs)).isoformat()
        r = client.post(f"{base}/units/{unit['id']}/{step}", json={"at": at}, headers=officer)
        assert r.status_code == 200, r.text
    return {"incident": inc, "unit": unit, "base": base, "received": received}


def _arrive(client, headers, sent, **body):  # type: ignore[no-untyped-def]
    url = f"{sent['base']}/units/{sent['unit']['id']}/on-scene"
    return client.post(url, json=body, headers=headers)


def test_officer_cannot_step_a_unit_not_bound_to_them(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡D02")
    base = f"/api/v1/incidents/{inc['id']}"
    client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp)
    officer = accounts.headers(Role.OFFICER)
    r = client.post(f"{base}/units/{unit['id']}/acknowledge", json={}, headers=officer)
    assert r.status_code == 403 and r.json()["code"] == "unit_not_bound"
    r = client.post(f"{base}/units/{unit['id']}/release", json={}, headers=officer)
    assert r.status_code == 403
    assert client.get(base, headers=disp).json()["state"] == "dispatched"


def test_on_scene_two_km_away_is_409_with_the_distance(client, accounts, sent):
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], TWO_KM_EAST)
    r = _arrive(client, officer, sent)
    assert r.status_code == 409 and r.json()["code"] == "arrival_not_verified"
    metres = round(haversine_m(*TWO_KM_EAST, *FOUNTAIN))
    assert 1900 < metres < 2100 and f"{metres} 米" in r.json()["detail"]
    assert "150" in r.json()["detail"]
    after = client.get(sent["base"], headers=officer).json()
    assert after["state"] == "en_route" and after["on_scene_at"] is None


def test_on_scene_without_any_fix_is_409(client, accounts, sent):
    r = _arrive(client, accounts.headers(Role.OFFICER), sent)
    assert r.status_code == 409 and "没有定位" in r.json()["detail"]


def test_on_scene_with_a_fix_far_from_the_arrival_time_is_409(client, accounts, sent):
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], FOUNTAIN)  # now, at the scene
    one_second = (sent["received"] + timedelta(seconds=31)).isoformat()  # claimed long ago
    r = _arrive(client, officer, sent, at=one_second)
    assert r.status_code == 409 and r.json()["code"] == "arrival_not_verified"
    assert "与到场时间相差" in r.json()["detail"]


def test_on_scene_confirmed_by_a_fix_at_the_scene_is_verified(client, accounts, sent):
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], (FOUNTAIN[0] + 0.0005, FOUNTAIN[1]))
    r = _arrive(client, officer, sent)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "on_scene" and body["arrival_check"] == "verified"
    (assignment,) = body["assignments"]
    assert assignment["arrival_check"] == "verified" and 30 < assignment["arrival_distance_m"] < 60
    assert assignment["override_reason"] is None
    step = body["timeline"][-1]
    assert step["kind"] == "on_scene" and step["data"]["arrival"] == "verified"


def test_dispatcher_override_is_accepted_flagged_and_audited(client, accounts, sent):
    officer, disp = accounts.headers(Role.OFFICER), accounts.headers(Role.DISPATCHER)
    report_fix(client, officer, sent["unit"]["id"], TWO_KM_EAST)
    r = _arrive(client, disp, sent, override_reason="  车载定位故障，视频确认到场  ")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "on_scene" and body["arrival_check"] == "overridden"
    (assignment,) = body["assignments"]
    assert assignment["arrival_check"] == "overridden"
    assert assignment["override_reason"] == "车载定位故障，视频确认到场"
    assert assignment["override_by"] == "dispatcher1" and assignment["arrival_distance_m"] > 1900
    step = body["timeline"][-1]
    assert step["data"]["arrival"] == "overridden" and "最后定位距事发地" in step["data"][
        "unconfirmed"
    ]  # fmt: skip
    en = client.get(sent["base"], headers={**disp, "Accept-Language": "en"}).json()
    assert "m from the incident" in en["timeline"][-1]["data"]["unconfirmed"]
    records = client.get(
        "/api/v1/audit?action=incident.on_scene", headers=accounts.headers(Role.AUDITOR)
    ).json()["items"]
    assert any(a["detail"].get("arrival") == "overridden" for a in records), records


def test_officer_cannot_override_an_unconfirmed_arrival(client, accounts, sent):
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], TWO_KM_EAST)
    r = _arrive(client, officer, sent, override_reason="我到了 / I am there")
    assert r.status_code == 403 and r.json()["code"] == "override_not_allowed"


def test_backdated_step_is_422(client, accounts, sent):
    """No client time earlier than the unit's previous step (en route at +30 s)."""
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], FOUNTAIN)
    before = (sent["received"] + timedelta(seconds=25)).isoformat()
    r = _arrive(client, officer, sent, at=before)
    assert r.status_code == 422 and r.json()["code"] == "time_order"


def test_step_in_the_future_is_422(client, accounts, sent):
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    r = _arrive(client, accounts.headers(Role.DISPATCHER), sent, at=later)
    assert r.status_code == 422 and r.json()["code"] == "future_time"


def test_resolve_cannot_be_dated_before_the_arrival(client, accounts, sent):
    officer = accounts.headers(Role.OFFICER)
    report_fix(client, officer, sent["unit"]["id"], FOUNTAIN)
    assert _arrive(client, officer, sent).status_code == 200
    early = (sent["received"] + timedelta(seconds=60)).isoformat()
    r = client.post(
        f"{sent['base']}/resolve", json={"outcome": "调解", "at": early}, headers=officer
    )
    assert r.status_code == 422 and r.json()["code"] == "time_order"


def test_officer_cannot_resolve_an_incident_none_of_their_units_was_sent_to(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡D03")
    base = f"/api/v1/incidents/{inc['id']}"
    client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp)
    report_fix(client, disp, unit["id"], FOUNTAIN)
    assert client.post(f"{base}/units/{unit['id']}/on-scene", json={}, headers=disp).is_success
    officer = accounts.headers(Role.OFFICER)
    r = client.post(f"{base}/resolve", json={"outcome": "x"}, headers=officer)
    assert r.status_code == 403 and r.json()["code"] == "unit_not_bound"


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.VOLUNTEER])
def test_reporters_cannot_choose_the_priority(client, accounts, role):
    body = incident_body(source="citizen_app", priority=1)
    r = client.post("/api/v1/incidents", json=body, headers=accounts.headers(role))
    assert r.status_code == 422 and r.json()["code"] == "priority_not_allowed"


def test_citizen_cannot_backdate_received_at(client, accounts):
    week = (datetime.now(UTC) - timedelta(days=6)).isoformat()
    body = incident_body(source="citizen_app", received_at=week)
    r = client.post("/api/v1/incidents", json=body, headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 422 and r.json()["code"] == "received_at_not_allowed"
    plain = client.post(
        "/api/v1/incidents",
        json=incident_body(source="citizen_app"),
        headers=accounts.headers(Role.CITIZEN),
    )
    assert plain.status_code == 201 and plain.json()["priority"] == 1  # the type's priority


def test_call_taker_may_backdate_only_within_the_window(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    late = datetime.now(UTC) - timedelta(minutes=40)
    inc = create_incident(client, disp, received_at=late.isoformat(), priority=2)
    assert inc["priority"] == 2
    assert datetime.fromisoformat(inc["received_at"]) == late
    too_late = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    r = client.post("/api/v1/incidents", json=incident_body(received_at=too_late), headers=disp)
    assert r.status_code == 422 and r.json()["code"] == "stale_time"
    assert "60" in r.json()["detail"]
