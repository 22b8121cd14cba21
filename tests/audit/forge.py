"""What someone who can write to the store does to the audit trail: rewrite records and
recompute every hash after them, the links and the head, so the chain is consistent again.

Whether verify notices depends only on `hasher`: the unkeyed SHA-256 or a guessed key (a
writer without the audit key), or the real key (an insider who holds it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from pingan.audit import service as audit
from pingan.audit.chain import GENESIS_HASH, entry_fields
from pingan.audit.models import AuditHead, AuditRecord
from pingan.db.engine import Database


def rewrite_tail(db: Database, first: int, hasher: Callable[..., str], **changes: Any) -> int:
    """Set `changes` (column values) on every record from seq `first` to the newest, rehash
    each with `hasher` and move the head to the new last hash; the newest seq."""
    with db.session() as session:
        before = session.get(AuditRecord, first - 1)
        prev = before.hash if before else GENESIS_HASH
        rows = session.execute(
            select(AuditRecord).where(AuditRecord.seq >= first).order_by(AuditRecord.seq)
        ).scalars()
        last = first - 1
        for row in rows:
            for column, value in changes.items():
                setattr(row, column, value)
            row.prev_hash = prev
            row.hash = prev = hasher(**entry_fields(audit.entry_of(row)))
            last = row.seq
        session.get(AuditHead, audit.HEAD_ID).hash = prev
        session.commit()
    return last
