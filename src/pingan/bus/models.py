"""Tables: the outbox of events waiting for delivery, and what each consumer has processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class OutboxEvent(Base):
    """An event written in the same transaction as the change it announces.

    `id` orders all events; `aggregate_seq` numbers one aggregate's events so consumers can
    check that one incident's events never overtake each other.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("aggregate_type", "aggregate_id", "aggregate_seq"),
        Index("ix_outbox_undelivered", "delivered_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(40))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    aggregate_seq: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProcessedEvent(Base):
    """A consumer's record that it applied an event: inserted with the consumer's own change,
    so a redelivered event is recognised and skipped (at-least-once in, exactly-once effect)."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BusConsumer(Base):
    """A logical subscriber (e.g. `dispatch`) and the first outbox id it is responsible for.

    Registered when a worker first runs it: events written before it existed are not its
    business, and its ordering check never waits for them.
    """

    __tablename__ = "bus_consumers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    start_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsumerPosition(Base):
    """Per consumer and aggregate, the last sequence number applied in order.

    Every event of that aggregate the consumer subscribes to up to `last_seq` is done, so the
    ordering check only has to look at the events after it.
    """

    __tablename__ = "consumer_positions"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    aggregate_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    aggregate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class DeadLetter(Base):
    """A consumer's failures on one event; `dead_at` is set once it gave up (max_deliver).

    A given-up event also gets its `processed_events` row, so the aggregate's later events
    are not held back behind it; operators read the error here and replay by hand.
    """

    __tablename__ = "dead_letters"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(40))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    aggregate_seq: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(1000))
    first_failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
