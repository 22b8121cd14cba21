"""`pingan demo`'s anti-fraud desk with no bank process: the demo store holds answered cases
(stopped, and not stopped naming the victim's slip) and one fresh case whose stop orders the
officer sends from the API to the in-process banks, which answer by the bank's rule."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pingan.app import create_app
from pingan.config import Settings
from pingan.db.engine import Database
from pingan.demo import DEMO_CONTACTS, DEMO_FRAUD_NUMBERS, build_demo, use_demo_banks
from pingan.fraud.models import FraudContact, FraudNumber, FraudWarning
from pingan.sim.fraud_world import DEMO_CASES
from tests.clock import local_time, pinned_clock

API = "/api/v1/fraud"


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    with pinned_clock(local_time(20, 0)):
        settings = Settings(data_dir=tmp_path, database_url=None)
        accounts = build_demo(settings, fleet="small")
        yield settings, {user: password for user, _, password in accounts}


def _login(client: TestClient, passwords: dict[str, str], user: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": passwords[user]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _settled(client: TestClient, headers: dict[str, str], case_id: int) -> dict:  # type: ignore[type-arg]
    """The case once no order is still being sent (the sender works in the background)."""
    for _ in range(300):  # readiness, not a timed check
        case = client.get(f"{API}/cases/{case_id}", headers=headers).json()
        if case["orders"] and all(o["status"] != "sending" for o in case["orders"]):
            return case
        time.sleep(0.1)
    pytest.fail("the stop orders were never answered")


def test_the_demo_store_has_answered_cases_and_one_fresh(demo):
    settings, passwords = demo
    app = create_app(settings)
    use_demo_banks(settings, app)
    with TestClient(app) as client:
        headers = _login(client, passwords, "officer")
        listed = client.get(f"{API}/cases", headers=headers).json()
        assert listed["total"] == len(DEMO_CASES)
        by_type = {c["fraud_type"]: c for c in listed["items"]}
        assert set(by_type) == {spec["fraud_type"] for spec in DEMO_CASES}
        first = client.get(f"{API}/cases/{by_type['customer_service']['id']}", headers=headers)
        assert [o["result"] for o in first.json()["orders"]] == ["stopped", "stopped"]
        assert all(o["held_fen"] > 0 for o in first.json()["orders"])
        misread = client.get(f"{API}/cases/{by_type['investment']['id']}", headers=headers).json()
        answers = {(o["result"], tuple(o["mismatched"])) for o in misread["orders"]}
        assert ("not_stopped", ("payee_name",)) in answers and ("stopped", ()) in answers

        fresh = client.get(f"{API}/cases/{by_type['rebate']['id']}", headers=headers).json()
        assert fresh["first_stop_at"] is None and fresh["orders"] == []
        sent = client.post(f"{API}/cases/{fresh['id']}/stops", json={}, headers=headers)
        assert sent.status_code in (200, 201), sent.text
        case = _settled(client, headers, fresh["id"])
        results = sorted((o["result"], tuple(o["mismatched"])) for o in case["orders"])
        assert results == [("not_stopped", ("tx_time",)), ("stopped", ())]
        assert case["first_stop_at"] is not None

    # the banks' books are kept in the data folder: a restarted demo finds the stop in place
    again = create_app(settings)
    banks = use_demo_banks(settings, again)
    stopped = next(o for o in case["orders"] if o["result"] == "stopped")
    state = banks.bank(stopped["bank"]).account_state(stopped["payee_account"])
    assert (state.status, state.stop_count) == ("stopped", 1)


def test_the_demo_has_fraud_numbers_contacts_and_warnings(demo):
    settings, _ = demo
    db = Database(settings.resolved_database_url)
    try:
        with db.session() as session:
            assert session.query(FraudContact).count() == len(DEMO_CONTACTS)
            numbers = {n.number: n.source for n in session.scalars(select(FraudNumber))}
            warnings = list(session.scalars(select(FraudWarning)))
    finally:
        db.dispose()
    assert {n for n, source in numbers.items() if source == "feed"} == set(DEMO_FRAUD_NUMBERS)
    assert sum(source == "case" for source in numbers.values()) == len(DEMO_CASES)
    people = {phone for _, phone, *_ in DEMO_CONTACTS}
    assert len(warnings) == len(people)  # one warning per person reached, graded
    assert {w.grade for w in warnings} <= {"high", "medium", "low"} and len(
        {w.grade for w in warnings}
    ) >= 2
