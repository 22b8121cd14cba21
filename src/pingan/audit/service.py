"""Append audit records inside the caller's transaction; read and verify the trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit.chain import (
    GENESIS_HASH,
    KEYED,
    ChainEntry,
    VerifyResult,
    compute_hash,
    entry_fields,
    legacy_hash,
    verify_chain,
)
from pingan.audit.models import AuditHead, AuditRecord
from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.i18n import msg, stored_json

if TYPE_CHECKING:
    from pingan.audit.checkpoints import CheckpointBook
    from pingan.db.engine import Database

HEAD_ID = 1
KEY_INFO = "pingan.audit_key"  # Session.info entry holding the chain's HMAC key


class AuditChainError(RuntimeError):
    """The chain cannot be extended: no key, or an old unkeyed chain not yet rechained."""


def use_key(db: Database, key: bytes) -> None:
    """Every session of this store, writing or reading, hashes (and verifies) the chain under
    `key`."""
    db.bind_info(KEY_INFO, key)


def chain_key(session: Session) -> bytes:
    """The session's bound key, else the process runtime's (event handlers, simulations)."""
    key = session.info.get(KEY_INFO)
    if key is not None:
        return key
    from pingan import runtime  # late: runtime imports services that import this module

    configured = runtime.configured()
    if configured is None:
        raise AuditChainError(msg("audit.no_key"))
    return configured.vault.audit_key


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
    return record_many(session, actor, [(action, object_type, object_id, detail)])[0]


Entry = tuple[str, str, "str | int | None", "dict[str, Any] | None"]  # action, type, id, detail


def record_many(session: Session, actor: Actor, entries: list[Entry]) -> list[AuditRecord]:
    """Append several records, in order, by one actor in one transaction: the head is read
    and locked once (a batch of position fixes need not re-read it per record)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    if head.scheme != KEYED:
        raise AuditChainError(msg("audit.not_keyed"))
    key = chain_key(session)
    out = []
    for action, object_type, object_id, detail in entries:
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "at": utcnow(),
            "actor": actor.username,
            "actor_role": str(actor.role) if actor.role else None,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "ip": actor.ip,
            "detail": stored_json(detail or {}),  # messages as {code, params}
            "prev_hash": head.hash,
        }
        entry = AuditRecord(**fields, hash=compute_hash(key, **fields))
        session.add(entry)
        head.seq, head.hash = entry.seq, entry.hash
        out.append(entry)
    return out


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
            yield entry_of(r)
        last = rows[-1].seq


def entry_of(r: AuditRecord) -> ChainEntry:
    return ChainEntry(
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


def verify(session: Session, book: CheckpointBook | None = None) -> VerifyResult:
    """Recompute the whole chain in batches (memory stays flat for millions of records),
    under the key, then hold it against the signed checkpoints in `book` if given."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return VerifyResult(ok=False, checked=0, problems=["audit head row is missing"])
    if head.scheme != KEYED:
        return VerifyResult(
            ok=False,
            checked=0,
            problems=[f"chain is {head.scheme}, not keyed: run `pingan db upgrade` to rechain"],
        )
    hasher = partial(compute_hash, chain_key(session))
    result = verify_chain(_entries(session), head_seq=head.seq, head_hash=head.hash, hasher=hasher)
    if book is None:
        return result
    problems = result.problems + _against_checkpoints(session, book, head.seq)
    return VerifyResult(ok=not problems, checked=result.checked, problems=problems)


def _against_checkpoints(session: Session, book: CheckpointBook, head_seq: int) -> list[str]:
    """A checkpointed record must still carry its signed hash, and the chain reach it."""
    checkpoints, problems = book.load()
    for cp in checkpoints:
        stored = session.execute(
            select(AuditRecord.hash).where(AuditRecord.seq == cp.seq)
        ).scalar_one_or_none()
        if cp.seq > head_seq or stored is None:
            problems.append(f"seq {cp.seq}: signed checkpoint beyond the chain (truncated)")
        elif stored != cp.hash:
            problems.append(f"seq {cp.seq}: differs from the signed checkpoint of {cp.at}")
    return problems


def current_head(session: Session) -> AuditHead:
    return session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID)).scalar_one()


def rechain(session: Session, *, accept_broken: bool = False) -> VerifyResult:
    """Rehash an unkeyed (plain SHA-256) chain under the key, once, after checking it.

    A broken old chain is left alone unless `accept_broken`; the rechain itself is recorded
    with the old head, so the last unkeyed hash stays covered by the keyed chain.
    """
    row = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    if row.scheme == KEYED:
        return VerifyResult(ok=True, checked=0, problems=[])
    old = verify_chain(_entries(session), head_seq=row.seq, head_hash=row.hash, hasher=legacy_hash)
    if not old.ok and not accept_broken:
        return old
    key, prev, legacy_head = chain_key(session), GENESIS_HASH, (row.seq, row.hash)
    for entry in _entries(session):
        fields = entry_fields(entry) | {"prev_hash": prev}
        prev = compute_hash(key, **fields)
        session.execute(
            AuditRecord.__table__.update()
            .where(AuditRecord.seq == entry.seq)
            .values(prev_hash=fields["prev_hash"], hash=prev)
        )
    row.hash, row.scheme = prev, KEYED
    session.flush()
    record(
        session,
        Actor.system("upgrade"),
        "audit.rechained",
        "audit_log",
        detail={
            "legacy_head_seq": legacy_head[0],
            "legacy_head_hash": legacy_head[1],
            "legacy_problems": len(old.problems),
        },
    )
    return old
