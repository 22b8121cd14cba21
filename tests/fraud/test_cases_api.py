"""The anti-fraud desk's API without a bank: filing and its refusals, masking, who sees what,
and an order for a bank with no gateway reported in words."""

from __future__ import annotations

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.fraud.banksim.ledger import MULE
from pingan.fraud.models import FraudNumber
from tests.fraud.desk import API, VICTIM_ID, another, clock, report, settle, transfer

__all__ = ["clock"]


def _file(client, accounts, body, role=Role.OFFICER):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/cases", json=body, headers=accounts.headers(role))


def test_an_officer_files_a_case(client, accounts, clock, db):
    second = transfer(amount_fen=1_000_000, tx_time="2026-10-02T09:40:00+08:00", serial_no=None)
    r = _file(client, accounts, report(transfer(), second, send=False))
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["case_no"].startswith("FZ20261002-")
    assert (case["source"], case["status"], case["loss_fen"]) == ("officer", "open", 6_000_000)
    assert case["golden_start"] == "2026-10-02T01:15:00Z"  # the earliest transfer
    assert case["victim_name_masked"] == "李**" and case["victim_phone_masked"] == "139****5678"
    assert case["victim_id_masked"] == VICTIM_ID[:4] + "*" * 10 + VICTIM_ID[-4:]
    assert case["orders"] == [] and case["fraud_phone"] == "+85261234567"
    assert [t["amount_fen"] for t in case["transfers"]] == [5_000_000, 1_000_000]
    with db.session() as s:
        number = s.scalars(select(FraudNumber)).one()
        assert (number.number, number.source, number.case_id) == (
            "+85261234567",
            "case",
            case["id"],
        )
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "fraud.case_filed")).one()
        assert "李秀英" not in str(audit.detail) and VICTIM_ID not in str(audit.detail)
    # the same fraud number in a second case stays one entry
    assert _file(client, accounts, report(send=False)).status_code == 201
    with db.session() as s:
        assert len(s.scalars(select(FraudNumber)).all()) == 1


def _refused(client, accounts, body, status=422):  # type: ignore[no-untyped-def]
    r = _file(client, accounts, body)
    assert r.status_code == status, r.text
    return r.json()


def test_bad_reports_are_refused_with_a_reason_and_nothing_stored(client, accounts, clock):
    for amount in (5_000_000.0, "50000.00", "5000000", True, 0):
        _refused(client, accounts, report(transfer(amount_fen=amount)))
    assert _refused(client, accounts, report(transfer(payee_bank="XYZ")))["errors"]
    assert _refused(client, accounts, report(transfer(tx_time="2026-10-02T09:15:00")))
    assert _refused(client, accounts, report(transfer(tx_time=1_759_367_700)))
    future = _refused(client, accounts, report(transfer(tx_time="2026-10-02T10:30:00+08:00")))
    assert future["code"] == "tx_in_future"
    old = _refused(client, accounts, report(transfer(tx_time="2025-09-01T10:00:00+08:00")))
    assert old["code"] == "tx_too_old"
    bad_id = report()
    bad_id["victim"]["id_number"] = VICTIM_ID[:-1] + ("0" if VICTIM_ID[-1] != "0" else "1")
    _refused(client, accounts, bad_id)
    _refused(client, accounts, report(fraud_type="lottery"))
    _refused(client, accounts, report(transfers=[]))
    _refused(client, accounts, report(transfer(payee_account="12-34")))
    _refused(client, accounts, report(unknown_field=1))
    r = client.get(f"{API}/cases", headers=accounts.headers(Role.OFFICER))
    assert r.json()["total"] == 0


def test_large_amounts_are_exact_integers(client, accounts, clock):
    body = report(transfer(amount_fen=2**31 + 7), send=False)
    case = _file(client, accounts, body).json()
    assert case["loss_fen"] == 2**31 + 7


def test_lists_are_masked(client, accounts, clock):
    _file(client, accounts, report(send=False))
    r = client.get(f"{API}/cases", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 1 and page["items"][0]["victim_name_masked"] == "李**"
    for secret in ("李秀英", VICTIM_ID, "13912345678"):
        assert secret not in r.text
    detail = client.get(
        f"{API}/cases/{page['items'][0]['id']}", headers=accounts.headers(Role.AUDITOR)
    )
    for secret in ("李秀英", VICTIM_ID, "13912345678"):
        assert secret not in detail.text


def test_a_citizen_files_and_sees_only_their_own(client, accounts, clock, db, vault):
    other = another(client, db, vault, "citizen2", Role.CITIZEN)
    mine = _file(client, accounts, report(), role=Role.CITIZEN)
    assert mine.status_code == 201, mine.text
    case = mine.json()
    assert case["source"] == "citizen" and case["orders"] == []  # an officer sends the orders
    own = client.get(f"{API}/cases/mine", headers=accounts.headers(Role.CITIZEN)).json()["items"]
    assert [c["id"] for c in own] == [case["id"]]
    assert client.get(f"{API}/cases/mine", headers=other).json()["items"] == []
    r = client.get(f"{API}/cases/mine/{case['id']}", headers=other)
    assert r.status_code == 404
    r = client.get(f"{API}/cases/mine/{case['id']}", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 200 and r.json()["case_no"] == case["case_no"]
    assert client.get(f"{API}/cases", headers=accounts.headers(Role.CITIZEN)).status_code == 403
    assert client.get(f"{API}/cases/{case['id']}", headers=other).status_code == 403
    officer = accounts.headers(Role.OFFICER)
    # the officer sends the stop orders for the citizen's report
    r = client.post(f"{API}/cases/{case['id']}/stops", json={}, headers=officer)
    assert r.status_code == 201 and r.json()[0]["kind"] == "stop"


def test_roles(client, accounts, clock):
    assert _file(client, accounts, report(send=False), role=Role.AUDITOR).status_code == 403
    assert _file(client, accounts, report(send=False), role=Role.ADMIN).status_code == 403
    case = _file(client, accounts, report(send=False)).json()
    for role in (Role.CITIZEN, Role.VOLUNTEER, Role.AUDITOR):
        r = client.post(f"{API}/cases/{case['id']}/stops", json={}, headers=accounts.headers(role))
        assert r.status_code == 403, role
    assert client.get(f"{API}/alerts", headers=accounts.headers(Role.AUDITOR)).status_code == 200


def test_a_bank_without_a_gateway_is_reported_in_words(client, accounts, clock):
    r = _file(client, accounts, report())
    assert r.status_code == 201
    order = r.json()["orders"][0]
    assert order["order_no"].startswith("ZF-20261002-")  # being sent, or already refused
    case = settle(client, accounts.headers(Role.OFFICER), r.json()["id"])
    order = case["orders"][0]
    assert order["status"] == "unavailable" and order["next"] == ["resend"]
    assert "ICBC" in order["error"] and order["payee_account"] == MULE
    en = client.get(
        f"{API}/cases/{case['id']}",
        headers={**accounts.headers(Role.OFFICER), "Accept-Language": "en"},
    ).json()
    assert en["orders"][0]["error"] == "no stop-payment gateway is configured for ICBC"
    # one order per receiving account: asking again finds the standing one
    r = client.post(
        f"{API}/cases/{case['id']}/stops", json={}, headers=accounts.headers(Role.OFFICER)
    )
    assert r.status_code == 409 and r.json()["code"] == "already_ordered"
