"""The simulated bank itself: one ledger held in memory and the orders it has answered.

One piece of code serves both ways of reaching the simulator: the HTTP app (banksim/app.py,
its own process) and the in-process gateway of the demo and the simulated day
(pingan.fraud.localbank). Either way an order arrives as the sealed JCS bytes the platform
sends and is checked against the platform's published key list before it is read: a seal that
does not hold is refused (401), bytes or orders that are not valid too (422), and nothing is
applied. The same order number sent again (a retry) gets the answer already given, so a retried
order is applied once; the same number with other content is refused (409).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from pingan.errors import Conflict, DomainError, NotFound, Unauthorized, ValidationFailed
from pingan.fraud import bank_rules
from pingan.fraud.bank_rules import Account, Ledger, Rules, Tx
from pingan.fraud.messages import (
    AccountState,
    BankResult,
    OnwardReport,
    SealError,
    canonical,
    open_sealed,
    order_json,
)
from pingan.i18n import msg

SEAL_REFUSALS = frozenset(
    {"no_seal", "unknown_key", "key_revoked", "bad_signature", "algorithm_mismatch"}
    | {"malformed_key"}
)
KINDS = ("stop", "freeze", "release", "atm_revoke")
APPLY = {
    "stop": bank_rules.stop,
    "freeze": bank_rules.freeze,
    "release": bank_rules.release,
    "atm_revoke": bank_rules.revoke_atm,
}


class KeyList:
    """The platform's published key list — from a file, a URL, or (in process) a function that
    reads it — read again when an order names a key it does not hold (the platform rotated)."""

    def __init__(self, source: str | Callable[[], dict[str, Any]]) -> None:
        self.source = source
        self.document: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        if callable(self.source):
            return self.source()
        if self.source.startswith(("http://", "https://")):
            return httpx.get(self.source, timeout=10).raise_for_status().json()
        return json.loads(Path(self.source).read_text(encoding="utf-8"))

    def refresh(self) -> None:
        self.document = self._read()


class Bank:
    """One bank's state: the ledger, the answers given (by order number) and the clock.

    `pinned` fixes the bank's clock (tests move it); otherwise `clock` tells the time (the
    simulated day's clock in process; the wall clock by default). `on_change` hears the ledger
    after each order that changed it (the demo keeps its banks' ledgers in its data folder)."""

    def __init__(
        self,
        ledger: Ledger,
        keys: KeyList,
        rules: Rules | None = None,
        *,
        pinned: datetime | None = None,
        clock: Callable[[], datetime] | None = None,
        on_change: Callable[[Ledger], None] | None = None,
    ) -> None:
        self.ledger, self.keys = ledger, keys
        self.rules = rules or bank_rules.load_rules()
        self.pinned, self.clock, self.on_change = pinned, clock, on_change
        self.answers: dict[str, tuple[bytes, BankResult]] = {}
        self.lock = threading.Lock()

    @property
    def code(self) -> str:
        return self.ledger.bank

    def now(self) -> datetime:
        if self.pinned is not None:
            return self.pinned
        return self.clock() if self.clock is not None else datetime.now(UTC)

    def book(self, accounts: Iterable[Account], transactions: Iterable[Tx]) -> None:
        """Open accounts and book transfers (the simulated world's, as they happen); an
        account already held keeps its state, a serial already booked is not booked twice."""
        with self.lock:
            ledger = self.ledger
            held = dict(ledger.accounts)
            for account in accounts:
                held.setdefault(account.number, account)
            booked = [t for t in transactions if t.serial_no not in ledger.by_serial]
            if len(held) == len(ledger.accounts) and not booked:
                return
            self.ledger = replace(
                ledger, accounts=held, transactions=(*ledger.transactions, *booked)
            )
            if self.on_change is not None:
                self.on_change(self.ledger)

    def _open(self, raw: bytes):  # type: ignore[no-untyped-def]
        try:
            return open_sealed(raw, self.keys.document)
        except SealError as exc:
            if exc.code != "unknown_key":
                raise
        self.keys.refresh()
        return open_sealed(raw, self.keys.document)

    def handle(self, kind: str, raw: bytes, *, at: datetime | None = None) -> BankResult:
        """A sealed order of `kind` (its JCS bytes) → the bank's result; DomainError (401,
        409, 422) for what is refused, with nothing applied. `at`: the bank's time of the
        order when the caller keeps the clock (the simulated day), else `now()`."""
        try:
            order = self._open(raw)
        except SealError as exc:
            raise refusal(exc) from None
        if order.kind != kind:
            raise ValidationFailed(msg("fraud.wrong_endpoint", kind=order.kind), code="wrong_kind")
        if order.bank != self.ledger.bank:
            raise ValidationFailed(
                msg("fraud.wrong_bank", bank=order.bank, here=self.ledger.bank), code="wrong_bank"
            )
        body = canonical(order_json(order))
        with self.lock:
            seen = self.answers.get(order.order_no)
            if seen is not None:
                if seen[0] != body:
                    raise Conflict(
                        msg("fraud.order_no_reused", order_no=order.order_no), code="order_reused"
                    )
                return seen[1]
            outcome = APPLY[kind](self.ledger, order, at or self.now(), self.rules)
            changed = outcome.ledger is not self.ledger
            self.ledger = outcome.ledger
            self.answers[order.order_no] = (body, outcome.result)
            if changed and self.on_change is not None:
                self.on_change(self.ledger)
            return outcome.result

    def account_state(self, account: str, *, at: datetime | None = None) -> AccountState:
        state = bank_rules.account_state(self.ledger, account, at or self.now())
        if state is None:
            raise NotFound(msg("fraud.unknown_account"), code="unknown_account")
        return state

    def onward(self, account: str, since: datetime) -> OnwardReport:
        if since.tzinfo is None:
            raise ValidationFailed(msg("fraud.naive_time"), code="naive_time")
        if account not in self.ledger.accounts:
            raise NotFound(msg("fraud.unknown_account"), code="unknown_account")
        return bank_rules.onward(self.ledger, account, since)


def refusal(exc: SealError) -> DomainError:
    """A seal that does not hold is 401; an order that is not one (or not canonical) is 422."""
    if exc.code in SEAL_REFUSALS:
        return Unauthorized(msg("fraud.seal_refused", reason=exc.code), code=exc.code)
    if exc.code == "invalid_order":
        where = ".".join(str(p) for p in exc.detail[0]["loc"][1:]) if exc.detail else ""
        return ValidationFailed(msg("fraud.order_invalid", field=where), code=exc.code)
    return ValidationFailed(msg("fraud.order_refused", reason=exc.code), code=exc.code)
