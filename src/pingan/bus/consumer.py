"""Apply an event once per consumer, in order per aggregate, whatever the delivery does.

Delivery is at least once and, with several workers, not in order; the effect is made exactly
once and in order here, inside the handler's own transaction:

* a `processed_events` row is inserted with the handler's change; if it is already there
  the event was applied before (redelivery) and is skipped;
* the ordering gate: every earlier event of the same aggregate that this consumer subscribes
  to must already be applied (`consumer_positions` says how far it is known to be), else the
  event is put back (`OutOfOrder`) and retried after a short delay;
* a handler that keeps failing is given up after `max_deliver` attempts: a `dead_letters`
  row records the error, and the event counts as processed so later ones are not blocked.
"""

from __future__ import annotations

import enum
import logging
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pingan.bus.models import (
    BusConsumer,
    ConsumerPosition,
    DeadLetter,
    OutboxEvent,
    ProcessedEvent,
)
from pingan.bus.outbox import Event
from pingan.bus.patterns import matches_any
from pingan.bus.registry import Handler, Subscription
from pingan.db.base import utcnow
from pingan.db.engine import Database

log = logging.getLogger(__name__)


class OutOfOrder(Exception):
    """An earlier event of the same aggregate has not been applied by this consumer yet."""


class Outcome(enum.StrEnum):
    DONE = "done"  # applied now
    DUPLICATE = "duplicate"  # applied before: skip, acknowledge
    IGNORED = "ignored"  # not this consumer's business (pattern, or before it started)
    WAIT = "wait"  # out of order: put back, retry shortly
    FAILED = "failed"  # handler raised: retry with back-off
    DEAD = "dead"  # given up after max_deliver attempts: dead letter written

    @property
    def settled(self) -> bool:
        """True when the event needs no further delivery to this consumer."""
        return self not in (Outcome.WAIT, Outcome.FAILED)


def _insert(session: Session) -> Any:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def register_consumer(session: Session, name: str) -> int:
    """Record a consumer on first use and return its first outbox id (commits)."""
    existing = session.get(BusConsumer, name)
    if existing is not None:
        return existing.start_id
    start = session.execute(select(func.coalesce(func.max(OutboxEvent.id), 0))).scalar_one() + 1
    stmt = (
        _insert(session)
        .insert(BusConsumer)
        .values(name=name, start_id=start, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[BusConsumer.name])
    )
    session.execute(stmt)
    session.commit()
    return session.get(BusConsumer, name, populate_existing=True).start_id  # type: ignore[union-attr]


