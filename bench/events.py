"""Event backbone benchmark: events committed AND delivered per second, and device positions.

    .venv/bin/python bench/events.py [--quick] [--postgres URL] [--nats URL] [--outbox-only]

On a throwaway PostgreSQL database, producer threads write events through
`pingan.bus.outbox.publish` in their own transactions (each thread owns its aggregates, as a
service owns the row it locks); the relay delivers them — through NATS JetStream (publish
acknowledged by the server, received by a subscriber) when reachable, and in-process (handed
to a subscriber callback). The clock stops when the last event has arrived and the outbox is
empty; arrival order is checked per aggregate. Baseline in the same run, on the same number
of events: the naive way, each commit followed by one synchronous publish per message. Both
ways run at 10 events per transaction and at 1, so the outbox's gain at the same batch size
and batching's own gain are reported apart. A last row times the consumer side: the
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
BATCHES = (10, 1)  # events per transaction: every way is measured at each


def _per(per_tx: int) -> str:
    return "event/tx" if per_tx == 1 else "events/tx"


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


def median_outbox(
    db: Database, n: int, per_tx: int, transport_of: Callable[[Sink], object], reps: int
) -> tuple[float, int]:
    """Median rate of `reps` outbox runs, and the events out of order over all of them."""
    results = [run_outbox(db, n, per_tx, transport_of) for _ in range(reps)]
    return statistics.median(r[0] for r in results), sum(r[1] for r in results)


def run_baseline(db: Database, n: int, per_tx: int, publish_one: Callable[[Event], None]) -> float:
    """The naive way: per_tx events per commit, then each published on its own, waited for."""
    reset(db)
    started = time.perf_counter()
    produce(db, n, per_tx, after=publish_one)
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
    n, n_consumer, reps = (2_000, 400, 2) if args.quick else (20_000, 3_000, 3)

    db, drop = fresh_postgres(args.postgres)
    tag = uuid.uuid4().hex[:8]
    config = NatsConfig(
        url=args.nats, stream=f"PINGAN_BENCH_{tag}", subject_prefix=f"pb{tag}.events"
    )
    have_nats = nats_reachable(args.nats)
    where = "NATS JetStream" if have_nats else "in-process"
    call = "sync NATS publish" if have_nats else "in-process call"
    rows: list[tuple[str, float, int | str]] = []
    rates: dict[tuple[str, int], float] = {}
    figures: dict[str, object] = {"events": n, "repetitions": reps, "threads": THREADS}
    disorder = 0
    try:
        inproc = lambda sink: (CallbackTransport(sink.add), lambda: None)  # noqa: E731
        outbox_to = nats_transport(config) if have_nats else inproc
        if have_nats:
            publisher = NatsBus(config)
            publisher.ensure_stream()
            publish_one: Callable[[Event], None] = lambda e: publisher.send([e])  # noqa: E731
        else:
            publish_one = Sink(n).add
        # Both ways at both batch sizes on the same number of events: the outbox's gain over
        # the naive way at one batch size, and batching's gain, are then read apart.
        for per_tx in BATCHES:
            rates["outbox", per_tx], dis = median_outbox(db, n, per_tx, outbox_to, reps)
            disorder += dis
            rows.append(
                (f"outbox → {where}, {per_tx} {_per(per_tx)}", rates["outbox", per_tx], dis)
            )
            rates["baseline", per_tx] = statistics.median(
                run_baseline(db, n, per_tx, publish_one) for _ in range(reps)
            )
            rows.append((f"baseline: commit + {call} per message, {per_tx} {_per(per_tx)}",
                         rates["baseline", per_tx], "-"))  # fmt: skip
        if have_nats:
            publisher.delete_stream()
            publisher.close()
            rate, dis = median_outbox(db, n, BATCHES[0], inproc, reps)
            disorder += dis
            rows.append((f"outbox → in-process, {BATCHES[0]} {_per(BATCHES[0])}", rate, dis))
            figures["outbox_inprocess_events_per_s"] = round(rate)

        apply_rate = statistics.median(run_consumer(db, n_consumer) for _ in range(reps))
        rows.append(("consumer: handle_once, 1 worker, 1 tx/event", apply_rate, "-"))
        figures["consumer_events"] = n_consumer
        figures["consumer_apply_events_per_s"] = round(apply_rate)
    finally:
        if have_nats:
            admin = NatsBus(config)
            admin.delete_stream()
            admin.close()
        drop()

    big, one = BATCHES
    figures |= {
        "transport": "nats" if have_nats else "inprocess",
        "target_events_per_s": 2000,
        "outbox_events_per_s": round(rates["outbox", big]),
        "outbox_1_per_tx_events_per_s": round(rates["outbox", one]),
        "baseline_events_per_s": round(rates["baseline", big]),
        "baseline_1_per_tx_events_per_s": round(rates["baseline", one]),
        "out_of_order": disorder,
        # like with like: the outbox against the naive way at the same batch size …
        "speedup_same_batch": round(rates["outbox", big] / rates["baseline", big], 2),
        "speedup_1_per_tx": round(rates["outbox", one] / rates["baseline", one], 2),
        # … and what batching alone gives each way
        "batching_gain_outbox": round(rates["outbox", big] / rates["outbox", one], 2),
        "batching_gain_baseline": round(rates["baseline", big] / rates["baseline", one], 2),
    }
    print(
        f"PostgreSQL, {THREADS} producer threads, {AGGREGATES} aggregates, {n:,} events per "
        f"case, median of {reps}"
    )
    print(f"{'case':<64} {'events/s':>10} {'out of order':>13}")
    for label, rate, dis in rows:
        print(f"{label:<64} {rate:>10.0f} {dis!s:>13}")
    print(
        f"outbox over the baseline at the same batch: {figures['speedup_same_batch']}× at "
        f"{big} events/tx, {figures['speedup_1_per_tx']}× at 1; batching {one} → {big} "
        f"events/tx: {figures['batching_gain_outbox']}× for the outbox, "
        f"{figures['batching_gain_baseline']}× for the baseline"
    )
    if not have_nats:
        print(f"(NATS not reachable at {args.nats}: in-process only)")
    if not args.outbox_only:  # the other figure: device positions over MQTT
        part = companion("mqtt_positions.py", *(["--quick"] if args.quick else []))
        figures.update({f"positions_{k}": v for k, v in part.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
