"""The visits registry over HTTP with role headers, on both stores: the desk's setup, the
visitor's own registration and ties, the review and consents; refusals with their codes."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from tests.visits import rows

URL = "/api/v1/visits"
FACILITY = {
    "code": "KSS01",
    "name": "康巴什区看守所",
    "kind": "detention_centre",
    "phone": "0477-8581234",
    "hours": {"0": [["09:00", "11:30"], ["14:00", "17:00"]]},
    "slot_minutes": 30,
    "terminals": [
        {"code": "L1", "name": "律师会见室1", "use": "lawyer"},
        {"code": "F1", "name": "家属会见室1", "use": "family"},
    ],
}
PDF_B64 = base64.b64encode(rows.PDF).decode()


def _post(client, accounts, role, path, body):
    return client.post(URL + path, json=body, headers=accounts.headers(role))


def _get(client, accounts, who, path, **params):
    return client.get(URL + path, params=params, headers=accounts.headers(who))


def _setup(client, accounts, clock) -> tuple[int, int]:
    r = _post(client, accounts, Role.COMMANDER, "/facilities", FACILITY)
    assert r.status_code == 201, r.text
    facility_id = r.json()["id"]
    detainee = {
        "detainee_no": "D0001",
        "facility_id": facility_id,
        "name": "刘某某",
        "id_number": rows.id_number("19900505", "321"),
        "stage": "investigation",
        "case_authority": "康巴什区公安分局",
        "held_since": (clock.now - timedelta(days=3)).isoformat(),
    }
    r = _post(client, accounts, Role.OFFICER, "/detainees", detainee)
    assert r.status_code == 201, r.text
    return facility_id, r.json()["id"]


def test_facilities_are_set_up_by_commanders_and_listed_to_every_role(client, accounts, clock):
    r = _post(client, accounts, Role.OFFICER, "/facilities", FACILITY)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = _post(client, accounts, Role.COMMANDER, "/facilities", FACILITY)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["phone"] == "04778581234" and len(body["terminals"]) == 2
    assert _post(client, accounts, Role.ADMIN, "/facilities", FACILITY).json()["code"] == (
        "facility_exists"
    )
    bad = {**FACILITY, "code": "KSS02", "hours": {"0": [["14:00", "09:00"]]}}
    r = _post(client, accounts, Role.COMMANDER, "/facilities", bad)
    assert r.status_code == 422 and r.json()["code"] == "bad_hours"
    for role in (Role.CITIZEN, Role.LAWYER, Role.AUDITOR):
        r = _get(client, accounts, role, "/facilities")
        assert r.status_code == 200
        (one,) = r.json()
        assert one["code"] == "KSS01" and {t["use"] for t in one["terminals"]} == {
            "lawyer",
            "family",
        }
    r = client.post(
        f"{URL}/facilities/{body['id']}/terminals",
        json={"code": "F1", "name": "家属会见室1", "use": "any", "active": False},
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 200 and r.json()["use"] == "any"
    assert len(_get(client, accounts, Role.CITIZEN, "/facilities").json()[0]["terminals"]) == 1
    r = client.patch(
        f"{URL}/facilities/{body['id']}",
        json={"slot_minutes": 60},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 200 and r.json()["slot_minutes"] == 60


def test_the_desk_registers_detainees_and_lists_them_masked(client, accounts, clock):
    facility_id, detainee_id = _setup(client, accounts, clock)
    number = rows.id_number("19900505", "321")
    r = _get(client, accounts, Role.AUDITOR, "/detainees", facility_id=facility_id)
    assert r.status_code == 200
    (one,) = r.json()
    assert one["name_masked"] == "刘**" and one["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert "刘某某" not in r.text and number not in r.text
    assert _get(client, accounts, Role.OFFICER, "/detainees", q=number).json()[0]["id"] == (
        detainee_id
    )
    assert _get(client, accounts, Role.CITIZEN, "/detainees").status_code == 403
    r = client.patch(
        f"{URL}/detainees/{detainee_id}",
        json={"restrictions": ["lawyer_needs_permission"], "stage": "prosecution"},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.status_code == 200 and r.json()["restrictions"] == ["lawyer_needs_permission"]
    r = client.patch(
        f"{URL}/detainees/{detainee_id}",
        json={"restrictions": ["gagged"]},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_restriction"
    bad = {
        "detainee_no": "D0002",
        "facility_id": facility_id,
        "name": "王某",
        "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"),
        "stage": "trial",
        "case_authority": "分局",
        "held_since": clock.now.isoformat(),
    }
    r = _post(client, accounts, Role.OFFICER, "/detainees", bad)
    assert r.status_code == 422 and r.json()["code"] == "invalid_id_number"
    r = client.patch(
        f"{URL}/detainees/{detainee_id}",
        json={"status": "released"},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 200 and r.json()["status"] == "released"


def test_a_visitor_registers_at_l2_ties_to_a_detainee_and_the_desk_reviews(
    client, accounts, db, vault, clock
):
    _setup(client, accounts, clock)
    me = {"role": "family", "phone": "13700001111"}
    r = _post(client, accounts, Role.CITIZEN, "/visitors/me", me)
    assert r.status_code == 403 and r.json()["code"] == "assurance_too_low"
    with db.session() as s:
        rows.give_l2(
            s,
            vault,
            accounts.ids[Role.CITIZEN],
            number=rows.id_number(),
            name="张三",
            now=clock.now,
        )
    r = _post(client, accounts, Role.CITIZEN, "/visitors/me", {"role": "lawyer"})
    assert r.status_code == 403 and r.json()["code"] == "lawyer_role_needed"
    r = _post(client, accounts, Role.CITIZEN, "/visitors/me", me)
    assert r.status_code == 201, r.text
    visitor = r.json()
    assert visitor["name_masked"] == "张*" and visitor["phone_masked"] == "137****1111"
    assert _post(client, accounts, Role.CITIZEN, "/visitors/me", me).status_code == 200
    assert _get(client, accounts, Role.CITIZEN, "/visitors/me").json()["id"] == visitor["id"]

    tie = {
        "detainee_no": "D0001",
        "detainee_name": "刘某",
        "relation": "spouse",
        "proof_kind": "marriage_certificate",
        "proof_b64": PDF_B64,
    }
    r = _post(client, accounts, Role.CITIZEN, "/relations", tie)
    assert r.status_code == 404 and r.json()["code"] == "detainee_not_found"
    r = _post(client, accounts, Role.CITIZEN, "/relations", {**tie, "detainee_no": "D404"})
    assert (
        r.status_code == 404
        and r.json()["detail"]
        == (_post(client, accounts, Role.CITIZEN, "/relations", tie).json()["detail"])
    )
    r = _post(client, accounts, Role.CITIZEN, "/relations", {**tie, "detainee_name": "刘某某"})
    assert r.status_code == 201, r.text
    rel = r.json()
    assert rel["status"] == "pending" and rel["detainee"]["name_masked"] == "刘**"
    assert _get(client, accounts, Role.CITIZEN, "/relations/mine").json()[0]["id"] == rel["id"]

    pending = _get(client, accounts, Role.OFFICER, "/relations", status="pending").json()
    assert [p["id"] for p in pending] == [rel["id"]]
    r = _get(client, accounts, Role.OFFICER, f"/relations/{rel['id']}/proof")
    assert r.status_code == 200 and r.content == rows.PDF
    assert r.headers["content-type"] == "application/pdf"
    r = _post(
        client, accounts, Role.AUDITOR, f"/relations/{rel['id']}/review", {"decision": "accept"}
    )
    assert r.status_code == 403
    r = _post(
        client, accounts, Role.OFFICER, f"/relations/{rel['id']}/review", {"decision": "refuse"}
    )
    assert r.status_code == 422 and r.json()["code"] == "reason_needed"
    r = _post(
        client, accounts, Role.OFFICER, f"/relations/{rel['id']}/review", {"decision": "accept"}
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    with db.session(read_only=True) as s:
        actions = set(s.scalars(select(AuditRecord.action)))
        details = str(s.scalars(select(AuditRecord.detail)).all())
    assert {
        "visits.visitor_registered",
        "visits.relation_claimed",
        "visits.proof_viewed",
        "visits.relation_reviewed",
        "visits.detainee_created",
    } <= actions
    assert "张三" not in details and "刘某某" not in details and rows.id_number() not in details


def test_a_lawyer_registers_with_licence_and_firm(client, accounts, db, vault, clock):
    with db.session() as s:
        rows.give_l2(
            s,
            vault,
            accounts.ids[Role.LAWYER],
            number=rows.id_number(seq="555"),
            name="李律师",
            now=clock.now,
        )
    body = {"role": "lawyer", "licence_no": "1150120201012345", "organisation": "鄂尔多斯律所"}
    r = _post(client, accounts, Role.LAWYER, "/visitors/me", body)
    assert r.status_code == 422 and r.json()["code"] == "bad_licence_no"
    r = _post(client, accounts, Role.LAWYER, "/visitors/me", {**body, "licence_no": rows.LICENCE})
    assert r.status_code == 201 and r.json()["licence_no"] == rows.LICENCE
    r = _post(client, accounts, Role.LAWYER, "/visitors/me", {"role": "family"})
    assert r.status_code == 403 and r.json()["code"] == "family_role_needed"
    listed = _get(client, accounts, Role.AUDITOR, "/visitors", role="lawyer").json()
    assert [v["name_masked"] for v in listed] == ["李**"]


def test_consular_officers_consents_and_reinstatement_at_the_desk(
    client, accounts, db, vault, clock
):
    _, detainee_id = _setup(client, accounts, clock)
    consul = {
        "user_id": accounts.ids[Role.CITIZEN],
        "name": "John Smith",
        "document_no": "LS-2026-0042",
        "organisation": "某国驻华使馆领事部",
    }
    r = _post(
        client,
        accounts,
        Role.OFFICER,
        "/visitors/consular",
        {**consul, "user_id": accounts.ids[Role.OFFICER]},
    )
    assert r.status_code == 422 and r.json()["code"] == "not_citizen_account"
    r = _post(client, accounts, Role.OFFICER, "/visitors/consular", consul)
    assert r.status_code == 201 and r.json()["role"] == "consular"
    visitor_id = r.json()["id"]
    assert _post(client, accounts, Role.OFFICER, "/visitors/consular", consul).json()["code"] == (
        "already_registered"
    )
    r = _post(
        client, accounts, Role.OFFICER, f"/visitors/{visitor_id}/reinstate", {"reason": "误判"}
    )
    assert r.status_code == 409 and r.json()["code"] == "not_suspended"

    now = clock.now
    consent = {
        "detainee_id": detainee_id,
        "authority": "康巴什区公安分局",
        "document_no": "康公会字〔2026〕7号",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=30)).isoformat(),
    }
    r = _post(
        client,
        accounts,
        Role.OFFICER,
        "/approvals",
        {**consent, "valid_until": (now - timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_validity"
    r = _post(client, accounts, Role.OFFICER, "/approvals", consent)
    assert r.status_code == 201 and r.json()["state"] == "valid"
    approval_id = r.json()["id"]
    listed = _get(client, accounts, Role.AUDITOR, "/approvals", detainee_id=detainee_id).json()
    assert [a["id"] for a in listed] == [approval_id]
    r = _post(
        client, accounts, Role.OFFICER, f"/approvals/{approval_id}/revoke", {"reason": "撤回"}
    )
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    r = _post(
        client, accounts, Role.OFFICER, f"/approvals/{approval_id}/revoke", {"reason": "撤回"}
    )
    assert r.status_code == 409 and r.json()["code"] == "already_revoked"
