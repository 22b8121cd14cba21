"""End to end with the real bank simulator (a subprocess on a free port, its clock pinned):
a report becomes a sealed stop order the bank answers; a wrong name is not stopped; a failing
or slow bank is retried and the officer told, and a resend works; second stop and freeze; an
ATM revocation; the expiry alert; the money trail from the bank's onward transfers."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from pingan import jobs
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.fraud.alerts import raise_expiring
from pingan.fraud.banksim.ledger import MULE
from pingan.trust import signing
from tests.fraud.desk import (
    API,
    ATM_PAYEE,
    atm_transfer,
    bank,
    clock,
    later,
    report,
    settle,
    transfer,
)

__all__ = ["bank", "clock"]
pytestmark = pytest.mark.parametrize(
    "db", ["sqlite"], indirect=True
)  # one store: the sim is the point
ABC_MULE, ALIPAY_MULE = "6228480011223344556", "2088102177889900"


def _officer(accounts):  # type: ignore[no-untyped-def]
    return accounts.headers(Role.OFFICER)


def _stopped_case(client, accounts, body=None):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/cases", json=body or report(), headers=_officer(accounts))
    assert r.status_code == 201, r.text
    return settle(client, _officer(accounts), r.json()["id"])


def test_a_report_becomes_a_stop_order_the_bank_stops(client, accounts, bank, db):
    bank()
    case = _stopped_case(client, accounts)
    (order,) = case["orders"]
    assert (order["status"], order["result"], order["tries"]) == ("answered", "stopped", 1)
    assert (order["kind"], order["stop_count"], order["held_fen"]) == ("stop", 1, 500_000)
    assert order["stopped_at"] == "2026-10-02T02:00:00Z"
    assert order["stop_until"] == "2026-10-04T02:00:00Z"  # 48 h on the bank's clock
    assert order["next"] == ["second_stop", "freeze", "release"]
    assert case["first_stop_at"] == order["stopped_at"] and case["held_fen"] == 500_000
    assert case["order_counts"] == {"answered": 1, "stopped": 1}
    with db.session() as s:
        states = [
            e.payload["status"]
            for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "fraud.order"))
        ]
    assert states == ["answered"]


def test_two_transfers_to_one_account_make_one_order_carrying_the_largest(client, accounts, bank):
    bank()
    small = transfer(amount_fen=100_000, tx_time="2026-10-02T09:00:00+08:00", serial_no=None)
    case = _stopped_case(client, accounts, report(small, transfer()))
    (order,) = case["orders"]
    assert order["amount_fen"] == 5_000_000 and order["result"] == "stopped"


def test_a_wrong_payee_name_is_not_stopped(client, accounts, bank):
    bank()
    case = _stopped_case(client, accounts, report(transfer(payee_name="张伟伟")))
    (order,) = case["orders"]
    assert (order["result"], order["mismatched"]) == ("not_stopped", ["payee_name"])
    assert order["next"] == [] and case["first_stop_at"] is None and case["held_fen"] == 0


def test_a_failing_bank_is_retried_the_officer_told_and_a_resend_works(client, accounts, bank):
    bank("--fail-first", "5")
    case = _stopped_case(client, accounts)
    (order,) = case["orders"]
    assert (order["status"], order["tries"], order["next"]) == ("unavailable", 3, ["resend"])
    assert "ICBC" in order["error"] and "3" in order["error"]
    r = client.post(f"{API}/orders/{order['id']}/resend", headers=_officer(accounts))
    assert r.status_code == 200 and r.json()["status"] == "sending"
    case = settle(client, _officer(accounts), case["id"])
    (order,) = case["orders"]
    assert (order["status"], order["result"], order["tries"]) == ("answered", "stopped", 6)
    assert order["error"] is None
    r = client.post(f"{API}/orders/{order['id']}/resend", headers=_officer(accounts))
    assert r.status_code == 409 and r.json()["code"] == "resend"


def test_a_slow_bank_answers_late_the_request_does_not_wait(client, accounts, bank):
    bank("--delay", "3", "--delay-count", "3")
    r = client.post(f"{API}/cases", json=report(), headers=_officer(accounts))
    assert r.status_code == 201 and r.json()["orders"][0]["status"] == "sending"
    case = settle(client, _officer(accounts), r.json()["id"])
    (order,) = case["orders"]
    assert order["status"] == "unavailable" and "ReadTimeout" not in order["error"]
    client.post(f"{API}/orders/{order['id']}/resend", headers=_officer(accounts))
    case = settle(client, _officer(accounts), case["id"])
    # the stop was made by the first try; the resend gets that answer, not a second stop
    assert case["orders"][0]["result"] == "stopped" and case["orders"][0]["stop_count"] == 1


def test_second_stop_then_freeze_then_release(client, accounts, bank):
    bank()
    case = _stopped_case(client, accounts)
    first = case["orders"][0]
    officer = _officer(accounts)
    r = client.post(f"{API}/orders/{first['id']}/second-stop", headers=officer)
    assert r.status_code == 201, r.text
    assert r.json()["stop_count"] == 2 and r.json()["parent_order_id"] == first["id"]
    again = client.post(f"{API}/orders/{first['id']}/second-stop", headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "second_stop_sent"
    case = settle(client, officer, case["id"])
    second = case["orders"][1]
    assert (second["result"], second["stop_count"]) == ("stopped", 2)
    assert second["stop_until"] == "2026-10-06T02:00:00Z"  # starts where the first ends
    assert "second_stop" not in second["next"]
    r = client.post(f"{API}/orders/{second['id']}/freeze", headers=officer)
    assert r.status_code == 201, r.text
    case = settle(client, officer, case["id"])
    freeze = case["orders"][2]
    assert (freeze["kind"], freeze["result"]) == ("freeze", "frozen")
    assert freeze["frozen_until"] == "2027-04-02T02:00:00Z"  # six calendar months
    assert freeze["next"] == ["renew_freeze", "release"]
    r = client.post(f"{API}/orders/{freeze['id']}/release", json={"reason": " "}, headers=officer)
    assert r.status_code == 422
    r = client.post(
        f"{API}/orders/{freeze['id']}/release",
        json={"reason": "账户核实为正常商户"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    case = settle(client, officer, case["id"])
    assert case["orders"][3]["result"] == "released"
    assert next(o for o in case["orders"] if o["id"] == freeze["id"])["next"] == []


def test_atm_revocation_within_24_hours(client, accounts, bank, clock):
    url = bank()
    half_past = later(minutes=30)  # after the ATM transfer at 10:04, on both clocks
    httpx.post(f"{url}/v1/sim/clock", json={"now": half_past.isoformat()}).raise_for_status()
    clock.set(half_past)
    officer = _officer(accounts)
    r = client.post(
        f"{API}/cases", json=report(transfer(), atm_transfer(), send=False), headers=officer
    )
    case = r.json()
    online, atm = case["transfers"]
    assert atm["atm_revocable_until"] == "2026-10-03T02:04:00Z"
    assert case["alerts"] == 1  # the ATM window is open
    r = client.post(f"{API}/transfers/{online['id']}/atm-revoke", headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "not_atm"
    clock.set(later(hours=25))
    r = client.post(f"{API}/transfers/{atm['id']}/atm-revoke", headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "atm_too_late"
    clock.set(half_past)
    r = client.post(f"{API}/transfers/{atm['id']}/atm-revoke", headers=officer)
    assert r.status_code == 201, r.text
    case = settle(client, officer, case["id"])
    (order,) = case["orders"]
    assert (order["kind"], order["result"], order["returned_fen"]) == (
        "atm_revoke",
        "revoked",
        800_000,
    )
    assert order["payee_account"] == ATM_PAYEE
    assert case["returned_fen"] == 800_000 and case["alerts"] == 0
    assert case["returns"][0]["reference"] == order["order_no"]


def test_expiry_alert_once_with_a_pinned_clock(client, accounts, bank, clock, db):
    bank()
    case = _stopped_case(client, accounts)
    order = case["orders"][0]
    officer = _officer(accounts)
    assert client.get(f"{API}/alerts", headers=officer).json()["items"] == []
    soon = later(hours=48 - 5)  # five hours before the stop ends
    with db.session() as s:
        assert raise_expiring(s, later(hours=40)) == 0  # not yet within 6 h
        assert raise_expiring(s, soon) == 1
        s.commit()
        assert raise_expiring(s, soon + timedelta(minutes=5)) == 0  # once
        s.commit()
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "fraud.alert")).all()
        assert [e.payload["order_id"] for e in events] == [order["id"]]
    assert jobs.run_turn(db, {j.name: j for j in jobs.load_jobs()}["fraud.expiry"])
    clock.set(soon)
    items = client.get(f"{API}/alerts", headers=officer).json()["items"]
    assert [(a["kind"], a["order_id"], a["until"]) for a in items] == [
        ("stop_expiring", order["id"], "2026-10-04T02:00:00Z")
    ]
    case = client.get(f"{API}/cases/{case['id']}", headers=officer).json()
    assert case["orders"][0]["expires_soon"] and case["alerts"] == 1
    # a freeze follows it up: no longer expiring
    clock.set(later())
    client.post(f"{API}/orders/{order['id']}/freeze", headers=officer)
    settle(client, officer, case["id"])
    clock.set(soon)
    assert client.get(f"{API}/alerts", headers=officer).json()["items"] == []


def test_trail_refresh_proposes_the_onward_accounts(client, accounts, bank):
    bank()
    case = _stopped_case(client, accounts)
    officer = _officer(accounts)
    assert client.get(f"{API}/cases/{case['id']}/trail", headers=officer).json()["proposals"] == []
    r = client.post(f"{API}/cases/{case['id']}/trail/refresh", headers=officer)
    assert r.status_code == 200, r.text
    got = r.json()
    assert [(p["account"], p["bank"], p["amount_fen"], p["hop"]) for p in got["proposals"]] == [
        (ABC_MULE, "ABC", 3_000_000, 1),
        (ALIPAY_MULE, "ALIPAY", 1_500_000, 1),
    ]
    assert got["proposals"][0]["score"] == 0.6 and got["errors"] == []
    again = client.post(f"{API}/cases/{case['id']}/trail/refresh", headers=officer).json()
    assert again["proposals"] == got["proposals"]  # stored once per bank and serial
    r = client.post(
        f"{API}/cases/{case['id']}/trail/stop", json={"account": ABC_MULE}, headers=officer
    )
    assert r.status_code == 422 and r.json()["code"] == "name_needed"
    r = client.post(
        f"{API}/cases/{case['id']}/trail/stop",
        json={"account": ABC_MULE, "name": "赵磊"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["bank"], r.json()["amount_fen"]) == ("ABC", 3_000_000)
    case = settle(client, officer, case["id"])
    hop = case["transfers"][-1]
    assert (hop["hop"], hop["payer_account"], hop["payee_account"]) == (1, MULE, ABC_MULE)
    abc = case["orders"][-1]
    assert abc["status"] == "unavailable" and "ABC" in abc["error"]  # no gateway for ABC here
    trail = client.get(f"{API}/cases/{case['id']}/trail", headers=officer).json()
    assert trail["proposals"][0]["ordered"] is True


def test_returns_are_capped_by_what_was_held(client, accounts, bank):
    bank()
    case = _stopped_case(client, accounts)
    order = case["orders"][0]
    officer = _officer(accounts)
    body = {
        "amount_fen": 500_001,
        "returned_at": "2026-10-02T09:59:00+08:00",
        "order_id": order["id"],
    }
    r = client.post(f"{API}/cases/{case['id']}/returns", json=body, headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "return_over_held"
    r = client.post(
        f"{API}/cases/{case['id']}/returns", json={**body, "amount_fen": 500_000.0}, headers=officer
    )
    assert r.status_code == 422
    r = client.post(
        f"{API}/cases/{case['id']}/returns",
        json={**body, "amount_fen": 500_000, "reference": "返还决定书 001"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    case = client.get(f"{API}/cases/{case['id']}", headers=officer).json()
    assert case["returned_fen"] == 500_000 and case["orders"][0]["returned_fen"] == 500_000
    r = client.post(
        f"{API}/cases/{case['id']}/close", json={"reason": "资金已返还"}, headers=officer
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(f"{API}/cases/{case['id']}/stops", json={}, headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "case_closed"


def test_a_refused_order_is_reported_and_resent_once_the_bank_knows_the_key(
    client, accounts, bank, db, tmp_path
):
    bank()
    with db.session() as s:  # the platform rotates; the bank's key list does not have it yet
        signing.rotate(s, Actor.system("test"), "sm2")
    case = _stopped_case(client, accounts)
    (order,) = case["orders"]
    assert (order["status"], order["tries"], order["next"]) == ("refused", 1, ["resend"])
    assert "ICBC" in order["error"] and "unknown_key" in order["error"]
    with db.session() as s:
        keys = json.dumps(signing.published_keys(s))
    (tmp_path / "keys.json").write_text(keys, encoding="utf-8")  # the bank reads it again
    client.post(f"{API}/orders/{order['id']}/resend", headers=_officer(accounts))
    (order,) = settle(client, _officer(accounts), case["id"])["orders"]
    assert (order["result"], order["tries"]) == ("stopped", 2)
