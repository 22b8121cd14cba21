"""The reads behind the officer's certificate desk: the applications list filtered by status,
document kind and day, with documents, objections (their grounds) and overdue flags on a
pinned clock; one application's timeline from the audit trail; the record table's import
state; the in-person check naming the account by username. Role checks and masking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pingan.auth.roles import Role
from pingan.trust.certificates.workdays import add_working_days
from tests.trust.people import LI, ZHANG
from tests.trust.test_certificates_api import ID, URL, _apply, _l2, records  # noqa: F401

pytestmark = pytest.mark.usefixtures("loaded", "records")


def _two_applications(client, accounts):  # type: ignore[no-untyped-def]
    """A clean one (张三, the citizen) and a notice (李四, the volunteer) with an objection."""
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    clean = _apply(client, accounts).json()
    _l2(client, accounts, Role.VOLUNTEER, LI, "李四")
    notice = _apply(client, accounts, role=Role.VOLUNTEER).json()
    r = client.post(
        f"{URL}/applications/{notice['id']}/objections",
        json={"grounds": "该判决已撤销"},
        headers=accounts.headers(Role.VOLUNTEER),
    )
    assert r.status_code == 201, r.text
    return clean, notice, r.json()


def test_the_list_filters_and_carries_documents_objections_and_masks(client, accounts, clock):
    clean, notice, objection = _two_applications(client, accounts)
    auditor = accounts.headers(Role.AUDITOR)
    r = client.get(f"{URL}/applications", headers=auditor)
    assert r.status_code == 200, r.text
    assert ZHANG not in r.text and LI not in r.text and "张三" not in r.text
    items = {a["id"]: a for a in r.json()["items"]}
    assert items[clean["id"]]["documents"][0]["kind"] == "certificate"
    assert items[clean["id"]]["name_masked"] == "张*"
    assert items[notice["id"]]["objections"][0]["grounds"] == "该判决已撤销"
    assert not items[notice["id"]]["overdue"]

    def ids(**params):  # type: ignore[no-untyped-def]
        r = client.get(f"{URL}/applications", params=params, headers=auditor)
        assert r.status_code == 200, r.text
        return [a["id"] for a in r.json()["items"]]

    assert ids(kind="notice") == [notice["id"]]
    assert ids(kind="certificate") == [clean["id"]]
    assert ids(status="not_issued") == [notice["id"]]
    today = clock.now.date()
    assert set(ids(submitted_from=today.isoformat(), submitted_to=today.isoformat())) == {
        clean["id"],
        notice["id"],
    }
    assert ids(submitted_from=(today + timedelta(days=1)).isoformat()) == []
    assert ids(submitted_to=(today - timedelta(days=1)).isoformat()) == []
    assert len(ids(submitted_from="0001-01-01", submitted_to="9999-12-31")) == 2
    r = client.get(f"{URL}/applications", params={"submitted_from": "x"}, headers=auditor)
    assert r.status_code == 422
    assert (
        client.get(f"{URL}/applications", headers=accounts.headers(Role.CITIZEN)).status_code == 403
    )

    # an open objection past its 15 working days is overdue; extended, it is not
    due = add_working_days(today, 15)[0]
    clock.now += timedelta(days=(due - today).days + 1)
    listed = client.get(f"{URL}/objections", headers=auditor).json()["items"]
    assert [o["overdue"] for o in listed if o["id"] == objection["id"]] == [True]
    r = client.post(
        f"{URL}/objections/{objection['id']}/extend", headers=accounts.headers(Role.OFFICER)
    )
    assert r.status_code == 200 and r.json()["extended"] and not r.json()["overdue"]


def test_an_applications_timeline_follows_the_audit_trail(client, accounts):
    clean, notice, objection = _two_applications(client, accounts)
    officer = accounts.headers(Role.OFFICER)
    number = clean["documents"][0]["number"]
    r = client.post(
        f"{URL}/documents/{number}/revoke", json={"reason": "核查有误"}, headers=officer
    )
    assert r.status_code == 200 and r.json()["revoke_reason"] == "核查有误"
    r = client.get(f"{URL}/applications/{clean['id']}/timeline", headers=officer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["action"] for e in body["timeline"]] == ["cert.apply", "cert.revoke"]
    assert body["timeline"][1]["detail"]["reason"] == "核查有误"
    assert body["timeline"][1]["actor"] == "officer1"
    assert body["documents"][0]["revoked_at"] and ZHANG not in r.text

    r = client.post(
        f"{URL}/objections/{objection['id']}/answer",
        json={"upheld": False, "answer": "判决仍然有效"},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    timeline = client.get(
        f"{URL}/applications/{notice['id']}/timeline", headers=accounts.headers(Role.AUDITOR)
    ).json()["timeline"]
    assert [e["action"] for e in timeline] == [
        "cert.apply",
        "cert.objection",
        "cert.objection_answer",
    ]
    assert timeline[2]["detail"]["status"] == "dismissed"
    for role, code in ((Role.CITIZEN, 403), (Role.OFFICER, 404)):
        missing = 999999 if code == 404 else clean["id"]
        r = client.get(f"{URL}/applications/{missing}/timeline", headers=accounts.headers(role))
        assert r.status_code == code


def test_the_record_tables_import_state(client, accounts):
    r = client.get(f"{URL}/records/status", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 200, r.text
    body = r.json()
    # three rows: one counting conviction, one sealed juvenile record, one not in force
    assert (body["rows"], body["counting"], body["imported_by"]) == (3, 1, "commander1")
    assert body["imported_at"]
    r = client.get(f"{URL}/records/status", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 403


def test_in_person_by_username(client, accounts):
    officer = accounts.headers(Role.OFFICER)
    body = {"id_number": ZHANG, "name": "张三", "username": "nobody-here"}
    r = client.post(f"{ID}/in-person", json=body, headers=officer)
    assert r.status_code == 404 and r.json()["code"] == "no_such_account"
    assert "nobody-here" in r.json()["detail"]
    both = {**body, "username": "citizen1", "user_id": accounts.ids[Role.VOLUNTEER]}
    r = client.post(f"{ID}/in-person", json=both, headers=officer)
    assert r.status_code == 422 and r.json()["code"] == "account_mismatch"
    r = client.post(f"{ID}/in-person", json={**body, "username": "officer1"}, headers=officer)
    assert r.status_code == 403 and r.json()["code"] == "own_verification"
    r = client.post(f"{ID}/in-person", json={**body, "username": "citizen1"}, headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["level"] == 3
    assert r.json()["verification"]["user_id"] == accounts.ids[Role.CITIZEN]
    r = client.post(
        f"{ID}/in-person",
        json={**body, "username": "citizen1"},
        headers=accounts.headers(Role.AUDITOR),
    )
    assert r.status_code == 403
