"""Event backbone benchmark: events committed AND delivered per second, and device positions.

    .venv/bin/python bench/events.py [--quick] [--postgres URL] [--nats URL] [--outbox-only]

On a throwaway PostgreSQL database, producer threads write events through
`pingan.bus.outbox.publish` in their own transactions (each thread owns its aggregates, as a
service owns the row it locks); the relay delivers them — through NATS JetStream (publish
acknowledged by the server, received by a subscriber) when reachable, and in-process (handed
to a subscriber callback). The clock stops when the last event has arrived and the outbox is
empty; arrival order is checked per aggregate. Baseline in the same run: the naive way, one
commit plus one synchronous publish per message. A last row times the consumer side: the
idempotent, ordered `handle_once` path, one transaction per event.
Medians of several repetitions. Then, unless --outbox-only, bench/mqtt_positions.py runs in
its own process (2,000 devices at 5 Hz through Mosquitto into live state) and its figures are
added, prefixed positions_. Prints the tables, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence

from companion import companion
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from stores import migrated_store

from pingan.bus import outbox
from pingan.bus.consumer import deliver, register_consumer
from pingan.bus.jetstream import NatsBus, NatsConfig
from pingan.bus.outbox import Event
from pingan.bus.registry import Registry
from pingan.bus.relay import Relay, undelivered
from pingan.db.engine import Database

AGGREGATES = 200
THREADS = 4


class Sink:
    """Receives delivered events; checks per-aggregate order; signals when all arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.last: dict[str, int] = {}
        self.out_of_order = 0
        self.done = threading.Event()
        self._lock = threading.Lock()

    def add(self, event: Event) -> None:
        with self._lock:
            if event.aggregate_seq != self.last.get(event.aggregate_id, 0) + 1:
                self.out_of_order += 1
            self.last[event.aggregate_id] = event.aggregate_seq
            self.count += 1
            if self.count >= self.expected:
                self.done.set()


class CallbackTransport:
    """In-process delivery to one subscriber callback (no consumer bookkeeping)."""

    def __init__(self, fn: Callable[[Event], None]) -> None:
        self.fn = fn

    def send(self, events: Sequence[Event]) -> None:
        for event in events:
            self.fn(event)

    def close(self) -> None:
        pass


