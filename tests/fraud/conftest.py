"""A sample ledger and stop orders against it, a pinned bank clock, and the platform's sealer
(a real SM2 key of the signing service on a fresh SQLite store, with its published key list)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import pingan
from pingan.audit import service as audit
from pingan.db.engine import Database
from pingan.fraud.banksim.ledger import MULE, SAMPLE_DAY, LedgerFile, sample, write_sample
from pingan.fraud.messages import AtmRevocation, FreezeOrder, StopOrder
from pingan.pii.vault import Vault
from pingan.trust import signing
from tests.conftest import SECRET

BANK = "ICBC"
NOW = SAMPLE_DAY + timedelta(hours=10)  # 10:00 on the sample day: the bank's pinned clock
SERIAL = "T20261002091542001"  # the victim's ¥50,000.00 to the mule at 09:15:42
ATM_SERIAL = "T20261002100500004"  # the ATM transfer at 10:04:42
ATM_AT = SAMPLE_DAY + timedelta(hours=10, minutes=4, seconds=42)
CHECK: dict[str, Any] = {
    "payee_name": "张伟",
    "payee_account": MULE,
    "amount_fen": 5_000_000,
    "tx_time": "2026-10-02T09:15:00+08:00",
}


def ledger():  # type: ignore[no-untyped-def]
    return LedgerFile.model_validate(sample(BANK)).ledger()


def stop_order(n: int = 1, check: dict[str, Any] | None = None, **kw: Any) -> StopOrder:
    values: dict[str, Any] = {
        "order_no": f"ZF-2026-{n:04d}",
        "case_no": "A3301002026100200001",
        "bank": BANK,
        "requesting_unit": "平安市公安局反诈中心",
        "officer": "陈警官",
        "issued_at": NOW.isoformat(),
        "check": {**CHECK, **(check or {})},
        "tx_serial_no": SERIAL,
        "channel": "online_banking",
    }
    return StopOrder.model_validate({**values, **kw})


def freeze_order(n: int = 1, **kw: Any) -> FreezeOrder:
    values: dict[str, Any] = {
        "order_no": f"DJ-2026-{n:04d}",
        "case_no": "A3301002026100200001",
        "bank": BANK,
        "requesting_unit": "平安市公安局反诈中心",
        "officer": "陈**",
        "issued_at": NOW.isoformat(),
        "payee_name": "张伟",
        "payee_account": MULE,
        "amount_fen": 5_000_000,
    }
    return FreezeOrder.model_validate({**values, **kw})


def atm_order(n: int = 1, **kw: Any) -> AtmRevocation:
    values: dict[str, Any] = {
        "order_no": f"CX-2026-{n:04d}",
        "case_no": "A3301002026100200001",
        "bank": BANK,
        "requesting_unit": "平安市公安局反诈中心",
        "officer": "陈**",
        "issued_at": NOW.isoformat(),
        "check": {
            "payee_name": "王芳",
            "payee_account": "6222020200555566667",
            "amount_fen": 800_000,
            "tx_time": ATM_AT.isoformat(),
        },
        "tx_serial_no": ATM_SERIAL,
    }
    return AtmRevocation.model_validate({**values, **kw})


@pytest.fixture(scope="module")
def platform(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(the platform's SM2 signer, the path of its published key list)."""
    where = tmp_path_factory.mktemp("platform")
    shutil.copy(sqlite_template, where / "pingan.db")
    db = Database(f"sqlite:///{where / 'pingan.db'}")
    audit.use_key(db, Vault(base64.urlsafe_b64decode(SECRET)).audit_key)
    signing.use_key(db, base64.urlsafe_b64decode(SECRET))
    with db.session() as session:
        sealer = signing.signer(session, "sm2")
        keys = where / "keys.json"
        keys.write_text(json.dumps(signing.published_keys(session)), encoding="utf-8")
    db.dispose()
    return sealer, keys


def at(**kw: float) -> datetime:
    return NOW + timedelta(**kw)


# -- the simulator as a real process (test_banksim.py, test_localbank.py) --
SRC = str(Path(pingan.__file__).resolve().parents[1])
PINGAN = Path(sys.executable).with_name("pingan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env["PYTHONPATH"] = SRC
    return env


def _ready(proc: subprocess.Popen, url: str) -> str:  # type: ignore[type-arg]
    for _ in range(600):  # readiness, not a timed check: up to a minute on a busy machine
        if proc.poll() is not None:
            pytest.fail(proc.stderr.read().decode())  # type: ignore[union-attr]
        try:
            httpx.get(f"{url}/v1/health", timeout=1).raise_for_status()
            return url
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail("the simulator did not start")


@pytest.fixture
def banksim(platform, tmp_path) -> Iterator[Callable[..., str]]:  # type: ignore[no-untyped-def]
    """Start a simulator (extra CLI options as arguments); answers its base URL."""
    _, keys = platform
    ledger = tmp_path / "ledger.json"
    write_sample(ledger, BANK)
    started: list[subprocess.Popen] = []  # type: ignore[type-arg]

    def start(*options: str) -> str:
        port = _free_port()
        cmd = [sys.executable, "-m", "pingan.fraud.banksim", "--bank", BANK, "--ledger",
               str(ledger), "--keys", str(keys), "--port", str(port), "--clock", NOW.isoformat(),
               *options]  # fmt: skip
        proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        return _ready(proc, f"http://127.0.0.1:{port}")

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=30)
