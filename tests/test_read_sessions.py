"""Reads in read-only transactions: they neither wait for nor block a writer, on both stores;
audited reads still write their audit record; the benchmark's baseline still queues reads."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import exc, text

from pingan.auth.roles import Role
from pingan.db import engine as db_engine
from pingan.db.engine import Database
from tests.helpers import create_incident
from tests.services.conftest import found_body
from tests.services.test_missing_api import missing_body

TOUCH_AUDIT_HEAD = text("UPDATE audit_head SET seq = seq WHERE id = 1")  # as every writer does


@pytest.fixture
def short_busy_timeout(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that waits for the write lock fails within a second, not after 30 s."""
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_S", 1)
    db.engine.dispose()  # pooled connections were opened with the 30 s timeout


@contextmanager
def writer_holding_the_lock(db: Database) -> Iterator[None]:
    """Another connection that has begun writing and not committed: SQLite's write lock (and
    this process's writer lock), PostgreSQL's lock on the audit head row."""
    with db.engine.connect() as conn:
        conn.execute(TOUCH_AUDIT_HEAD)
        yield
        conn.rollback()


def test_get_proceeds_while_another_connection_holds_the_write_lock(
    client, accounts, db, short_busy_timeout
):
    disp = accounts.headers(Role.DISPATCHER)
    incident = create_incident(client, disp)
    with writer_holding_the_lock(db):
        listed = client.get("/api/v1/incidents", headers=disp)
        one = client.get(f"/api/v1/incidents/{incident['id']}", headers=disp)
        me = client.get("/api/v1/auth/me", headers=disp)
    assert listed.status_code == 200, listed.text
    assert [i["id"] for i in listed.json()["items"]] == [incident["id"]]
    assert one.status_code == 200 and one.json()["case_number"] == incident["case_number"]
    assert me.status_code == 200 and me.json()["username"] == "dispatcher1"


def test_read_only_sessions_refuse_writes_and_leave_the_connection_writable(db):
    with db.session(read_only=True) as session, pytest.raises(exc.DBAPIError):
        session.execute(TOUCH_AUDIT_HEAD)
    with db.session() as session:
        session.execute(TOUCH_AUDIT_HEAD)
        session.commit()


def test_a_request_may_commit_more_than_once(db):
    """A write request can commit in steps (an Idempotency-Key claim, the use case, the stored
    answer; a sign-up attempt, then the account): its session stays writable after a commit."""
    with db.session() as session:
        for _ in range(2):
            session.execute(TOUCH_AUDIT_HEAD)
            session.commit()


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path) -> Iterator[Database]:
    path = tmp_path / "own.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def test_write_lock_is_given_back_on_commit_rollback_and_close(sqlite_db):
    writers = db_engine._writers_of(sqlite_db.engine.url.database)
    with sqlite_db.session() as session:
        session.execute(TOUCH_AUDIT_HEAD)
        assert writers.locked()
        session.commit()
        assert not writers.locked()
        session.execute(TOUCH_AUDIT_HEAD)
        session.rollback()
        assert not writers.locked()
        session.execute(TOUCH_AUDIT_HEAD)
    assert not writers.locked()  # closed mid-transaction


def test_legacy_transactions_make_reads_wait_for_the_write_lock(sqlite_db, monkeypatch):
    """The switch bench/api.py measures against really is the old behaviour."""
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_S", 1)
    legacy = Database(sqlite_db.url, legacy_transactions=True)
    try:
        with (
            writer_holding_the_lock(legacy),
            legacy.session(read_only=True) as session,
            pytest.raises(exc.OperationalError),
        ):
            session.execute(text("SELECT seq FROM audit_head")).all()
    finally:
        legacy.dispose()


def test_audited_reads_still_write_their_audit_record(client, accounts):
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    incident = create_incident(client, disp)
    r = client.post("/api/v1/services/lost-found/found", json=found_body(), headers=officer)
    assert r.status_code == 201, r.text
    item = r.json()["item"]
    r = client.post(
        "/api/v1/services/missing", json=missing_body(), headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 201, r.text
    report = r.json()
    reads = {
        "incident.read_pii": (f"/api/v1/incidents/{incident['id']}/reporter", Role.DISPATCHER),
        "lost_found.details_read": (
            f"/api/v1/services/lost-found/items/{item['id']}/details",
            Role.OFFICER,
        ),
        "missing.guardian_read": (
            f"/api/v1/services/missing/{report['id']}/guardian",
            Role.OFFICER,
        ),
    }
    for action, (path, role) in reads.items():
        r = client.get(path, headers=accounts.headers(role))
        assert r.status_code == 200, (path, r.text)
        audit = client.get(
            "/api/v1/audit", params={"action": action}, headers=accounts.headers(Role.AUDITOR)
        ).json()
        assert audit["total"] == 1, action
        assert audit["items"][0]["actor"] == f"{role.value}1"
