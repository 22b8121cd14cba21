"""The bus rig: the same tests run in-process and over the real NATS server, on both stores.

NATS tests skip with a stated reason when nothing answers on PINGAN_TEST_NATS_URL (default
nats://127.0.0.1:4222), unless PINGAN_TEST_REQUIRE_SERVICES=1. Every test gets its own
stream and subject prefix, deleted afterwards, so parallel runs do not collide.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from sqlalchemy.orm import Session

from pingan.bus import outbox
from pingan.bus.jetstream import NatsBus
from pingan.bus.outbox import Event
from pingan.bus.registry import Handler, Registry
from pingan.bus.relay import undelivered
from pingan.bus.worker import Backbone, nats_config
from pingan.config import Settings
from pingan.db.engine import Database
from tests.bus import effects
from tests.conftest import service_unavailable

NATS_URL = os.environ.get("PINGAN_TEST_NATS_URL", "nats://127.0.0.1:4222")
CONSUMER = "audit_log"


def nats_down_reason(url: str = NATS_URL) -> str | None:
    """None when a TCP connection to the NATS server opens, else why not."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 4222), timeout=1):
            return None
    except OSError as exc:
        return f"{url}: {type(exc).__name__}"


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def produce(
    db: Database, items: Sequence[tuple[str, str]], *, per_tx: int = 1, type_: str = "test.tick"
) -> int:
    """Publish (aggregate_id, type) pairs, `per_tx` per committed transaction."""
    for i in range(0, len(items), per_tx):
        with db.session() as session:
            for aggregate_id, event_type in items[i : i + per_tx]:
                outbox.publish(session, event_type or type_, "thing", aggregate_id, {"n": i})
            session.commit()
    return len(items)


@dataclass
class Rig:
    """Starts "workers" (a Backbone each: relay plus consumer) in the chosen delivery mode."""

    mode: str
    db: Database
    settings: Settings
    backbones: list[Backbone] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (worker, event_id) per call
    lock: threading.Lock = field(default_factory=threading.Lock)

    def recording(self, worker: str, inner: Handler | None = None) -> Handler:
        """A handler that writes an effect row, after `inner` (which may fail or sleep)."""

        def handle(session: Session, event: Event) -> None:
            with self.lock:
                self.calls.append((worker, event.event_id))
            if inner is not None:
                inner(session, event)
            effects.record(session, CONSUMER, worker, event)

        return handle

    def start(
        self,
        workers: int = 1,
        *,
        patterns: tuple[str, ...] = ("test.>",),
        inner: Handler | None = None,
        max_deliver: int = 5,
    ) -> list[Backbone]:
        started = []
        for i in range(workers):
            registry = Registry()
            registry.add(
                CONSUMER, patterns, self.recording(f"w{i}", inner), max_deliver=max_deliver
            )
            started.append(Backbone(self.settings, self.db, subscriptions=registry).start())
        self.backbones.extend(started)
        return started

    def settle(self, expected: int, timeout: float = 20.0) -> None:
        """Wait until `expected` effects exist and the outbox is empty (then a moment more)."""
        ok = wait_until(
            lambda: effects.count(self.db)[0] >= expected and undelivered(self.db) == 0, timeout
        )
        assert ok, f"{effects.count(self.db)} effects of {expected}, {undelivered(self.db)} left"
        time.sleep(0.2)  # anything still arriving would be a duplicate: let it show

    def stop(self) -> None:
        stoppers = [threading.Thread(target=b.stop) for b in self.backbones]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        self.backbones.clear()


@pytest.fixture(params=["inprocess", "nats"])
def rig(request: pytest.FixtureRequest, db: Database) -> Iterator[Rig]:
    tag = uuid.uuid4().hex[:10]
    admin = None
    if request.param == "nats":
        if reason := nats_down_reason():
            service_unavailable("NATS", reason)
        settings = Settings(
            database_url=db.url,
            bus_url=NATS_URL,
            bus_stream=f"PINGAN_TEST_{tag}",
            bus_subject_prefix=f"pt{tag}.events",
            bus_ack_wait_seconds=1.0,
            bus_retry_delay_seconds=0.02,
            bus_poll_seconds=0.05,
        )
        admin = NatsBus(nats_config(settings))
        admin.ensure_stream()
    else:
        settings = Settings(
            database_url=db.url, bus_retry_delay_seconds=0.02, bus_poll_seconds=0.05
        )
    effects.prepare(db)
    rig = Rig(request.param, db, settings)
    try:
        yield rig
    finally:
        rig.stop()
        effects.drop(db)
        if admin is not None:
            admin.delete_stream()
            admin.close()
