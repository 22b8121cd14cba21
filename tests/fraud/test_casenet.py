"""Mule networks across the stored cases (casenet.py): cases filed through the API on a pinned
clock, onward transfers stored as a bank would have reported them, and the networks the desk
is shown."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.roles import Role
from pingan.fraud.banksim.ledger import MULE, VICTIM
from pingan.fraud.models import FraudOnward
from tests.fraud.conftest import NOW
from tests.fraud.desk import API, clock, report, transfer

__all__ = ["clock"]
SECOND_VICTIM = "6217000011112222333"
NEXT = "6228480099887766554"
THEN = "6225880011223344556"


def _file(client, accounts, *transfers, **kw):  # type: ignore[no-untyped-def]
    body = report(*transfers, send=False, **kw)
    r = client.post(f"{API}/cases", json=body, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 201, r.text
    return r.json()


def _networks(client, accounts, role=Role.OFFICER, **params):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/networks", params=params, headers=accounts.headers(role))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _onward(db, case_id, src, dst, fen, minutes, serial):  # type: ignore[no-untyped-def]
    with db.session() as s:
        s.add(FraudOnward(case_id=case_id, bank="ICBC", serial_no=serial, channel="online_banking",
                          payer_account=src, payee_account=dst, payee_bank="ICBC",
                          amount_fen=fen, booked_at=NOW - timedelta(minutes=minutes),
                          fetched_at=NOW))  # fmt: skip
        s.commit()


def test_two_cases_paying_one_mule_are_one_network(client, accounts, clock):
    first = _file(client, accounts, transfer(), fraud_phone="+852 6123 4567")
    second = _file(
        client, accounts,
        transfer(payer_account=SECOND_VICTIM, amount_fen=2_000_000,
                 tx_time="2026-10-02T09:30:00+08:00", serial_no="T20261002093000009"),
        fraud_phone="+852 6999 0000",
    )  # fmt: skip
    (net,) = _networks(client, accounts)
    assert {c["case_no"] for c in net["cases"]} == {first["case_no"], second["case_no"]}
    assert net["amount_in_fen"] == 7_000_000
    assert net["links"] == [
        {"kind": "shared_account", "value": MULE,
         "cases": sorted([first["case_no"], second["case_no"]])}
    ]  # fmt: skip
    mule = next(a for a in net["accounts"] if a["account"] == MULE)
    assert [r["rule"] for r in mule["rules"]] == ["shared_account"]
    assert mule["rules"][0]["figures"] == {"cases": 2} and mule["score"] == 2
    assert mule["held"] is None and mule["stop"]["case_id"] in {first["id"], second["id"]}
    assert mule["stop"]["transfer_id"] is not None
    # the victims' own accounts are there, masked only
    victims = [a for a in net["accounts"] if a["victim"]]
    assert sorted(a["account"] for a in victims) == sorted(
        "*" * (len(v) - 4) + v[-4:] for v in (VICTIM, SECOND_VICTIM)
    )
    text = str(net)
    assert VICTIM not in text and SECOND_VICTIM not in text
    # one case alone is no network unless asked for
    assert _networks(client, accounts, min_cases=3) == []


def test_money_passed_on_within_minutes_fires_pass_through(client, accounts, clock, db):
    case = _file(client, accounts, transfer(tx_time="2026-10-02T09:15:00+08:00"))
    # the ¥50,000 arrived at 09:15; ¥45,000 left for NEXT at 09:20 (NOW is 10:00), and
    # ¥40,000 of that for THEN at 09:28
    _onward(db, case["id"], MULE, NEXT, 4_500_000, 40, "S1")
    _onward(db, case["id"], NEXT, THEN, 4_000_000, 32, "S2")
    (net,) = _networks(client, accounts, min_cases=1)
    mule = next(a for a in net["accounts"] if a["account"] == MULE)
    assert "pass_through" in [r["rule"] for r in mule["rules"]], mule
    nxt = next(a for a in net["accounts"] if a["account"] == NEXT)
    hit = next(r for r in mule["rules"] if r["rule"] == "pass_through")
    assert hit["points"] == 3 and hit["figures"]["quick_out_fen"] == 4_500_000
    assert "pass_through" in [r["rule"] for r in nxt["rules"]]
    assert mule["score"] >= 3 and net["score"] == max(mule["score"], nxt["score"])
    assert {a["account"] for a in net["accounts"]} >= {MULE, NEXT, THEN}


def test_cases_with_one_fraud_number_are_linked(client, accounts, clock):
    a = _file(client, accounts, transfer(), fraud_phone="+852 6123 4567")
    b = _file(
        client, accounts,
        transfer(payee_account=NEXT, payer_account=SECOND_VICTIM, serial_no="T2"),
        fraud_phone="+852 6123 4567",
    )  # fmt: skip
    (net,) = _networks(client, accounts)
    assert {c["id"] for c in net["cases"]} == {a["id"], b["id"]}
    (link,) = net["links"]
    assert link["kind"] == "shared_fraud_phone" and link["cases"] == sorted(
        [a["case_no"], b["case_no"]]
    )


def test_who_may_read_the_networks(client, accounts, clock):
    _file(client, accounts, transfer())
    url = f"{API}/networks"
    assert client.get(url, headers=accounts.headers(Role.CITIZEN)).status_code == 403
    assert client.get(url, headers=accounts.headers(Role.AUDITOR)).status_code == 200
    bad = client.get(url, params={"min_cases": 0}, headers=accounts.headers(Role.OFFICER))
    assert bad.status_code == 422
