"""The relay: moves committed outbox rows to the transport, in `id` order, at least once.

A pass reads up to `batch_size` undelivered rows, hands them to the transport and marks them
`delivered_at` only after the transport confirmed every one (for NATS: the JetStream publish
acknowledgements). A crash in between means the batch is sent again; consumers and the
JetStream duplicate window absorb the repeat.

PostgreSQL, several relays (every `pingan serve` and `pingan worker` runs one): a pass holds a
transaction-scoped advisory lock and row locks (`FOR UPDATE SKIP LOCKED`) from reading the
batch until marking it. The advisory lock makes relays take turns batch by batch — with two
relays working side by side an aggregate's later event could be published before an earlier
one held by the other relay — and it is released the moment a relay dies.

SQLite, one relay process: the batch is read, delivered and marked in separate short
transactions, because SQLite has one writer and in-process handlers must write meanwhile.

The relay sleeps until a commit that queued events wakes it (a session `after_commit` hook,
same process) or until `poll_interval` passes (events committed by other processes).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Sequence

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pingan.bus.models import OutboxEvent
from pingan.bus.outbox import PENDING_KEY, Event
from pingan.bus.transport import Transport
from pingan.db.base import utcnow
from pingan.db.engine import Database

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x70696E67616E  # "pingan": one relay at a time per PostgreSQL database

_running: weakref.WeakSet[Relay] = weakref.WeakSet()


def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING_KEY, False):
        for relay in list(_running):
            relay.wake()


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


sa_event.listen(Session, "after_commit", _after_commit)
sa_event.listen(Session, "after_rollback", _after_rollback)


def undelivered(db: Database) -> int:
    """How many committed events still wait for the relay."""
    with db.session(read_only=True) as session:
        return session.execute(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))
        ).scalar_one()


class Relay:
    """Delivers the outbox of one store through one transport."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
    ) -> None:
        self.db = db
        self.transport = transport
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._pass_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one pass -------------------------------------------------------------------------
    def _batch(self, session: Session, *, lock: bool) -> list[Event]:
        t = OutboxEvent.__table__.c
        query = (
            select(
                t.event_id, t.type, t.aggregate_type, t.aggregate_id, t.aggregate_seq,
                t.payload, t.created_at, t.id,
            )
            .where(t.delivered_at.is_(None))
            .order_by(t.id)
            .limit(self.batch_size)
        )  # fmt: skip
        if lock:
            query = query.with_for_update(skip_locked=True)
        # Plain columns, not ORM objects: a batch is read-only here and this is the hot path.
        return [Event(*row) for row in session.connection().execute(query)]

    @staticmethod
    def _mark(session: Session, events: Sequence[Event]) -> None:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([e.outbox_id for e in events]))
            .values(delivered_at=utcnow())
        )

    def _pass_postgres(self) -> int:
        with self.db.session() as session:
            if not session.execute(
                select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))
            ).scalar_one():
                return 0  # another relay holds the turn; rolled back on close
            events = self._batch(session, lock=True)
            if events:
                self.transport.send(events)
                self._mark(session, events)
            session.commit()
            return len(events)

    def _pass_sqlite(self) -> int:
        # the batch is read without the write lock: the relay wakes after every commit
        with self.db.session(read_only=True) as session:
            events = self._batch(session, lock=False)
        if not events:
            return 0
        self.transport.send(events)
        with self.db.session() as session:
            self._mark(session, events)
            session.commit()
        return len(events)

    def run_once(self) -> int:
        """Deliver one batch; return how many events were confirmed (0: none waiting here)."""
        with self._pass_lock:
            if self.db.dialect == "postgresql":
                return self._pass_postgres()
            return self._pass_sqlite()

    def drain(self) -> int:
        """Deliver until this relay finds nothing more; return the total."""
        total = 0
        while (n := self.run_once()) > 0:
            total += n
        return total

    # -- background thread ----------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                n = self.run_once()
                failures = 0
            except Exception:  # keep relaying; the batch is retried
                failures += 1
                log.exception("relay pass failed (%d in a row); retrying", failures)
                self._stop.wait(min(5.0, self.poll_interval * failures))
                continue
            if n < self.batch_size:
                self._wake.wait(self.poll_interval)

    def start(self) -> Relay:
        if self._thread is None:
            self._stop.clear()
            _running.add(self)
            self._thread = threading.Thread(target=self._loop, name="pingan-relay", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the pass in progress and stop (events left are delivered by the next run)."""
        _running.discard(self)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
