"""The e-certificate over HTTP, on SQLite and PostgreSQL: apply at L2, the automatic check
(effective convictions only, sealed juvenile records clean), the three documents, working-day
due dates, objections, consent-code queries, revocation, online verification with scan
limits and PIN, the record import all or nothing, masking."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.trust.certificates import verify
from pingan.trust.certificates.models import Application, CriminalRecord
from pingan.trust.certificates.workdays import add_working_days
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms
from tests.trust.people import LI, ZHANG, ZHAO

URL = "/api/v1/trust/certificates"
ID = "/api/v1/trust/identity"
pytestmark = pytest.mark.usefixtures("loaded")

RECORDS = (
    "id_number,court,judgement_date,effective,juvenile_sealed,offence_code\n"
    f"{LI},鄂尔多斯市中级人民法院,2015-06-01,1,0,264\n"
    f"{ZHANG},康巴什区人民法院,2006-03-01,1,1,264\n"  # sealed juvenile record: clean
    f"{ZHANG},康巴什区人民法院,2020-03-01,0,0,234\n"  # not in force: not a record
)


def _l2(client, accounts, role, id_number, name):  # type: ignore[no-untyped-def]
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    h = accounts.headers(role)
    r = client.post(f"{ID}/verify", json={"id_number": id_number, "name": name}, headers=h)
    assert r.status_code == 200, r.text
    r = client.post(f"{ID}/verify", json={"method": "face", "image_ref": "sdk-1"}, headers=h)
    assert r.status_code == 200 and r.json()["level"] == 2, r.text


@pytest.fixture
def records(client, accounts):  # type: ignore[no-untyped-def]
    r = client.post(
        f"{URL}/records", json={"csv": RECORDS}, headers=accounts.headers(Role.COMMANDER)
    )
    assert r.status_code == 200 and r.json() == {"imported": 3}, r.text


def _apply(client, accounts, role=Role.CITIZEN, **extra):  # type: ignore[no-untyped-def]
    body = {"purpose": "employment", "period_from": "2008-01-01", "station": "康巴什派出所"}
    body |= {"period_to": client.app.state.clock.now.date().isoformat()} | extra
    return client.post(f"{URL}/applications", json=body, headers=accounts.headers(role))


def _document(client, accounts, number, role=Role.CITIZEN):  # type: ignore[no-untyped-def]
    r = client.get(f"{URL}/documents/{number}", headers=accounts.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


def test_applying_needs_level_two_and_stores_nothing_below(client, accounts, db, records):
    h = accounts.headers(Role.CITIZEN)
    client.post(f"{ID}/verify", json={"id_number": ZHANG, "name": "张三"}, headers=h)
    r = _apply(client, accounts)
    assert r.status_code == 403 and r.json()["code"] == "assurance_too_low"
    with db.session(read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 0


def test_clean_certificate_issued_verified_counted_and_revoked(
    client, accounts, db, records, clock
):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    r = _apply(client, accounts, sm2=True)
    assert r.status_code == 201, r.text
    app = r.json()
    assert (app["status"], app["reason"], app["level"], app["method"]) == (
        "issued",
        None,
        2,
        "face",
    )
    assert app["due_on"] == add_working_days(clock.now.date(), 3)[0].isoformat()
    (brief,) = app["documents"]
    doc = _document(client, accounts, brief["number"])
    vc = doc["credential"]
    assert vc["type"] == ["VerifiableCredential", "NoCriminalRecordCertificate"]
    assert vc["credentialSubject"]["result"] == "no_record"
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert len(vc["proof"]) == 2  # eddsa-jcs-2022 and sm2-jcs-2025
    # offline, with the public key list only
    keys = client.get("/api/v1/trust/keys").json()
    assert verify.credential(vc, keys, now=clock.now).valid
    assert verify.payload(doc["qr_payload"], keys, now=clock.now).valid
    # online: masked summary, scans counted
    r = client.get(f"{URL}/verify", params={"payload": doc["qr_payload"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name_masked"] == "张*" and body["id_masked"] == ZHANG[:4] + "*" * 10 + ZHANG[-4:]
    assert body["scans_left"] == 4 and ZHANG not in r.text and "张三" not in r.text
    r = client.post(f"{URL}/verify", json={"credential": vc})
    assert r.status_code == 200 and r.json()["scans_left"] == 3
    tampered = json.loads(json.dumps(vc))
    tampered["credentialSubject"]["result"] = "record_found"
    r = client.post(f"{URL}/verify", json={"credential": tampered})
    assert r.status_code == 422 and r.json()["code"] == "bad_signature"
    # revocation: the citizen may not, an officer may; online and the status list both say so
    number = brief["number"]
    r = client.post(
        f"{URL}/documents/{number}/revoke",
        json={"reason": "错误"},
        headers=accounts.headers(Role.CITIZEN),
    )
    assert r.status_code == 403
    r = client.post(
        f"{URL}/documents/{number}/revoke",
        json={"reason": "核查有误"},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.status_code == 200, r.text
    r = client.get(f"{URL}/verify", params={"payload": doc["qr_payload"]})
    assert r.status_code == 410 and r.json()["code"] == "revoked"
    status = client.get(
        vc["credentialStatus"]["statusListCredential"].removeprefix("https://pingan.example")
    )
    assert status.status_code == 200
    assert verify.credential(vc, keys, now=clock.now, status=status.json()).reason == "revoked"
    # expiry
    clock.advance(days=93)
    r = client.post(f"{URL}/verify", json={"payload": doc["qr_payload"]})
    assert r.status_code == 410 and r.json()["code"] == "expired"
    with db.session(read_only=True) as s:
        actions = set(s.scalars(select(AuditRecord.action)))
        details = " ".join(
            json.dumps(d, ensure_ascii=False) for d in s.scalars(select(AuditRecord.detail))
        )
    assert {"cert.apply", "cert.revoke", "cert.scan", "cert.records_import"} <= actions
    assert ZHANG not in details and LI not in details


def test_scan_limit_and_holder_pin(client, accounts, records):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    number = _apply(client, accounts).json()["documents"][0]["number"]
    payload = _document(client, accounts, number)["qr_payload"]
    r = client.put(
        f"{URL}/documents/{number}/pin",
        json={"pin": "12ab"},
        headers=accounts.headers(Role.CITIZEN),
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_pin"
    r = client.put(
        f"{URL}/documents/{number}/pin",
        json={"pin": "2468"},
        headers=accounts.headers(Role.VOLUNTEER),
    )
    assert r.status_code == 404  # not the holder
    assert (
        client.put(
            f"{URL}/documents/{number}/pin",
            json={"pin": "2468"},
            headers=accounts.headers(Role.CITIZEN),
        ).status_code
        == 200
    )
    r = client.get(f"{URL}/verify", params={"payload": payload})
    assert r.status_code == 403 and r.json()["code"] == "pin_required"
    r = client.get(f"{URL}/verify", params={"payload": payload}, headers={"X-Holder-Pin": "1111"})
    assert r.status_code == 403 and r.json()["code"] == "pin_wrong"
    r = client.get(f"{URL}/verify", params={"payload": payload}, headers={"X-Holder-Pin": "2468"})
    assert r.status_code == 200 and r.json()["scans_left"] == 2
    for _ in range(2):
        assert (
            client.post(f"{URL}/verify", json={"payload": payload, "pin": "2468"}).status_code
            == 200
        )
    r = client.post(f"{URL}/verify", json={"payload": payload, "pin": "2468"})
    assert r.status_code == 429 and r.json()["code"] == "scan_limit_reached"


def test_a_record_gives_a_notice_without_its_details_then_an_objection(
    client, accounts, clock, records
):
    _l2(client, accounts, Role.CITIZEN, LI, "李四")
    app = _apply(client, accounts).json()
    assert (app["status"], app["reason"]) == ("not_issued", "record_found")
    doc = _document(client, accounts, app["documents"][0]["number"])
    assert doc["credential"]["type"][1] == "RecordFoundNotice" and doc["qr_payload"] is None
    text = json.dumps(doc, ensure_ascii=False)
    assert "法院" not in text and "264" not in text and "2015-06-01" not in text
    h = accounts.headers(Role.CITIZEN)
    r = client.post(
        f"{URL}/applications/{app['id']}/objections", json={"grounds": "该判决已撤销"}, headers=h
    )
    assert r.status_code == 201, r.text
    objection = r.json()
    assert objection["due_on"] == add_working_days(clock.now.date(), 15)[0].isoformat()
    r = client.post(
        f"{URL}/applications/{app['id']}/objections", json={"grounds": "again"}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "objection_open"
    oid = objection["id"]
    assert client.post(f"{URL}/objections/{oid}/extend", headers=h).status_code == 403
    officer = accounts.headers(Role.OFFICER)
    r = client.post(f"{URL}/objections/{oid}/extend", headers=officer)
    assert r.status_code == 200
    assert r.json()["due_on"] == add_working_days(clock.now.date(), 30)[0].isoformat()
    r = client.post(f"{URL}/objections/{oid}/extend", headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "already_extended"
    # the bureau corrects its table; the objection upheld gives a certificate
    fixed = RECORDS.replace(f"{LI},鄂尔多斯市中级人民法院,2015-06-01,1,0,264\n", "")
    client.post(f"{URL}/records", json={"csv": fixed}, headers=accounts.headers(Role.COMMANDER))
    r = client.post(
        f"{URL}/objections/{oid}/answer",
        json={"upheld": True, "answer": "经复核，判决已撤销"},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    assert r.json()["document"]["kind"] == "certificate"
    mine = client.get(f"{URL}/applications/{app['id']}", headers=h).json()
    assert mine["status"] == "issued" and mine["objections"][0]["status"] == "upheld"


def test_an_employer_query_needs_the_holders_consent_and_says_issued_only(
    client, accounts, records
):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    app = _apply(client, accounts).json()
    employer = accounts.headers(Role.VOLUNTEER)
    body = {"id_number": ZHANG, "consent_code": "DEADBEEF", "unit": "某保安服务公司"}
    r = client.post(f"{URL}/queries", json=body, headers=employer)
    assert r.status_code == 403 and r.json()["code"] == "no_consent"
    code = client.post(
        f"{URL}/applications/{app['id']}/consent", headers=accounts.headers(Role.CITIZEN)
    ).json()["code"]
    r = client.post(
        f"{URL}/queries", json=body | {"id_number": LI, "consent_code": code}, headers=employer
    )
    assert r.status_code == 403  # another person's number
    r = client.post(f"{URL}/queries", json=body | {"consent_code": code}, headers=employer)
    assert r.status_code == 201, r.text
    letter = r.json()["credential"]
    assert letter["type"][1] == "UnitQueryResultLetter"
    assert letter["credentialSubject"]["result"] == "issued"
    assert "张三" not in r.text and ZHANG not in r.text
    r = client.post(f"{URL}/queries", json=body | {"consent_code": code}, headers=employer)
    assert r.status_code == 403  # used once


def test_more_than_three_a_year_need_a_stated_purpose(client, accounts, records):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    for _ in range(3):
        assert _apply(client, accounts).status_code == 201
    r = _apply(client, accounts)
    assert r.status_code == 422 and r.json()["code"] == "purpose_statement_required"
    assert _apply(client, accounts, purpose_statement="出国留学，院校要求").status_code == 201
    for bad, code in [
        ({"purpose": "fun"}, "bad_purpose"),
        ({"period_from": "2099-01-01"}, "bad_period"),
    ]:
        r = _apply(client, accounts, purpose_statement="x", **bad)
        assert r.status_code == 422 and r.json()["code"] == code


def test_lists_are_masked_and_role_checked(client, accounts, records):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    _apply(client, accounts)
    assert (
        client.get(f"{URL}/applications", headers=accounts.headers(Role.CITIZEN)).status_code == 403
    )
    r = client.get(f"{URL}/applications", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 200 and r.json()["total"] == 1
    assert ZHANG not in r.text and r.json()["items"][0]["id_masked"].count("*") == 10


def test_record_import_is_all_or_nothing_with_line_errors(client, accounts, db):
    bad = RECORDS + f"{ZHAO},某法院,2030-01-01,1,0,264\n{ZHAO},某法院,2019-01-01,maybe,0,264\n"
    r = client.post(f"{URL}/records", json={"csv": bad}, headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 422 and r.json()["code"] == "bad_record_file"
    assert (
        "5" in r.json()["detail"]
        and "bad_date" in r.json()["detail"]
        and "bad_flag" in r.json()["detail"]
    )
    r = client.post(f"{URL}/records", json={"csv": RECORDS}, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403
    with db.session(read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(CriminalRecord)) == 0
