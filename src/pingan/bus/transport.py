"""The delivery side of the bus: what the relay hands committed events to.

`InProcessTransport` (the default; embedded mode needs no server) calls the registered
handlers directly, in outbox order, each in its own transaction. `pingan.bus.nats.NatsBus`
publishes to NATS JetStream instead, where durable consumers in worker processes pick them up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from pingan.bus.consumer import Outcome, deliver, register_consumer
from pingan.bus.outbox import Event
from pingan.bus.registry import Registry, Subscription
from pingan.db.engine import Database

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The transport could not confirm every event; the relay retries them later."""


class Transport(Protocol):
    def send(self, events: Sequence[Event]) -> None:
        """Deliver the events in order; return only once every one is confirmed, else raise."""

    def close(self) -> None: ...


def backoff(attempt: int, base: float, cap: float = 5.0) -> float:
    """Delay before retry number `attempt` (1-based): doubling from `base`, capped."""
    return min(cap, base * 2 ** max(0, attempt - 1))


class ObservedTransport:
    """A transport that also shows every confirmed batch to observers (the live hub).

    Observers see a batch only after the inner transport confirmed all of it, so they get
    events in outbox order; a batch that failed is shown when the relay's retry succeeds.
    """

    def __init__(self, inner: Transport, observers: Sequence[Callable[[Sequence[Event]], None]]):
        self.inner = inner
        self.observers = tuple(observers)

    def send(self, events: Sequence[Event]) -> None:
        self.inner.send(events)
        for observe in self.observers:
            try:
                observe(events)
            except Exception:  # an observer must never stall the bus
                log.exception("event observer failed")

    def close(self) -> None:
        self.inner.close()


class InProcessTransport:
    """Calls each matching subscription's handler, once per event in effect, after commit.

    A failing handler is retried here with back-off up to its `max_deliver`, then
    dead-lettered, so one bad event cannot stall the bus. Out-of-order waits (possible only
    when several relays share a store) are retried as well; if they persist the batch is
    reported unconfirmed and the relay sends it again later.
    """

    def __init__(self, db: Database, registry: Registry, *, retry_delay: float = 0.05) -> None:
        self.db = db
        self.registry = registry
        self.retry_delay = retry_delay
        self._starts: dict[str, int] = {}
        self._stop = threading.Event()

    def start_id(self, sub: Subscription) -> int:
        if sub.name not in self._starts:
            with self.db.session() as session:
                self._starts[sub.name] = register_consumer(session, sub.name)
        return self._starts[sub.name]

    def register(self) -> None:
        """Fix every subscription's starting point now (before events it should see)."""
        for sub in self.registry.subscriptions():
            self.start_id(sub)

    def send(self, events: Sequence[Event]) -> None:
        for event in events:
            for sub in self.registry.for_event(event.type):
                self._deliver(sub, event)

    def _deliver(self, sub: Subscription, event: Event) -> None:
        start = self.start_id(sub)
        waits = 0
        while True:
            result = deliver(self.db, sub, event, start_id=start)
            if result.outcome.settled:
                return
            if result.outcome is Outcome.WAIT:
                waits += 1
                if waits > 20:
                    raise DeliveryError(f"{sub.name}: {event.event_id} still out of order")
                delay = self.retry_delay
            else:
                delay = backoff(result.failures, self.retry_delay, cap=5.0)
            if self._stop.wait(delay):
                raise DeliveryError("transport closed")

    def close(self) -> None:
        self._stop.set()
