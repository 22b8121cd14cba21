"""Write events into the outbox inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
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
    aggregate_id = str(aggregate_id)
    seq = (
        session.execute(
            select(func.coalesce(func.max(OutboxEvent.aggregate_seq), 0)).where(
                OutboxEvent.aggregate_type == aggregate_type,
                OutboxEvent.aggregate_id == aggregate_id,
            )
        ).scalar_one()
        + 1
    )
    row = OutboxEvent(
        event_id=str(uuid.uuid4()),
        type=type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_seq=seq,
        payload=payload,
        created_at=utcnow(),
        delivered_at=None,
    )
    session.add(row)
    return row
