"""The simulated bank gateway: a small FastAPI app over one ledger held in memory.

Every order arrives sealed (pingan.fraud.messages) and is checked against the platform's
published key list before it is read: unsealed, tampered or unknown-key orders get 401, orders
that are not canonical or not valid 422 — nothing applied. The same order number sent again
(a retry) gets the answer already given, so a retried order is applied once; the same number
with other content is a 409.

For tests the bank's clock is pinned (`clock`, moved by POST /v1/sim/clock) and the bank can be
made slow (`delay`, after the order is applied: the answer is lost to a client that stops
waiting, the stop is not) or failing (`fail_first` orders answered 503 unapplied, or a seeded
`error_rate`).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pingan.errors import Conflict, DomainError, NotFound, Unauthorized, ValidationFailed
from pingan.fraud import bank_rules
from pingan.fraud.bank_rules import Ledger, Rules
from pingan.fraud.messages import (
    AccountState,
    BankResult,
    Instant,
    OnwardReport,
    SealError,
    canonical,
    open_sealed,
    order_json,
)
from pingan.http import problems
from pingan.i18n import msg

SEAL_REFUSALS = frozenset(
    {"no_seal", "unknown_key", "key_revoked", "bad_signature", "algorithm_mismatch"}
    | {"malformed_key"}
)
ENDPOINTS = {"stop": "stop", "freeze": "freeze", "release": "release", "atm-revoke": "atm_revoke"}
APPLY = {
    "stop": bank_rules.stop,
    "freeze": bank_rules.freeze,
    "release": bank_rules.release,
    "atm_revoke": bank_rules.revoke_atm,
}


class Unavailable(DomainError):
    status = 503
    code = "bank_unavailable"


@dataclass
class Faults:
    """How badly the simulated bank behaves: answers delayed by `delay` seconds (for the first
    `delay_count` orders, or all when negative), the first `fail_first` orders refused with 503,
    and a further share `error_rate` of orders refused at random (seeded)."""

    delay: float = 0.0
    delay_count: int = -1
    fail_first: int = 0
    error_rate: float = 0.0
    seed: int = 0


class KeyList:
    """The platform's published key list, from a file or a URL; read again when an order names
    a key it does not hold (the platform rotated)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.document: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        if self.source.startswith(("http://", "https://")):
            return httpx.get(self.source, timeout=10).raise_for_status().json()
        return json.loads(Path(self.source).read_text(encoding="utf-8"))

    def refresh(self) -> None:
        self.document = self._read()


class ClockBody(BaseModel):
    now: Instant


class Bank:
    """The simulator's state: the ledger, the answers given (by order number) and the clock."""

    def __init__(
        self, ledger: Ledger, keys: KeyList, rules: Rules, faults: Faults, clock: datetime | None
    ) -> None:
        self.ledger, self.keys, self.rules, self.faults = ledger, keys, rules, faults
        self.pinned = clock
        self.answers: dict[str, tuple[bytes, BankResult]] = {}
        self.orders_seen = 0
        self.rng = random.Random(faults.seed)
        self.lock = threading.Lock()

    def now(self) -> datetime:
        return self.pinned if self.pinned is not None else datetime.now(UTC)

    def _open(self, raw: bytes):  # type: ignore[no-untyped-def]
        try:
            return open_sealed(raw, self.keys.document)
        except SealError as exc:
            if exc.code != "unknown_key":
                raise
        self.keys.refresh()
        return open_sealed(raw, self.keys.document)

    def handle(self, kind: str, raw: bytes) -> BankResult:
        try:
            order = self._open(raw)
        except SealError as exc:
            raise _refusal(exc) from None
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
            outcome = APPLY[kind](self.ledger, order, self.now(), self.rules)
            self.ledger = outcome.ledger
            self.answers[order.order_no] = (body, outcome.result)
            return outcome.result

    def fault(self) -> tuple[bool, float]:
        """(refuse this order with 503?, seconds to wait before answering)."""
        with self.lock:
            n = self.orders_seen
            self.orders_seen += 1
            if n < self.faults.fail_first or self.rng.random() < self.faults.error_rate:
                return True, 0.0
        f = self.faults
        slow = f.delay > 0 and (f.delay_count < 0 or n - f.fail_first < f.delay_count)
        return False, f.delay if slow else 0.0


def create_app(
    ledger: Ledger,
    keys: KeyList,
    *,
    rules: Rules | None = None,
    faults: Faults | None = None,
    clock: datetime | None = None,
) -> FastAPI:
    bank = Bank(ledger, keys, rules or bank_rules.load_rules(), faults or Faults(), clock)
    app = FastAPI(title=f"bank gateway simulator {ledger.bank}", docs_url=None, redoc_url=None)
    problems.install(app)
    app.state.bank = bank

    async def order(kind: str, request: Request) -> JSONResponse:
        refuse, wait = bank.fault()
        if refuse:
            raise Unavailable(msg("fraud.sim_unavailable"))
        result = bank.handle(kind, await request.body())
        if wait:
            await asyncio.sleep(wait)  # applied already: a slow bank, not a failed one
        return JSONResponse(result.model_dump(mode="json"))

    for path, kind in ENDPOINTS.items():
        app.add_api_route(
            f"/v1/orders/{path}",
            _endpoint(order, kind),
            methods=["POST"],
            response_model=BankResult,
            name=f"order_{kind}",
        )

    @app.get("/v1/accounts/{account}", response_model=AccountState)
    def account_state(account: str) -> AccountState:
        state = bank_rules.account_state(bank.ledger, account, bank.now())
        if state is None:
            raise NotFound(msg("fraud.unknown_account"), code="unknown_account")
        return state

    @app.get("/v1/accounts/{account}/onward", response_model=OnwardReport)
    def onward(account: str, since: Annotated[datetime, Query()]) -> OnwardReport:
        if since.tzinfo is None:
            raise ValidationFailed(msg("fraud.naive_time"), code="naive_time")
        if account not in bank.ledger.accounts:
            raise NotFound(msg("fraud.unknown_account"), code="unknown_account")
        return bank_rules.onward(bank.ledger, account, since)

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"bank": bank.ledger.bank, "now": bank.now().isoformat()}

    @app.post("/v1/sim/clock")
    def set_clock(body: ClockBody) -> dict[str, str]:
        """Tests move the pinned clock; a bank on the wall clock refuses."""
        if bank.pinned is None:
            raise Conflict(msg("fraud.sim_clock_not_pinned"), code="clock_not_pinned")
        bank.pinned = body.now
        return {"now": body.now.isoformat()}

    return app


def _refusal(exc: SealError) -> DomainError:
    """A seal that does not hold is 401; an order that is not one (or not canonical) is 422."""
    if exc.code in SEAL_REFUSALS:
        return Unauthorized(msg("fraud.seal_refused", reason=exc.code), code=exc.code)
    if exc.code == "invalid_order":
        where = ".".join(str(p) for p in exc.detail[0]["loc"][1:]) if exc.detail else ""
        return ValidationFailed(msg("fraud.order_invalid", field=where), code=exc.code)
    return ValidationFailed(msg("fraud.order_refused", reason=exc.code), code=exc.code)


def _endpoint(handler: Callable[..., Any], kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> JSONResponse:
        return await handler(kind, request)

    endpoint.__name__ = f"order_{kind}"
    return endpoint
