"""The chain is keyed and checkpointed: a writer who recomputes the hashes is still caught."""

from __future__ import annotations

import hashlib
from functools import partial

import pytest
from sqlalchemy import select, update

from pingan.audit import service as audit
from pingan.audit.chain import (
    LEGACY,
    compute_hash,
    entry_fields,
    legacy_hash,
)
from pingan.audit.checkpoints import CheckpointBook
from pingan.audit.models import AuditHead, AuditRecord
from pingan.auth.actor import Actor
from pingan.db.base import utcnow

SYSTEM = Actor.system("test")


def _write(db, n: int) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(session, SYSTEM, "test.write", "thing", i, {"n": i})
        session.commit()


def _rewrite(db, seq: int, hasher) -> None:
    """Edit record `seq` and recompute its hash and every later link and hash, and the head."""
    with db.session() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == seq).values(actor="forger"))
        session.commit()
        rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()
        prev = rows[seq - 2].hash if seq > 1 else "0" * 64
        for row in rows[seq - 1 :]:
            row.prev_hash = prev
            row.hash = prev = hasher(**entry_fields(audit.entry_of(row)))
        session.get(AuditHead, 1).hash = prev
        session.commit()


def _book(tmp_path) -> CheckpointBook:
    return CheckpointBook(path=tmp_path / "cp.jsonl", key_path=tmp_path / "signing.key")


def _sign_head(db, book: CheckpointBook) -> None:
    with db.session() as session:
        head = audit.current_head(session)
        book.sign(head.seq, head.hash, utcnow().isoformat())


def _verify(db, book=None):
    with db.session() as session:
        return audit.verify(session, book)


def test_rewriting_a_record_and_recomputing_every_later_hash_fails_verify(db):
    _write(db, 6)
    _rewrite(db, 3, legacy_hash)  # what a database writer without the key can compute
    result = _verify(db)
    assert not result.ok and any("seq 3" in p and "changed" in p for p in result.problems)


def test_recomputing_with_a_guessed_key_fails_verify(db):
    _write(db, 4)
    _rewrite(db, 2, partial(compute_hash, hashlib.sha256(b"guess").digest()))
    assert not _verify(db).ok


def test_rewrite_with_the_key_is_caught_by_a_signed_checkpoint(db, tmp_path):
    _write(db, 5)
    book = _book(tmp_path)
    _sign_head(db, book)
    with db.session() as session:
        key = audit.chain_key(session)
    _rewrite(db, 2, partial(compute_hash, key))  # an insider who also has the key
    assert _verify(db).ok  # the keyed chain alone cannot tell
    result = _verify(db, book)
    assert not result.ok and any("seq 5" in p and "checkpoint" in p for p in result.problems)


def test_truncating_below_a_signed_checkpoint_is_detected(db, tmp_path):
    _write(db, 5)
    book = _book(tmp_path)
    _sign_head(db, book)
    with db.session() as session:  # drop the newest two and move the head back consistently
        session.execute(AuditRecord.__table__.delete().where(AuditRecord.seq > 3))
        row = session.get(AuditRecord, 3)
        head = session.get(AuditHead, 1)
        head.seq, head.hash = row.seq, row.hash
        session.commit()
    assert _verify(db).ok
    result = _verify(db, book)
    assert not result.ok and any("truncated" in p for p in result.problems)


def test_a_checkpoint_signed_by_another_key_is_rejected(db, tmp_path):
    _write(db, 2)
    _sign_head(db, CheckpointBook(path=tmp_path / "cp.jsonl", key_path=tmp_path / "other.key"))
    _write(db, 1)
    _sign_head(db, _book(tmp_path))  # the trusted key signs the second line only
    result = _verify(db, _book(tmp_path))
    assert not result.ok and any("line 1" in p for p in result.problems)


def _make_legacy(db, n: int) -> None:
    """A chain as stores wrote it before keying: plain SHA-256, head marked sha256."""
    _write(db, n)
    _rewrite(db, 1, legacy_hash)
    with db.session() as session:
        session.get(AuditHead, 1).scheme = LEGACY
        session.commit()


def test_an_unkeyed_chain_is_checked_then_rechained_under_the_key(db):
    _make_legacy(db, 4)
    with db.session() as session:
        old_head = audit.current_head(session).hash
    assert not _verify(db).ok  # not keyed yet: verify says so
    with db.session() as session:
        assert audit.rechain(session).ok
        session.commit()
    assert _verify(db).ok
    with db.session() as session:
        last = session.get(AuditRecord, 5)
    assert last.action == "audit.rechained" and last.detail["legacy_head_hash"] == old_head


def test_a_broken_unkeyed_chain_is_not_rechained(db):
    _make_legacy(db, 3)
    with db.engine.begin() as conn:
        conn.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(action="forged"))
    with db.session() as session:
        assert not audit.rechain(session).ok
        session.commit()
        assert audit.current_head(session).scheme == LEGACY


def test_an_unkeyed_chain_refuses_new_records(db):
    _make_legacy(db, 1)
    with db.session() as session, pytest.raises(audit.AuditChainError):
        audit.record(session, SYSTEM, "test.write", "thing")
