"""Write events into the outbox inside the caller's transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from pingan.bus.models import OutboxEvent
from pingan.db.base import utcnow


@dataclass(frozen=True, slots=True)
class Event:
    """What consumers receive: the outbox row as plain data."""

    event_id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    aggregate_seq: int
    payload: dict[str, Any]
    created_at: datetime
    outbox_id: int = 0  # the outbox row's id: global order, and a consumer's starting point

    @classmethod
    def from_row(cls, row: OutboxEvent) -> Event:
        return cls(
            row.event_id,
            row.type,
            row.aggregate_type,
            row.aggregate_id,
            row.aggregate_seq,
            row.payload,
            row.created_at,
            row.id,
        )

    def to_json(self) -> bytes:
        """The wire form (NATS message body)."""
        body = asdict(self)
        body["created_at"] = self.created_at.isoformat()
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Event:
        body = json.loads(data)
        body["created_at"] = datetime.fromisoformat(body["created_at"])
        return cls(**body)


# Set on a session that queued an event, so the relay is woken only by commits that matter.
PENDING_KEY = "pingan.bus.pending"


_table = OutboxEvent.__table__
_NEXT_SEQ = (
    select(func.coalesce(func.max(_table.c.aggregate_seq), 0) + 1)
    .where(
        _table.c.aggregate_type == bindparam("seq_type"),
        _table.c.aggregate_id == bindparam("seq_id"),
    )
    .scalar_subquery()
)
# Built once: numbering and insert in one statement, one round trip, no ORM unit of work.
_INSERT = (
    insert(_table).values(aggregate_seq=_NEXT_SEQ).returning(_table.c.id, _table.c.aggregate_seq)
)


def publish(
    session: Session,
    type: str,
    aggregate_type: str,
    aggregate_id: str | int,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Queue an event; it is delivered only if the caller's transaction commits.

    The per-aggregate sequence is computed under the caller's lock on the aggregate (an
    incident row FOR UPDATE, SQLite's write lock); the unique constraint catches any slip.
    Callers put no clear personal data in payloads.
    """
    values = {
        "event_id": str(uuid.uuid4()),
        "type": type,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(aggregate_id),
        "payload": payload,
        "created_at": utcnow(),
        "delivered_at": None,
    }
    params = {**values, "seq_type": aggregate_type, "seq_id": values["aggregate_id"]}
    row_id, seq = session.connection().execute(_INSERT, params).one()
    row = OutboxEvent(id=row_id, aggregate_seq=seq, **values)
    session.info[PENDING_KEY] = True
    return row
