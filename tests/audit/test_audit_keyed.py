"""The chain is keyed and checkpointed: a writer who recomputes the hashes is still caught."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import update

from pingan.audit import service as audit
from pingan.audit.chain import (
    LEGACY,
    compute_hash,
    legacy_hash,
)
from pingan.audit.checkpoints import CheckpointBook
from pingan.audit.models import AuditHead, AuditRecord
from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from tests.audit.forge import rewrite_tail

SYSTEM = Actor.system("test")


def _write(db, n: int) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(session, SYSTEM, "test.write", "thing", i, {"n": i})
        session.commit()


def _book(tmp_path) -> CheckpointBook:
    return CheckpointBook(path=tmp_path / "cp.jsonl", key_path=tmp_path / "signing.key")


def _sign_head(db, book: CheckpointBook) -> None:
    with db.session() as session:
        head = audit.current_head(session)
        book.sign(head.seq, head.hash, utcnow().isoformat())


def _signed_at(book: CheckpointBook) -> str:
    checkpoints, _ = book.load()
    return checkpoints[-1].at


def _verify(db, book=None):
    with db.session() as session:
        return audit.verify(session, book)


def test_a_rewrite_with_the_key_passes_the_chain_but_not_a_signed_checkpoint_it_reaches(
    db, tmp_path
):
    """An insider holding the audit key rewrites consistently: the keyed chain cannot tell.
    A signed checkpoint catches every rewrite that reaches back to it; records newer than the
    newest checkpoint are held by the key alone until the next one is signed."""
    _write(db, 5)
    book = _book(tmp_path)
    _sign_head(db, book)
    _write(db, 3)
    with db.session() as session:
        keyed = partial(compute_hash, audit.chain_key(session))
    rewrite_tail(db, 7, keyed, actor="forger")  # after the checkpoint only
    assert _verify(db).ok and _verify(db, book).ok
    rewrite_tail(db, 2, keyed, actor="forger")  # back past the checkpoint at seq 5
    assert _verify(db).ok
    result = _verify(db, book)
    assert not result.ok
    assert result.problems == [f"seq 5: differs from the signed checkpoint of {_signed_at(book)}"]


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
    rewrite_tail(db, 1, legacy_hash)
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