def _claim(session: Session, consumer: str, event_id: str) -> bool:
    """Insert the processed marker; False when it exists (or a concurrent one committed)."""
    stmt = (
        _insert(session)
        .insert(ProcessedEvent)
        .values(consumer=consumer, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=[ProcessedEvent.consumer, ProcessedEvent.event_id])
        .returning(ProcessedEvent.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def _check_order(
    session: Session, consumer: str, patterns: tuple[str, ...], event: Event, start_id: int
) -> None:
    """Raise OutOfOrder if an earlier event of the aggregate that we want is still unapplied."""
    last = session.execute(
        select(ConsumerPosition.last_seq).where(
            ConsumerPosition.consumer == consumer,
            ConsumerPosition.aggregate_type == event.aggregate_type,
            ConsumerPosition.aggregate_id == event.aggregate_id,
        )
    ).scalar_one_or_none()
    if last is not None and last >= event.aggregate_seq - 1:
        return
    done = exists().where(
        and_(ProcessedEvent.consumer == consumer, ProcessedEvent.event_id == OutboxEvent.event_id)
    )
    earlier = session.execute(
        select(OutboxEvent.type, OutboxEvent.aggregate_seq).where(
            OutboxEvent.aggregate_type == event.aggregate_type,
            OutboxEvent.aggregate_id == event.aggregate_id,
            OutboxEvent.aggregate_seq > (last or 0),
            OutboxEvent.aggregate_seq < event.aggregate_seq,
            OutboxEvent.id >= start_id,
            ~done,
        )
    ).all()
    missing = [seq for type_, seq in earlier if matches_any(patterns, type_)]
    if missing:
        raise OutOfOrder(
            f"{consumer}: {event.aggregate_type}/{event.aggregate_id} seq "
            f"{event.aggregate_seq} waits for {sorted(missing)}"
        )


def _advance(session: Session, consumer: str, event: Event) -> None:
    dialect = _insert(session)
    stmt = dialect.insert(ConsumerPosition).values(
        consumer=consumer,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        last_seq=event.aggregate_seq,
    )
    greatest = func.greatest if dialect is postgresql else func.max
    stmt = stmt.on_conflict_do_update(
        index_elements=[
            ConsumerPosition.consumer,
            ConsumerPosition.aggregate_type,
            ConsumerPosition.aggregate_id,
        ],
        set_={"last_seq": greatest(ConsumerPosition.last_seq, stmt.excluded.last_seq)},
    )
    session.execute(stmt)


def handle_once(
    session: Session,
    consumer: str,
    event: Event,
    fn: Handler,
    *,
    patterns: tuple[str, ...] = (">",),
    start_id: int = 0,
) -> bool:
    """Apply `fn` to the event in the caller's transaction unless this consumer already did.

    Returns False for a duplicate (nothing changed). Raises OutOfOrder when an earlier event
    of the aggregate matching `patterns` is still unapplied; the caller rolls back and retries.
    The caller commits; the marker and the handler's change commit or vanish together.
    """
    if not _claim(session, consumer, event.event_id):
        return False
    _check_order(session, consumer, patterns, event, start_id)
    fn(session, event)
    _advance(session, consumer, event)
    return True


def _record_failure(
    db: Database, sub: Subscription, event: Event, error: BaseException
) -> tuple[int, bool]:
    """Count a failed attempt; at max_deliver write the dead letter. (attempts, given up)."""
    message = f"{type(error).__name__}: {error}"[:1000]
    now = utcnow()
    with db.session() as session:
        row = session.execute(
            select(DeadLetter)
            .where(DeadLetter.consumer == sub.name, DeadLetter.event_id == event.event_id)
            .with_for_update()
        ).scalar_one_or_none()
        if row is None:
            try:
                row = DeadLetter(
                    consumer=sub.name,
                    event_id=event.event_id,
                    event_type=event.type,
                    aggregate_type=event.aggregate_type,
                    aggregate_id=event.aggregate_id,
                    aggregate_seq=event.aggregate_seq,
                    attempts=0,
                    last_error=message,
                    first_failed_at=now,
                    dead_at=None,
                )
                session.add(row)
                session.flush()
            except IntegrityError:  # a concurrent worker recorded the first failure
                session.rollback()
                return _record_failure(db, sub, event, error)
        if row.dead_at is not None:
            return row.attempts, True
        session.execute(
            update(DeadLetter)
            .where(DeadLetter.id == row.id)
            .values(attempts=DeadLetter.attempts + 1, last_error=message)
        )
        session.refresh(row)
        dead = row.attempts >= sub.max_deliver
        if dead:
            row.dead_at = now
            _claim(session, sub.name, event.event_id)
            log.error("dead letter %s %s %s: %s", sub.name, event.type, event.event_id, message)
        session.commit()
        return row.attempts, dead


class Delivery(NamedTuple):
    outcome: Outcome
    failures: int = 0  # failed attempts so far (for the retry back-off)


def deliver(db: Database, sub: Subscription, event: Event, *, start_id: int = 0) -> Delivery:
    """One delivery attempt of `event` to `sub` in its own transaction."""
    if not sub.wants(event.type) or event.outbox_id < start_id:
        return Delivery(Outcome.IGNORED)
    try:
        with db.session() as session:
            applied = handle_once(
                session, sub.name, event, sub.handler, patterns=sub.patterns, start_id=start_id
            )
            session.commit()
        return Delivery(Outcome.DONE if applied else Outcome.DUPLICATE)
    except OutOfOrder as exc:
        log.debug("%s", exc)
        return Delivery(Outcome.WAIT)
    except Exception as exc:  # noqa: BLE001 - any handler error is retried, then dead-lettered
        log.warning("handler %s failed on %s %s: %r", sub.name, event.type, event.event_id, exc)
        failures, dead = _record_failure(db, sub, event, exc)
        return Delivery(Outcome.DEAD if dead else Outcome.FAILED, failures)