def produce(
    db: Database, n: int, per_tx: int, after: Callable[[Event], None] | None = None
) -> None:
    """n events from THREADS threads, per_tx per transaction; `after` runs once per commit."""

    def work(k: int) -> None:
        mine = [f"a{k}-{j}" for j in range(AGGREGATES // THREADS)]
        for i in range(0, n // THREADS, per_tx):
            with db.session() as session:
                rows = [
                    outbox.publish(
                        session, "bench.tick", "bench", mine[(i + j) % len(mine)], {"i": i}
                    )
                    for j in range(per_tx)
                ]
                session.commit()
            if after is not None:
                for row in rows:
                    after(Event.from_row(row))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def reset(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox, processed_events, consumer_positions RESTART IDENTITY"))


def run_outbox(
    db: Database, n: int, per_tx: int, transport_of: Callable[[Sink], object]
) -> tuple[float, int]:
    reset(db)
    sink = Sink(n)
    transport, closer = transport_of(sink)
    relay = Relay(db, transport, batch_size=1000, poll_interval=0.02).start()  # type: ignore[arg-type]
    started = time.perf_counter()
    produce(db, n, per_tx)
    sink.done.wait(120)
    while undelivered(db):
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    relay.stop()
    closer()
    assert sink.count >= n, f"only {sink.count} of {n} arrived"
    return n / elapsed, sink.out_of_order


def run_baseline(db: Database, n: int, publish_one: Callable[[Event], None]) -> float:
    reset(db)
    started = time.perf_counter()
    produce(db, n, 1, after=publish_one)
    return n / (time.perf_counter() - started)


def run_consumer(db: Database, n: int) -> float:
    """handle_once for n committed events, one worker, one transaction each."""
    reset(db)
    produce(db, n, 10)
    with db.session() as session:
        from pingan.bus.models import OutboxEvent

        rows = session.query(OutboxEvent).order_by(OutboxEvent.id).all()
        events = [Event.from_row(r) for r in rows]
    registry = Registry()
    sub = registry.add(f"bench_{uuid.uuid4().hex[:6]}", [">"], lambda s, e: None)
    with db.session() as session:
        start = min(e.outbox_id for e in events)
        register_consumer(session, sub.name)
    started = time.perf_counter()
    for event in events:
        deliver(db, sub, event, start_id=start)
    return len(events) / (time.perf_counter() - started)


def nats_transport(config: NatsConfig) -> Callable[[Sink], tuple[NatsBus, Callable[[], None]]]:
    def make(sink: Sink) -> tuple[NatsBus, Callable[[], None]]:
        bus = NatsBus(config)
        bus.ensure_stream()
        listener = NatsBus(config)

        async def subscribe() -> None:
            async def on_msg(msg) -> None:  # type: ignore[no-untyped-def]
                sink.add(Event.from_json(msg.data))

            await listener.nc.subscribe(
                f"{config.subject_prefix}.>", cb=on_msg, pending_msgs_limit=-1
            )
            await listener.nc.flush()

        listener._call(subscribe(), timeout=10)

        def close() -> None:
            bus.close()
            listener.close()

        return bus, close

    return make


def fresh_postgres(admin_url: str) -> tuple[Database, Callable[[], None]]:
    name = f"pingan_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = migrated_store(make_url(admin_url).set(database=name).render_as_string(False))

    def drop() -> None:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return db, drop


def nats_reachable(url: str) -> bool:
    try:
        NatsBus(NatsConfig(url=url), connect_timeout=2).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few-second smoke run")
    parser.add_argument(
        "--outbox-only", action="store_true", help="skip bench/mqtt_positions.py (MQTT positions)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "PINGAN_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--nats", default=os.environ.get("PINGAN_BUS_URL", "nats://127.0.0.1:4222"))
    args = parser.parse_args()
    n, n_base, reps = (2_000, 400, 2) if args.quick else (20_000, 3_000, 3)

    db, drop = fresh_postgres(args.postgres)
    tag = uuid.uuid4().hex[:8]
    config = NatsConfig(
        url=args.nats, stream=f"PINGAN_BENCH_{tag}", subject_prefix=f"pb{tag}.events"
    )
    have_nats = nats_reachable(args.nats)
    rows: list[tuple[str, float, int | str]] = []
    figures: dict[str, object] = {"events": n, "repetitions": reps, "threads": THREADS}
    try:
        inproc = lambda sink: (CallbackTransport(sink.add), lambda: None)  # noqa: E731
        cases: list[tuple[str, str, int, Callable]] = [
            ("outbox_inprocess_events_per_s", "outbox → in-process, 10 events/tx", 10, inproc)
        ]
        if have_nats:
            cases = [
                (
                    "outbox_events_per_s",
                    "outbox → NATS JetStream, 10 events/tx",
                    10,
                    nats_transport(config),
                ),
                (
                    "outbox_1_per_tx_events_per_s",
                    "outbox → NATS JetStream, 1 event/tx",
                    1,
                    nats_transport(config),
                ),
                *cases,
            ]
        for key, label, per_tx, make in cases:
            results = [run_outbox(db, n, per_tx, make) for _ in range(reps)]
            rate = statistics.median(r[0] for r in results)
            disorder = sum(r[1] for r in results)
            rows.append((label, rate, disorder))
            figures[key] = round(rate)
            figures["out_of_order"] = figures.get("out_of_order", 0) + disorder  # type: ignore[operator]
        if not have_nats:
            figures["outbox_events_per_s"] = figures["outbox_inprocess_events_per_s"]

        if have_nats:
            publisher = NatsBus(config)
            publisher.ensure_stream()
            label = "baseline: commit + sync NATS publish per message"
            base = statistics.median(
                run_baseline(db, n_base, lambda e: publisher.send([e])) for _ in range(reps)
            )
            publisher.delete_stream()
            publisher.close()
        else:
            sink = Sink(n_base)
            label = "baseline: commit + in-process call per message"
            base = statistics.median(run_baseline(db, n_base, sink.add) for _ in range(reps))
        rows.append((label, base, "-"))
        figures["baseline_events_per_s"] = round(base)

        apply_rate = statistics.median(run_consumer(db, n_base) for _ in range(reps))
        rows.append(("consumer: handle_once, 1 worker, 1 tx/event", apply_rate, "-"))
        figures["consumer_apply_events_per_s"] = round(apply_rate)
    finally:
        if have_nats:
            admin = NatsBus(config)
            admin.delete_stream()
            admin.close()
        drop()

    figures["transport"] = "nats" if have_nats else "inprocess"
    figures["target_events_per_s"] = 2000
    figures["speedup_vs_baseline"] = round(
        figures["outbox_events_per_s"] / figures["baseline_events_per_s"], 2
    )  # type: ignore[operator]
    print(f"PostgreSQL, {THREADS} producer threads, {AGGREGATES} aggregates, median of {reps}")
    print(f"{'case':<52} {'events/s':>10} {'out of order':>13}")
    for label, rate, disorder in rows:
        print(f"{label:<52} {rate:>10.0f} {disorder!s:>13}")
    if not have_nats:
        print(f"(NATS not reachable at {args.nats}: in-process only)")
    if not args.outbox_only:  # the other figure: device positions over MQTT
        part = companion("mqtt_positions.py", *(["--quick"] if args.quick else []))
        figures.update({f"positions_{k}": v for k, v in part.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
