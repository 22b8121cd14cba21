"""Sending orders to the banks in the background, and storing what each try brought.

Why a small thread pool and not the timed jobs (`pingan.jobs`): a timed job runs every N
seconds, in one thread for the whole process, and exists for work nobody asks for; a stop order
is asked for, must leave at once (the golden time is minutes) and may wait a minute for a slow
bank (the gateway's retries), so a turn of a job would hold up every other order and job. The
request stores the sealed order ("sending"), commits, and hands its id to the pool; it answers
in milliseconds. Each worker opens its own session per step and commits each change, so the
case page (and the live event "fraud.order") shows every try as it happens. An order lost to a
restart stays "sending": after `stale_sending_minutes` the officer may resend it — the same
sealed bytes, so a bank that got it answers as before (`orders.resend`).

Gateways come from a registry: `Registry.from_settings(settings)` (PINGAN_FRAUD_GATEWAYS_FILE)
unless one is put on the app with `use_registry(app, registry)` — any object with
`gateway(code, sealer, *, policy, notify)` returning a `BankGateway` (the demo's in-process
banks). A bank without a gateway makes the order "unavailable" with the reason in words.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from pingan.bus import outbox
from pingan.db.engine import Database
from pingan.errors import DomainError
from pingan.fraud import orders as ops
from pingan.fraud.gateway import BankRefused, BankUnavailable, Registry, RetryPolicy
from pingan.fraud.messages import (
    SEAL_TYPE,
    AtmRevocation,
    BankResult,
    FreezeOrder,
    ReleaseOrder,
    canonical,
)
from pingan.fraud.models import FraudOrder
from pingan.fraud.returns import record_revoked
from pingan.i18n import Msg, msg
from pingan.trust.signing import Signature
from pingan.trust.signing.jwk import unb64u

log = logging.getLogger(__name__)
WORKERS = 4


class StoredSeal:
    """A sealer that answers with the seal an order was given when it was made: the gateway
    then sends exactly the stored JCS text. Asked to seal anything else, it refuses."""

    def __init__(self, sealed: str) -> None:
        doc = json.loads(sealed)
        self._seal = doc["seal"]
        self._payload = canonical({"type": SEAL_TYPE, "order": doc["order"]})

    def sign(self, payload: bytes) -> Signature:
        if payload != self._payload:
            raise ValueError("not the order this seal was made for")
        s = self._seal
        return Signature(s["kid"], s["alg"], unb64u(s["sig"]))


def _store_error(value: Msg) -> str:
    return json.dumps(value.to_json(), ensure_ascii=False)[:500]


def event(session: Session, row: FraudOrder) -> None:
    """Tell the pages an order changed (no personal data: numbers and states)."""
    outbox.publish(
        session, "fraud.order", "fraud_order", row.id,
        {"order_id": row.id, "case_id": row.case_id, "order_no": row.order_no,
         "kind": row.kind, "status": row.status, "result": row.result, "tries": row.tries},
    )  # fmt: skip


class Sender:
    """Sends stored orders, each in a worker thread; `send_now` does one in the caller's."""

    def __init__(
        self, db: Database, registry: Any, policy: RetryPolicy | None = None, workers: int = WORKERS
    ) -> None:
        self.db, self.registry, self.policy = db, registry, policy or RetryPolicy()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fraud-send")

    def submit(self, order_ids: Iterable[int]) -> list[Future[None]]:
        return [self._pool.submit(self._guarded, i) for i in order_ids]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _guarded(self, order_id: int) -> None:
        try:
            self.send_now(order_id)
        except Exception:
            log.exception("fraud order %s: sending failed", order_id)
            self._update(order_id, _failed(msg("fraud.send_failed")))

    def _update(self, order_id: int, change: Callable[[Session, FraudOrder], None]) -> None:
        with self.db.session() as session:
            row = session.get(FraudOrder, order_id)
            if row is None:
                return
            change(session, row)
            event(session, row)
            session.commit()

    def send_now(self, order_id: int) -> None:
        """Send one stored "sending" order and store the outcome (tests call this directly)."""
        with self.db.session(read_only=True) as session:
            row = session.get(FraudOrder, order_id)
            if row is None or row.status != ops.SENDING:
                return
            base, bank, sealed = row.tries, row.bank, row.sealed
            order = ops.stored_order(row)
        tries = [0]

        def notify(_: Msg) -> None:  # a failed try, with more to come
            tries[0] += 1
            n = base + tries[0]
            self._update(order_id, lambda _s, r: setattr(r, "tries", n))

        try:
            gw = self.registry.gateway(bank, StoredSeal(sealed), policy=self.policy, notify=notify)
        except DomainError as exc:  # no gateway configured, unknown bank
            self._update(order_id, _failed(exc.message, tries=base))
            return
        try:
            result = _send(gw, order)
        except BankUnavailable as exc:
            self._update(order_id, _failed(exc.message, tries=base + exc.tries))
            return
        except BankRefused as exc:
            why = msg("fraud.bank_refused", bank=exc.bank, status=exc.status, code=exc.code)
            self._update(order_id, _failed(why, tries=base + tries[0] + 1, status=ops.REFUSED))
            return
        finally:
            close = getattr(gw, "close", None)
            if close is not None:
                close()
        self._update(order_id, _answered(result, base + tries[0] + 1))


def _send(gw: Any, order: Any) -> BankResult:
    if isinstance(order, FreezeOrder):
        return gw.send_freeze(order)
    if isinstance(order, ReleaseOrder):
        return gw.send_release(order)
    if isinstance(order, AtmRevocation):
        return gw.revoke_atm(order)
    return gw.send_stop(order)


def _failed(
    why: Msg | str, *, tries: int | None = None, status: str = ops.UNAVAILABLE
) -> Callable[[Session, FraudOrder], None]:
    def change(_: Session, row: FraudOrder) -> None:
        row.status = status
        row.error = _store_error(why) if isinstance(why, Msg) else str(why)[:500]
        if tries is not None:
            row.tries = tries

    return change


def _answered(result: BankResult, tries: int) -> Callable[[Session, FraudOrder], None]:
    def change(session: Session, row: FraudOrder) -> None:
        row.tries = tries
        ops.answered(session, row, result)
        if result.result == "revoked":
            record_revoked(session, row)

    return change


# --- the app's sender ----------------------------------------------------------------------


def use_registry(app: FastAPI, registry: Any, policy: RetryPolicy | None = None) -> None:
    """Send this app's orders through `registry` (and `policy`, where given) from now on."""
    app.state.fraud_registry = registry
    if policy is not None:
        app.state.fraud_retry = policy
    old = getattr(app.state, "fraud_sender", None)
    app.state.fraud_sender = None
    if old is not None:
        old.shutdown()


_lock = threading.Lock()


def sender(app: FastAPI) -> Sender:
    """The app's sender, made at its first use from the app's registry and retry policy."""
    with _lock:
        found: Sender | None = getattr(app.state, "fraud_sender", None)
        if found is None:
            registry = getattr(app.state, "fraud_registry", None)
            if registry is None:
                registry = Registry.from_settings(app.state.settings)
                app.state.fraud_registry = registry
            policy = getattr(app.state, "fraud_retry", None)
            found = Sender(app.state.db, registry, policy)
            app.state.fraud_sender = found
        return found


def stop_sender(app: FastAPI) -> None:
    """At shutdown: no new tries start; orders not yet taken stay "sending" (resend later)."""
    found: Sender | None = getattr(app.state, "fraud_sender", None)
    if found is not None:
        found.shutdown()
        app.state.fraud_sender = None
