"""Delivery over NATS JetStream: the relay publishes, worker processes consume.

* One durable stream (default `PINGAN_EVENTS`) holds `<prefix>.>`; an event goes to
  `<prefix>.<type>`, e.g. `pingan.events.incident.dispatched`.
* Publishing carries `Nats-Msg-Id` = event id, so a batch the relay sends twice (crash before
  marking it delivered) is stored once (within the stream's duplicate window). The relay marks
  rows delivered only after every publish acknowledgement came back.
* Each subscription is one durable pull consumer named after it; every worker running that
  name pulls from the same consumer, so the work is split. A message is acknowledged after
  the handler's transaction committed; an unacknowledged one is redelivered after `ack_wait`.
  Retries, ordering waits and dead letters are decided by `pingan.bus.consumer.deliver`, so
  the server's own max_deliver is unlimited (a message is never dropped silently).
* Ordering with several workers: JetStream keeps stream order, but two workers can hold two
  events of one incident at once. The consumer's ordering gate (see consumer.py) lets the
  later one wait (negative acknowledgement with a short delay) until the earlier committed.

The client runs on its own asyncio loop in a daemon thread; the relay and tests call the
synchronous methods. The connection reconnects forever; publishes and acknowledgements made
while the server is away are retried by the relay and by redelivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from pingan.bus.consumer import Outcome, deliver, register_consumer
from pingan.bus.outbox import Event
from pingan.bus.registry import Subscription
from pingan.bus.transport import DeliveryError, backoff
from pingan.db.engine import Database
from pingan.i18n import text

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NatsConfig:
    url: str = "nats://127.0.0.1:4222"
    stream: str = "PINGAN_EVENTS"
    subject_prefix: str = "pingan.events"
    ack_wait: float = 30.0  # seconds before an unacknowledged message is redelivered
    retry_delay: float = 0.5  # first back-off after a handler failure (doubles, capped)
    wait_delay: float = 0.05  # delay before an out-of-order event is offered again
    fetch_batch: int = 64
    publish_timeout: float = 10.0
    duplicate_window: float = 120.0  # seconds the server remembers Nats-Msg-Id values
    max_age: float = 7 * 24 * 3600.0  # how long the stream keeps events


class NatsBus:
    """One NATS connection: a `Transport` for the relay and a host for pull consumers."""

    def __init__(self, config: NatsConfig, *, connect_timeout: float = 30.0) -> None:
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pingan-nats")
        self._thread.daemon = True
        self._thread.start()
        self._stopping: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self.nc: Client
        self.js: JetStreamContext
        try:
            self._call(self._connect(), timeout=connect_timeout + 5)
        except BaseException:
            self._shutdown_loop()
            raise

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self) -> None:
        self._stopping = asyncio.Event()
        self.nc = await nats.connect(
            self.config.url,
            name="pingan",
            connect_timeout=2,
            reconnect_time_wait=0.5,
            max_reconnect_attempts=-1,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        self.js = self.nc.jetstream(timeout=self.config.publish_timeout)

    async def _on_error(self, exc: Exception) -> None:
        log.warning("NATS: %r", exc)

    async def _on_disconnected(self) -> None:
        if not self._closing:
            log.warning(text("bus.nats_disconnected"))

    async def _on_reconnected(self) -> None:
        log.info(text("bus.nats_reconnected", url=self.nc.connected_url))

    def _shutdown_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    def subject(self, event_type: str) -> str:
        return f"{self.config.subject_prefix}.{event_type}"

    # -- stream ---------------------------------------------------------------------------
    def ensure_stream(self) -> None:
        """Create the stream, or bring an existing one to this configuration."""
        cfg = api.StreamConfig(
            name=self.config.stream,
            subjects=[f"{self.config.subject_prefix}.>"],
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            duplicate_window=self.config.duplicate_window,
            max_age=self.config.max_age,
        )

        async def ensure() -> None:
            try:
                await self.js.stream_info(self.config.stream)
            except NotFoundError:
                await self.js.add_stream(cfg)
            else:
                await self.js.update_stream(cfg)

        self._call(ensure(), timeout=self.config.publish_timeout)

    def delete_stream(self) -> None:
        async def delete() -> None:
            with contextlib.suppress(NotFoundError):
                await self.js.delete_stream(self.config.stream)

        self._call(delete(), timeout=self.config.publish_timeout)

    # -- Transport ------------------------------------------------------------------------
    async def _publish(self, events: Sequence[Event]) -> None:
        futures = [
            await self.js.publish_async(
                self.subject(e.type),
                e.to_json(),
                stream=self.config.stream,
                headers={"Nats-Msg-Id": e.event_id},
            )
            for e in events
        ]
        try:
            acks = await asyncio.wait_for(
                asyncio.gather(*futures, return_exceptions=True), self.config.publish_timeout
            )
        except TimeoutError as exc:
            raise DeliveryError(f"no JetStream acknowledgement within {exc}") from exc
        errors = [a for a in acks if isinstance(a, BaseException)]
        if errors:
            raise DeliveryError(f"{len(errors)} of {len(events)} publishes failed: {errors[0]!r}")

    def send(self, events: Sequence[Event]) -> None:
        """Publish in order and wait for every acknowledgement (raise DeliveryError if not)."""
        if events:
            try:
                self._call(self._publish(events), timeout=self.config.publish_timeout + 5)
            except DeliveryError:
                raise
            except Exception as exc:
                raise DeliveryError(f"publish failed: {exc!r}") from exc

    # -- consumers ------------------------------------------------------------------------
    def _filter(self, sub: Subscription) -> str:
        # One filter subject per consumer (nats-server 2.9); several patterns take them all
        # and `deliver` ignores what the subscription does not want.
        if len(sub.patterns) == 1:
            return self.subject(sub.patterns[0])
        return f"{self.config.subject_prefix}.>"

    async def _consume(self, sub: Subscription, db: Database, start_id: int) -> None:
        assert self._stopping is not None
        cfg = api.ConsumerConfig(
            durable_name=sub.name,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=self.config.ack_wait,
            max_deliver=-1,
            max_ack_pending=10_000,
        )
        psub = None
        while not self._stopping.is_set():
            try:
                if psub is None:
                    psub = await self.js.pull_subscribe(
                        self._filter(sub), durable=sub.name, stream=self.config.stream, config=cfg
                    )
                msgs = await psub.fetch(self.config.fetch_batch, timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            except Exception as exc:  # noqa: BLE001 - server away or restarting: try again
                log.warning("consumer %s: fetch failed: %r", sub.name, exc)
                await asyncio.sleep(0.5)
                continue
            for msg in msgs:  # finish the fetched batch even when stopping (drain)
                await self._handle(sub, db, start_id, msg)

    async def _handle(self, sub: Subscription, db: Database, start_id: int, msg: Msg) -> None:
        try:
            event = Event.from_json(msg.data)
            result = await asyncio.to_thread(deliver, db, sub, event, start_id=start_id)
            if result.outcome.settled:
                await msg.ack()
            elif result.outcome is Outcome.WAIT:
                await msg.nak(delay=self.config.wait_delay)
            else:
                await msg.nak(delay=backoff(result.failures, self.config.retry_delay, cap=30.0))
        except Exception as exc:  # noqa: BLE001 - store or server trouble: redelivered later
            log.warning("consumer %s: message left for redelivery: %r", sub.name, exc)

    def start_consumers(self, subs: Sequence[Subscription], db: Database) -> None:
        """Run each subscription's pull loop on this connection until `stop_consumers`."""
        self.ensure_stream()
        for sub in subs:
            with db.session() as session:
                start_id = register_consumer(session, sub.name)

            async def spawn(sub: Subscription = sub, start_id: int = start_id) -> None:
                self._tasks.append(asyncio.create_task(self._consume(sub, db, start_id)))

            self._call(spawn(), timeout=5)

    def stop_consumers(self, timeout: float = 30.0) -> None:
        """Stop fetching; let in-flight messages finish and be acknowledged."""

        async def stop() -> None:
            assert self._stopping is not None
            self._stopping.set()
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=timeout)
            self._tasks.clear()

        self._call(stop(), timeout=timeout + 5)

    async def _flush_and_close(self) -> None:
        # Not nc.drain(): it waits on the pull subscriptions' open fetch requests.
        if self.nc.is_connected:
            await self.nc.flush(timeout=5)  # the last acknowledgements reach the server
        await self.nc.close()

    def close(self) -> None:
        """Stop consumers, flush pending acknowledgements and close the connection."""
        self._closing = True
        try:
            self.stop_consumers()
            self._call(self._flush_and_close(), timeout=10)
        except Exception as exc:  # noqa: BLE001 - closing anyway
            log.warning("NATS close: %r", exc)
        finally:
            self._shutdown_loop()
