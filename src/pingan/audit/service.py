"""Append audit records inside the caller's transaction; read and verify the trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit.chain import ChainEntry, VerifyResult, compute_hash, verify_chain
from pingan.audit.models import AuditHead, AuditRecord
from pingan.auth.actor import Actor
from pingan.db.base import utcnow

HEAD_ID = 1


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record in the same transaction as the change it describes.

    The head row is locked FOR UPDATE (PostgreSQL) — SQLite's BEGIN IMMEDIATE already
    serialises writers — so concurrent writers extend the chain one after another. Callers
    pass masked personal data only.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": utcnow(),
        "actor": actor.username,
        "actor_role": str(actor.role) if actor.role else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "ip": actor.ip,
        "detail": detail or {},
        "prev_hash": head.hash,
    }
    entry = AuditRecord(**fields, hash=compute_hash(**fields))
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


def list_records(
    session: Session,
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRecord], int]:
    query = select(AuditRecord)
    if actor:
        query = query.where(AuditRecord.actor == actor)
    if object_type:
        query = query.where(AuditRecord.object_type == object_type)
    if object_id:
        query = query.where(AuditRecord.object_id == object_id)
    if action:
        query = query.where(AuditRecord.action == action)
    if since:
        query = query.where(AuditRecord.at >= since)
    if until:
        query = query.where(AuditRecord.at < until)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(AuditRecord.seq.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def _entries(session: Session, batch: int = 2000) -> Iterator[ChainEntry]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.seq > last)
                .order_by(AuditRecord.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for r in rows:
            yield ChainEntry(
                seq=r.seq,
                at=r.at,
                actor=r.actor,
                actor_role=r.actor_role,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                ip=r.ip,
                detail=r.detail,
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
        last = rows[-1].seq


def verify(session: Session) -> VerifyResult:
    """Recompute the whole chain in batches (memory stays flat for millions of records)."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return VerifyResult(ok=False, checked=0, problems=["audit head row is missing"])
    return verify_chain(_entries(session), head_seq=head.seq, head_hash=head.hash)
