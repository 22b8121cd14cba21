"""The simulated bank gateway over HTTP: a small FastAPI app around one `Bank` (banksim/bank.py,
the ledger held in memory, the seal checked against the platform's published key list, retried
orders applied once — the same code the in-process gateway of the demo uses).

For tests the bank's clock is pinned (`clock`, moved by POST /v1/sim/clock) and the bank can be
made slow (`delay`, after the order is applied: the answer is lost to a client that stops
waiting, the stop is not) or failing (`fail_first` orders answered 503 unapplied, or a seeded
`error_rate`).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pingan.errors import Conflict, DomainError
from pingan.fraud import bank_rules
from pingan.fraud.bank_rules import Ledger, Rules
from pingan.fraud.banksim.bank import Bank, KeyList
from pingan.fraud.messages import AccountState, BankResult, Instant, OnwardReport
from pingan.http import problems
from pingan.i18n import msg

__all__ = ["Faults", "KeyList", "create_app"]
ENDPOINTS = {"stop": "stop", "freeze": "freeze", "release": "release", "atm-revoke": "atm_revoke"}


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


class FaultPlan:
    """Which orders the simulated bank refuses or answers late (Faults), counted as they come."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.orders_seen = 0
        self.rng = random.Random(faults.seed)
        self.lock = threading.Lock()

    def next(self) -> tuple[bool, float]:
        """(refuse this order with 503?, seconds to wait before answering)."""
        with self.lock:
            n = self.orders_seen
            self.orders_seen += 1
            if n < self.faults.fail_first or self.rng.random() < self.faults.error_rate:
                return True, 0.0
        f = self.faults
        slow = f.delay > 0 and (f.delay_count < 0 or n - f.fail_first < f.delay_count)
        return False, f.delay if slow else 0.0


class ClockBody(BaseModel):
    now: Instant


def create_app(
    ledger: Ledger,
    keys: KeyList,
    *,
    rules: Rules | None = None,
    faults: Faults | None = None,
    clock: datetime | None = None,
) -> FastAPI:
    bank = Bank(ledger, keys, rules or bank_rules.load_rules(), pinned=clock)
    plan = FaultPlan(faults or Faults())
    app = FastAPI(title=f"bank gateway simulator {ledger.bank}", docs_url=None, redoc_url=None)
    problems.install(app)
    app.state.bank = bank

    async def order(kind: str, request: Request) -> JSONResponse:
        refuse, wait = plan.next()
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
        return bank.account_state(account)

    @app.get("/v1/accounts/{account}/onward", response_model=OnwardReport)
    def onward(account: str, since: Annotated[datetime, Query()]) -> OnwardReport:
        return bank.onward(account, since)

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"bank": bank.code, "now": bank.now().isoformat()}

    @app.post("/v1/sim/clock")
    def set_clock(body: ClockBody) -> dict[str, str]:
        """Tests move the pinned clock; a bank on the wall clock refuses."""
        if bank.pinned is None:
            raise Conflict(msg("fraud.sim_clock_not_pinned"), code="clock_not_pinned")
        bank.pinned = body.now
        return {"now": body.now.isoformat()}

    return app


def _endpoint(handler: Callable[..., Any], kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> JSONResponse:
        return await handler(kind, request)

    endpoint.__name__ = f"order_{kind}"
    return endpoint
