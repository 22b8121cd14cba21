"""The delivery contract, once per delivery mode (in-process, NATS) and store (SQLite, PostgreSQL).

Each test starts "workers" (relay plus consumer, as `pingan worker` runs them), writes events
through the outbox, and counts the rows the test consumer wrote.
"""

from __future__ import annotations

import random
import threading
import time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pingan.bus import outbox
from pingan.bus.models import DeadLetter, OutboxEvent
from pingan.bus.outbox import Event
from pingan.bus.transport import DeliveryError
from tests.bus import effects
from tests.bus.conftest import Rig, produce, wait_until


def test_only_committed_events_are_delivered_and_only_after_commit(rig: Rig) -> None:
    rig.start()
    with rig.db.session() as session:
        rolled_back = outbox.publish(session, "test.tick", "thing", "a", {})
        session.flush()
        session.rollback()
    with rig.db.session() as session:
        kept = outbox.publish(session, "test.tick", "thing", "b", {})
        session.flush()
        time.sleep(0.4)  # the relay is polling meanwhile (on SQLite it waits for the lock)
        assert rig.calls == []  # nothing reached the consumer before the commit
        session.commit()
    rig.settle(1)
    seen = {event_id for _, event_id in rig.calls}
    assert seen == {kept.event_id}
    assert rolled_back.event_id not in seen


class LosesConfirmations:
    """Delivers, then reports failure for the first `n` batches (a lost publish ack)."""

    def __init__(self, inner, n: int) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.left, self.sent = inner, n, 0

    def send(self, events) -> None:  # type: ignore[no-untyped-def]
        self.inner.send(events)
        self.sent += len(events)
        if self.left:
            self.left -= 1
            raise DeliveryError("confirmation lost")

    def close(self) -> None:
        self.inner.close()


def test_at_least_once_when_a_confirmation_is_lost(rig: Rig) -> None:
    (worker,) = rig.start()
    assert worker.relay is not None
    flaky = LosesConfirmations(worker.relay.transport, 2)
    worker.relay.transport = flaky
    produce(rig.db, [(f"a{i % 5}", "") for i in range(40)], per_tx=10)
    rig.settle(40)
    assert flaky.sent > 40  # some batches went out twice
    assert effects.count(rig.db) == (40, 40)  # applied once each


def test_in_order_per_aggregate_with_several_workers(rig: Rig) -> None:
    rig.start(3)
    rng = random.Random(7)
    # Two writers on disjoint aggregates (a real service locks its aggregate while publishing).
    parts = [[(f"agg{k}{rng.randrange(4)}", "") for _ in range(120)] for k in range(2)]
    threads = [
        threading.Thread(target=produce, args=(rig.db, part), kwargs={"per_tx": per_tx})
        for part, per_tx in zip(parts, (1, 3), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rig.settle(240, timeout=40)
    assert effects.count(rig.db) == (240, 240)
    for aggregate_id, seqs in effects.sequences(rig.db).items():
        assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1)), aggregate_id


def test_redelivered_events_apply_once(rig: Rig) -> None:
    slow_done = threading.Event()

    def slow_then_flaky(session: Session, event: Event) -> None:
        # The first event outlives ack_wait once (NATS redelivers it to the other worker);
        # every fifth event fails on its first try (redelivered after a negative ack).
        if event.aggregate_seq == 1 and event.aggregate_id == "a0" and not slow_done.is_set():
            slow_done.set()
            time.sleep(1.6)
        if event.aggregate_seq % 5 == 0 and not any(
            eid == event.event_id for _, eid in rig.calls[:-1]
        ):
            raise RuntimeError("transient")

    rig.start(2, inner=slow_then_flaky)
    produce(rig.db, [(f"a{i % 3}", "") for i in range(30)], per_tx=5)
    rig.settle(30, timeout=30)
    # The relay crashes after publishing but before marking: everything is sent again.
    with rig.db.session() as session:
        session.execute(update(OutboxEvent).values(delivered_at=None))
        session.commit()
    for backbone in rig.backbones:
        assert backbone.relay is not None
        backbone.relay.wake()
    rig.settle(30, timeout=30)
    assert effects.count(rig.db) == (30, 30)
    assert len(rig.calls) > 30  # the failed first tries were delivered again


def test_several_workers_share_one_durable_consumer(rig: Rig) -> None:
    rig.start(3)
    produce(rig.db, [(f"u{i % 30}", "") for i in range(300)], per_tx=20)
    rig.settle(300, timeout=40)
    assert effects.count(rig.db) == (300, 300)
    if rig.mode == "nats":  # pull consumers hand each message to one worker at a time
        assert len([n for n in effects.per_worker(rig.db).values() if n > 0]) >= 2


def test_failing_handler_is_dead_lettered_without_blocking_its_aggregate(rig: Rig) -> None:
    def poison(session: Session, event: Event) -> None:
        if event.aggregate_id == "p" and event.aggregate_seq == 2:
            raise ValueError("bad payload")

    rig.start(inner=poison, max_deliver=3)
    produce(rig.db, [("p", "")] * 4)
    rig.settle(3)
    assert effects.sequences(rig.db) == {"p": [1, 3, 4]}
    with rig.db.session() as session:
        dead = session.execute(select(DeadLetter)).scalar_one()
    assert (dead.aggregate_seq, dead.attempts, dead.consumer) == (2, 3, "audit_log")
    assert dead.dead_at is not None and "bad payload" in dead.last_error


def test_events_outside_the_patterns_are_not_delivered(rig: Rig) -> None:
    rig.start(patterns=("test.kept",))
    produce(rig.db, [("x", "test.kept"), ("x", "test.other"), ("x", "test.kept")])
    assert wait_until(lambda: effects.count(rig.db)[0] >= 2, 10)
    time.sleep(0.2)
    assert effects.sequences(rig.db) == {"x": [1, 3]}
