"""Registering, binding and commanding devices over the API, on both stores."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import create_unit

API = "/api/v1/devices"


def audit_actions(client, accounts) -> list[str]:
    r = client.get("/api/v1/audit?limit=200", headers=accounts.headers(Role.AUDITOR))
    return [a["action"] for a in r.json()["items"]]


def test_register_list_bind_unbind_are_audited(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    unit = create_unit(client, cmd, "康巴什01")
    r = client.post(API, json={"serial": "RB-0001", "kind": "patrol_robot"}, headers=cmd)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "巡逻机器人 RB-0001" and r.json()["unit_id"] is None
    r = client.put(f"{API}/RB-0001/unit", json={"unit_id": unit["id"]}, headers=cmd)
    assert r.status_code == 200 and r.json()["unit_id"] == unit["id"]
    listed = client.get(f"{API}?unit_id={unit['id']}", headers=accounts.headers(Role.OFFICER))
    assert [d["serial"] for d in listed.json()["items"]] == ["RB-0001"]
    r = client.delete(f"{API}/RB-0001/unit", headers=cmd)
    assert r.status_code == 200 and r.json()["unit_id"] is None and r.json()["bound_at"] is None
    actions = audit_actions(client, accounts)
    assert {"device.register", "device.bound", "device.unbound"} <= set(actions)


def test_registration_is_validated(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    ok = {"serial": "UAV-01", "kind": "drone"}
    assert client.post(API, json=ok, headers=cmd).status_code == 201
    dup = client.post(API, json=ok, headers=cmd)
    assert dup.status_code == 409 and dup.json()["code"] == "serial_taken"
    kind = client.post(API, json={"serial": "X1", "kind": "toaster"}, headers=cmd)
    assert kind.status_code == 422 and kind.json()["code"] == "bad_device_kind"
    for serial in ("has/slash", "+", "live", ""):
        r = client.post(API, json={"serial": serial, "kind": "drone"}, headers=cmd)
        assert r.status_code == 422, serial
    unit = client.post(API, json={"serial": "X2", "kind": "radio", "unit_id": 999}, headers=cmd)
    assert unit.status_code == 404 and unit.json()["code"] == "unit_not_found"
    assert client.get(f"{API}/nope", headers=cmd).status_code == 404


def test_commands_are_checked_against_the_kind_and_queued(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    client.post(API, json={"serial": "BC-0001", "kind": "body_camera"}, headers=cmd)
    disp = accounts.headers(Role.DISPATCHER)
    broadcast = {"command": {"type": "broadcast", "text": "请勿拥挤"}}
    r = client.post(f"{API}/BC-0001/commands", json=broadcast, headers=disp)
    assert r.status_code == 422 and r.json()["code"] == "command_not_supported"
    rec = {"command": {"type": "recording", "action": "start"}, "timeout_s": 30}
    r = client.post(f"{API}/BC-0001/commands", json=rec, headers=disp)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["state"] == "queued" and body["issued_by"] == "dispatcher1"
    listed = client.get(f"{API}/BC-0001/commands", headers=disp).json()
    assert [c["command_id"] for c in listed["items"]] == [body["command_id"]]
    assert "device.command" in audit_actions(client, accounts)
