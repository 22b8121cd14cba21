"""A sample ledger and stop orders against it, a pinned bank clock, and the platform's sealer
(a real SM2 key of the signing service on a fresh SQLite store, with its published key list)."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pingan.audit import service as audit
from pingan.db.engine import Database
from pingan.fraud.banksim.ledger import MULE, SAMPLE_DAY, LedgerFile, sample
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
