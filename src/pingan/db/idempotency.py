"""Idempotency keys: a creation retried after a lost reply answers as the first time did.

A client sends `Idempotency-Key: <its own id for this attempt>` with a create request. The
first request claims (user, operation, key) in its own committed row before doing the work,
so a concurrent retry finds the claim (409) instead of creating a second record; when the work
is done the row keeps the answer, which a later retry with the same body gets back unchanged.
The same key with a different body is a client error (422); keys expire after a day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pingan.auth.actor import Actor
from pingan.db.base import Base, UtcDateTime, utcnow
from pingan.errors import Conflict, ValidationFailed
from pingan.i18n import msg

KEEP_FOR = timedelta(hours=24)


class IdempotencyKey(Base):
    """One claimed key: in progress while `status` is null, then the answer given."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "operation", "key", name="uq_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    operation: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@dataclass(frozen=True)
class Replay:
    """The answer first given for this key, to be given again as it was."""

    status: int
    body: dict[str, Any]


def fingerprint(body: BaseModel) -> str:
    """The request as parsed, so spacing and field order do not make a body "different"."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(session: Session, actor: Actor, operation: str, key: str, digest: str) -> None:
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == actor.user_id,
            IdempotencyKey.operation == operation,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < utcnow() - KEEP_FOR,
        )
    )
    session.add(
        IdempotencyKey(user_id=actor.user_id, operation=operation, key=key, request_hash=digest)
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _in_progress() from None


def _in_progress() -> Conflict:
    return Conflict(
        msg("db.idempotency_in_progress"),
        code="idempotency_in_progress",
    )


def _existing(session: Session, actor: Actor, operation: str, key: str) -> IdempotencyKey | None:
    return session.execute(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == actor.user_id,
            IdempotencyKey.operation == operation,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at >= utcnow() - KEEP_FOR,
        )
    ).scalar_one_or_none()


def once(
    session: Session,
    actor: Actor,
    operation: str,
    key: str | None,
    body: BaseModel,
    create: Callable[[], BaseModel],
    status: int = 201,
) -> Replay | BaseModel:
    """Run `create` once per key: the stored answer for a retry, else the new answer."""
    if key is None:
        return create()
    digest = fingerprint(body)
    row = _existing(session, actor, operation, key)
    if row is not None:
        if row.request_hash != digest:
            raise ValidationFailed(
                msg("db.idempotency_key_reused"),
                code="idempotency_key_reused",
            )
        if row.status is None or row.response is None:
            raise _in_progress()
        return Replay(row.status, row.response)
    _claim(session, actor, operation, key, digest)
    try:
        answer = create()
    except BaseException:
        session.rollback()
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == actor.user_id,
                IdempotencyKey.operation == operation,
                IdempotencyKey.key == key,
            )
        )
        session.commit()
        raise
    claimed = _existing(session, actor, operation, key)
    if claimed is not None:
        claimed.status, claimed.response = status, answer.model_dump(mode="json")
        session.commit()
    return answer
