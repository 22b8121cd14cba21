"""The simulator's ledger file (JSON) and a generator of a small sample one.

    {"bank": "ICBC",
     "accounts": [{"number", "name", "balance_fen"}],
     "transactions": [{"serial_no", "channel", "payer_account", "payee_account",
                       "payee_bank", "payee_name", "amount_fen", "booked_at"}]}

Amounts are integer fen and times carry their offset, as in the orders; a file that breaks
either is refused whole. A ledger written back (`dump`, the demo's in-process banks keep
theirs in the data folder) also carries what the bank did: each account's `stops` and
`freezes` ({"order_no", "start", "until", "held_fen", "released_at"}) and a transaction's
`revoked`; a hand-written file leaves them out.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, StrictInt

from pingan.fraud.bank_rules import Account, Hold, Ledger, Tx, load_rules
from pingan.fraud.messages import Channel


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Hold(_Strict):
    order_no: str
    start: AwareDatetime
    until: AwareDatetime
    held_fen: StrictInt
    released_at: AwareDatetime | None = None


class _Account(_Strict):
    number: str
    name: str
    balance_fen: StrictInt
    stops: list[_Hold] = []
    freezes: list[_Hold] = []

    def account(self) -> Account:
        def holds(found: list[_Hold]) -> tuple[Hold, ...]:
            return tuple(Hold(**h.model_dump()) for h in found)

        return Account(
            self.number, self.name, self.balance_fen, holds(self.stops), holds(self.freezes)
        )


class _Tx(_Strict):
    serial_no: str
    channel: Channel
    payer_account: str
    payee_account: str
    payee_bank: str
    payee_name: str
    amount_fen: StrictInt
    booked_at: AwareDatetime
    revoked: bool = False


class LedgerFile(_Strict):
    bank: str
    accounts: list[_Account]
    transactions: list[_Tx] = []

    def ledger(self) -> Ledger:
        return Ledger(
            bank=self.bank,
            accounts={a.number: a.account() for a in self.accounts},
            transactions=tuple(Tx(**t.model_dump()) for t in self.transactions),
        )


def load(path: Path) -> Ledger:
    return LedgerFile.model_validate_json(path.read_bytes()).ledger()


def dump(ledger: Ledger) -> dict[str, Any]:
    """The ledger as its file's JSON, with what the bank did (holds, revocations)."""

    def hold(h: Hold) -> dict[str, Any]:
        return {**asdict(h), "start": h.start.isoformat(), "until": h.until.isoformat(),
                "released_at": h.released_at.isoformat() if h.released_at else None}  # fmt: skip

    accounts = [
        {"number": a.number, "name": a.name, "balance_fen": a.balance_fen,
         "stops": [hold(h) for h in a.stops], "freezes": [hold(h) for h in a.freezes]}
        for a in ledger.accounts.values()
    ]  # fmt: skip
    txs = [{**asdict(t), "booked_at": t.booked_at.isoformat()} for t in ledger.transactions]
    return {"bank": ledger.bank, "accounts": accounts, "transactions": txs}


def save(ledger: Ledger, path: Path) -> None:
    """Write the ledger whole (to a temporary file first, then moved over the old one)."""
    text = json.dumps(dump(ledger), ensure_ascii=False, indent=1) + "\n"
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    part.replace(path)


# --- a sample ledger ---------------------------------------------------------------------

VICTIM, MULE = "6222020200112233445", "6222020200998877665"
SAMPLE_DAY = datetime(2026, 10, 2, tzinfo=ZoneInfo(load_rules().bank_timezone))
_SURNAMES, _GIVEN = "王李张刘陈杨赵黄周吴", "伟芳娜敏静强磊军洋勇艳杰涛明超秀霞平刚"


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))


def sample(bank: str = "ICBC", *, seed: int = 7, extra: int = 5) -> dict[str, Any]:
    """A victim's ¥50,000.00 to a mule account at 09:15:42 on the sample day, the mule passing
    most of it on within the hour (to another bank and to Alipay), an ATM transfer to a second
    account at 10:05, and `extra` unrelated accounts with one incoming transfer each."""
    at = SAMPLE_DAY + timedelta(hours=9, minutes=15, seconds=42)
    rng = random.Random(seed)
    accounts = [
        {"number": VICTIM, "name": "李秀英", "balance_fen": 1_250_000},
        {"number": MULE, "name": "张伟", "balance_fen": 500_000},
        {"number": "6222020200555566667", "name": "王芳", "balance_fen": 0},
    ]
    txs = [
        _tx("T20261002091542001", "online_banking", VICTIM, MULE, bank, "张伟", 5_000_000, at),
        _tx("T20261002094000002", "bank", MULE, "6228480011223344556", "ABC", "赵磊", 3_000_000,
            at + timedelta(minutes=24)),
        _tx("T20261002095200003", "alipay", MULE, "2088102177889900", "ALIPAY", "陈洋", 1_500_000,
            at + timedelta(minutes=36)),
        _tx("T20261002100500004", "atm", VICTIM, "6222020200555566667", bank, "王芳", 800_000,
            at + timedelta(minutes=49)),
    ]  # fmt: skip
    for i in range(extra):
        number = f"62220202{rng.randrange(10**10, 10**11)}"
        name = _name(rng)
        amount = rng.randrange(1, 2_000) * 100
        accounts.append({"number": number, "name": name, "balance_fen": amount})
        when = at + timedelta(minutes=rng.randrange(1, 600), seconds=rng.randrange(60))
        txs.append(_tx(f"T{i:05d}{rng.randrange(10**9)}", "bank", VICTIM, number, bank, name,
                       amount, when))  # fmt: skip
    return {"bank": bank, "accounts": accounts, "transactions": txs}


def _tx(
    serial: str, channel: str, payer: str, payee: str, bank: str, name: str, fen: int, at: datetime
) -> dict[str, Any]:
    return {
        "serial_no": serial,
        "channel": channel,
        "payer_account": payer,
        "payee_account": payee,
        "payee_bank": bank,
        "payee_name": name,
        "amount_fen": fen,
        "booked_at": at.isoformat(),
    }


def write_sample(path: Path, bank: str = "ICBC", *, seed: int = 7, extra: int = 5) -> None:
    text = json.dumps(sample(bank, seed=seed, extra=extra), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
