"""Fixtures of the anti-fraud desk's tests: the app on a pinned clock, a valid report, a wait
for the background sender, and the bank simulator trusting this app's own seal."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.fraud import sending
from pingan.fraud.banksim.ledger import MULE, VICTIM, write_sample
from pingan.fraud.gateway import Registry, RetryPolicy
from pingan.pii.id_number import check_character
from pingan.trust import signing
from tests.conftest import TEST_PASSWORD
from tests.fraud.conftest import ATM_AT, BANK, NOW, SERIAL
from tests.fraud.test_banksim import _env, _free_port, _ready

API = "/api/v1/fraud"
ID17 = "11010519800101123"
VICTIM_ID = ID17 + check_character(ID17)
FAST = RetryPolicy(tries=3, timeout=0.5, backoff=0.01, max_backoff=0.01)
ATM_PAYEE = "6222020200555566667"


class Clock:
    """The app's clock, pinned at the bank's 10:00 on the sample day; moved only by a test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        self.now = at


@pytest.fixture
def clock(client, accounts) -> Clock:  # type: ignore[no-untyped-def]
    """Pinned after the logins (tokens are checked against the wall clock)."""
    c = Clock(NOW)
    client.app.state.clock = c
    return c


def transfer(**kw: Any) -> dict[str, Any]:
    values = {
        "channel": "online_banking",
        "payer_account": VICTIM,
        "payer_bank": BANK,
        "payee_account": MULE,
        "payee_name": "张伟",
        "payee_bank": BANK,
        "amount_fen": 5_000_000,
        "tx_time": "2026-10-02T09:15:00+08:00",
        "serial_no": SERIAL,
    }
    return {**values, **kw}


def atm_transfer(**kw: Any) -> dict[str, Any]:
    return transfer(
        channel="atm", payee_account=ATM_PAYEE, payee_name="王芳", amount_fen=800_000,
        tx_time=ATM_AT.replace(second=0).isoformat(), serial_no="T20261002100500004", **kw,
    )  # fmt: skip


def report(*transfers: dict[str, Any], **kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "victim": {"name": "李秀英", "id_number": VICTIM_ID, "phone": "13912345678"},
        "fraud_type": "investment",
        "fraud_phone": "+852 6123 4567",
        "description": "对方自称投资导师，\n诱导转账。",
        "area_code": "150602",
        "transfers": list(transfers) or [transfer()],
        "send": True,
    }
    return {**values, **kw}


def settle(client, headers, case_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The case once no order is being sent any more (the background sender is done)."""
    for _ in range(600):  # readiness, not a timed check: up to a minute on a busy machine
        case = client.get(f"{API}/cases/{case_id}", headers=headers).json()
        if all(o["status"] != "sending" for o in case["orders"]):
            return case
        time.sleep(0.05)
    pytest.fail(f"orders still sending: {case['orders']}")


@pytest.fixture
def bank(client, db, tmp_path, clock) -> Iterator[Callable[..., str]]:  # type: ignore[no-untyped-def]
    """Start the ICBC simulator (extra options as arguments) on the sample ledger, trusting
    this app's SM2 key, and send this app's orders to it with a short retry policy."""
    with db.session() as session:
        signing.signer(session, "sm2")  # the first use makes the key
        keys = json.dumps(signing.published_keys(session))
    (tmp_path / "keys.json").write_text(keys, encoding="utf-8")
    ledger = tmp_path / "ledger.json"
    write_sample(ledger, BANK)
    started: list[subprocess.Popen] = []  # type: ignore[type-arg]

    def start(*options: str) -> str:
        port = _free_port()
        cmd = [sys.executable, "-m", "pingan.fraud.banksim", "--bank", BANK, "--ledger",
               str(ledger), "--keys", str(tmp_path / "keys.json"), "--port", str(port),
               "--clock", NOW.isoformat(), *options]  # fmt: skip
        proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        url = _ready(proc, f"http://127.0.0.1:{port}")
        sending.use_registry(client.app, Registry({BANK: url}), FAST)
        return url

    yield start
    sending.stop_sender(client.app)
    for proc in started:
        proc.terminate()
        proc.wait(timeout=30)


def later(**kw: float) -> datetime:
    return NOW + timedelta(**kw)


def another(client, db, vault, username: str, role) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Headers of a further account, logged in on the wall clock like the shared ones."""
    with db.session() as s:
        auth_service.create_user(
            s, Actor.system("test"), vault, username=username, password=TEST_PASSWORD,
            role=role, phone="13800138001",
        )  # fmt: skip
    pinned, client.app.state.clock = client.app.state.clock, utcnow
    try:
        login = {"username": username, "password": TEST_PASSWORD}
        token = client.post("/api/v1/auth/login", json=login).json()["access_token"]
    finally:
        client.app.state.clock = pinned
    return {"Authorization": f"Bearer {token}"}
