"""The signing keys' table itself: one active key per algorithm, held by the store (both
stores) and under racing rotations (PostgreSQL, two sessions); migration 0022 down and up."""

from __future__ import annotations

import base64
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.db.tx import deferred_commit
from pingan.pii.vault import Vault
from pingan.trust import signing
from pingan.trust.signing.models import ONE_ACTIVE, SigningKey
from tests.conftest import SECRET, _truncate_postgres

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADMIN = Actor(1, "admin1", Role.ADMIN, None)


def _row(key_id: str, alg: str = "ed25519", status: str = "active") -> SigningKey:
    return SigningKey(
        key_id=key_id, algorithm=alg, status=status, public_key=b"p", private_sealed=b"s",
        created_at=T0, created_by="admin1",
    )  # fmt: skip


def _refuses_a_second_active_key(db: Database) -> None:
    with db.session() as session:
        session.add_all([_row("ed-1"), _row("ed-0", status="retired"), _row("sm2-1", "sm2")])
        session.add(_row("ed-00", status="revoked"))
        session.commit()  # one active per algorithm, any number of others: accepted
        session.add(_row("ed-2"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        active = select(SigningKey.key_id).where(SigningKey.status == "active")
        assert sorted(session.execute(active).scalars()) == ["ed-1", "sm2-1"]


def test_the_store_refuses_a_second_active_key_for_one_algorithm(db):
    _refuses_a_second_active_key(db)


def test_migration_0022_downgrades_and_upgrades_again(db):
    migrate.downgrade(db.engine, "0021_lost_found_cells")
    try:
        assert "signing_keys" not in inspect(db.engine).get_table_names()
    finally:
        migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("signing_keys")}
    assert indexes[ONE_ACTIVE]["unique"]
    _refuses_a_second_active_key(db)


@pytest.fixture
def pg(postgres_url):  # type: ignore[no-untyped-def]
    database = Database(postgres_url)
    _truncate_postgres(database)
    audit.use_key(database, Vault(base64.urlsafe_b64decode(SECRET)).audit_key)
    signing.use_key(database, base64.urlsafe_b64decode(SECRET))
    yield database
    database.dispose()


def _wait_for_a_blocked_session(db: Database, rival: threading.Thread) -> None:
    """Until some session of this database waits on a lock (the rival, on the first's). Each
    look is its own transaction: within one, PostgreSQL keeps showing its first snapshot."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        with db.engine.connect() as conn:
            if conn.execute(waiting).scalar():
                return
        if not rival.is_alive():
            break
        time.sleep(0.05)
    pytest.fail("the rival rotation never waited on the first one")


@pytest.mark.parametrize("existing", [True, False], ids=["rotate", "first-key"])
def test_racing_rotations_leave_exactly_one_active_key(pg, existing):
    """The first rotation holds its transaction open while the rival starts: the rival waits
    (on the old key's row lock, or on the new key's index entry), then retries and wins."""
    if existing:
        with pg.session() as session:
            signing.rotate(session, ADMIN, "ed25519", now=T0)
    rival: dict[str, object] = {}

    def rotate_in_another_session() -> None:
        try:
            with pg.session() as session:
                rival["key"] = signing.rotate(session, ADMIN, "ed25519", now=T1).key_id
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            rival["error"] = exc

    with pg.session() as first:
        with deferred_commit(first):
            mine = signing.rotate(first, ADMIN, "ed25519", now=T1).key_id
        thread = threading.Thread(target=rotate_in_another_session)
        thread.start()
        _wait_for_a_blocked_session(pg, thread)
        first.commit()
    thread.join(30)
    assert not thread.is_alive() and "error" not in rival, rival
    with pg.session() as session:
        keys = {k.key_id: k.status for k in signing.list_keys(session)}
        count = select(func.count()).select_from(SigningKey)
        assert session.execute(count).scalar() == (3 if existing else 2)
    assert [k for k, status in keys.items() if status == "active"] == [rival["key"]]
    assert keys[mine] == "retired"
