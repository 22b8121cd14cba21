"""A test-only table the test consumers write to: one row per applied event, so counting
rows shows whether anything was lost or applied twice."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text
from sqlalchemy.orm import Session

from pingan.bus.outbox import Event
from pingan.db.engine import Database

metadata = MetaData()
effects = Table(
    "bus_test_effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(64), nullable=False),
    Column("worker", String(64), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
)


def prepare(db: Database) -> None:
    """Create the table if missing and empty it."""
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM bus_test_effects"))


def drop(db: Database) -> None:
    """Remove the table again: the shared test database must match the migrations."""
    metadata.drop_all(db.engine)


def record(session: Session, consumer: str, worker: str, event: Event) -> None:
    session.execute(
        insert(effects).values(
            consumer=consumer,
            worker=worker,
            event_id=event.event_id,
            aggregate_id=event.aggregate_id,
            seq=event.aggregate_seq,
        )
    )


def count(db: Database) -> tuple[int, int]:
    """(rows, distinct event ids)."""
    with db.session() as session:
        rows, distinct = session.execute(
            select(func.count(), func.count(effects.c.event_id.distinct()))
        ).one()
    return rows, distinct


def sequences(db: Database) -> dict[str, list[int]]:
    """Per aggregate, the sequence numbers in the order they were applied."""
    with db.session() as session:
        rows = session.execute(
            select(effects.c.aggregate_id, effects.c.seq).order_by(effects.c.id)
        ).all()
    out: dict[str, list[int]] = defaultdict(list)
    for aggregate_id, seq in rows:
        out[aggregate_id].append(seq)
    return dict(out)


def per_worker(db: Database) -> dict[str, int]:
    with db.session() as session:
        rows = session.execute(
            select(effects.c.worker, func.count()).group_by(effects.c.worker)
        ).all()
    return {worker: n for worker, n in rows}
