"""Assemble the event backbone for one process: relay plus consumers, in either mode.

* in-process (no `PINGAN_BUS_URL`): the relay calls the registered handlers itself, so
  `pingan serve` alone delivers everything; `pingan worker` may run the same relay too
  (PostgreSQL lets relays take turns).
* NATS (`PINGAN_BUS_URL=nats://…`): every process's relay publishes to JetStream;
  `pingan worker` processes run the durable consumers; `pingan serve` runs only the relay.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from types import FrameType

from pingan import jobs, runtime
from pingan.bus.jetstream import NatsBus, NatsConfig
from pingan.bus.outbox import Event
from pingan.bus.registry import Registry, load_handlers, registry
from pingan.bus.relay import Relay
from pingan.bus.transport import InProcessTransport, ObservedTransport, Transport
from pingan.config import Settings
from pingan.db.engine import Database
from pingan.i18n import text
from pingan.store import open_store

log = logging.getLogger(__name__)


def nats_config(settings: Settings) -> NatsConfig:
    if not settings.bus_url:
        raise ValueError("PINGAN_BUS_URL is not set")
    return NatsConfig(
        url=settings.bus_url,
        stream=settings.bus_stream,
        subject_prefix=settings.bus_subject_prefix,
        ack_wait=settings.bus_ack_wait_seconds,
        retry_delay=settings.bus_retry_delay_seconds,
    )


class Backbone:
    """The relay (optional) and the consumers (optional) of one process."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        subscriptions: Registry = registry,
        relay: bool = True,
        consumers: bool = True,
        only: Iterable[str] | None = None,
        observers: Sequence[Callable[[Sequence[Event]], None]] = (),
    ) -> None:
        self.db = db
        self.mode = "nats" if settings.bus_url else "inprocess"
        self.nats: NatsBus | None = None
        transport: Transport
        subs = subscriptions.subscriptions(only)
        if self.mode == "nats":
            self.nats = NatsBus(nats_config(settings))
            self.nats.ensure_stream()
            transport = self.nats
            self._consumer_subs = subs if consumers else []
        else:
            scoped = Registry()
            for sub in subs if consumers else []:
                scoped.add(sub.name, sub.patterns, sub.handler, max_deliver=sub.max_deliver)
            transport = InProcessTransport(db, scoped, retry_delay=settings.bus_retry_delay_seconds)
            transport.register()
            self._consumer_subs = []
        # observers (the live hub) see what this process's relay confirmed
        if observers:
            transport = ObservedTransport(transport, observers)
        self.transport = transport
        self.relay = (
            Relay(db, transport, poll_interval=settings.bus_poll_seconds) if relay else None
        )

    def start(self) -> Backbone:
        if self.nats is not None and self._consumer_subs:
            self.nats.start_consumers(self._consumer_subs, self.db)
        if self.relay is not None:
            self.relay.start()
        log.info(text("bus.started", mode=self.mode))
        return self

    def stop(self) -> None:
        """Finish the relay pass and the in-flight messages, then close the connection."""
        if self.relay is not None:
            self.relay.stop()
        self.transport.close()
        log.info(text("bus.stopped"))


def run_worker(
    settings: Settings,
    *,
    relay: bool = True,
    only: Iterable[str] | None = None,
    extra_modules: Iterable[str] = (),
    stop: threading.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then shut down cleanly."""
    stop = stop or threading.Event()
    db, vault = open_store(settings, echo=settings.sql_echo)  # refuses a key that does not fit
    runtime.configure(settings, vault).city.warm_in_background()  # handlers share the city
    load_handlers(extra_modules)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info(text("bus.signal_stopping", signum=signum))
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        backbone = Backbone(settings, db, relay=relay, only=only).start()
        timer = jobs.start(settings, db)
        try:
            stop.wait()
        finally:
            if timer is not None:
                timer.stop()
            backbone.stop()
    finally:
        db.dispose()
        for s, handler in previous.items():
            signal.signal(s, handler)
