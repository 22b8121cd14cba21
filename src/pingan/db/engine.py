"""Engine and session factory for SQLite (embedded) or PostgreSQL.

Writes: SQLite runs in WAL mode with BEGIN IMMEDIATE, so writers queue on the database lock
instead of failing with SQLITE_BUSY when two requests write at once (the default deferred
transaction cannot upgrade its read snapshot to a write lock). Writers of one process first
queue on an in-process lock per database file, which wakes the next one as soon as the lock
is free; SQLite's own busy wait (30 s) polls with growing sleeps of up to 100 ms, so under
load it let late writers overtake early ones and stretched the slowest writes to seconds.

Reads: a read-only session (`Database.session(read_only=True)`) begins a deferred
transaction on SQLite, which takes no lock — WAL readers see their snapshot while a writer
works — and `BEGIN READ ONLY` on PostgreSQL. Both stores refuse a write in it
(SQLite through `PRAGMA query_only`), so a read path that starts writing fails loudly in
tests on either store instead of writing without the write lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "pingan_read_only"  # execution option of the read-only engine
BUSY_TIMEOUT_S = 30


class _Writers:
    """This process's writers of one SQLite file, one at a time: a waiting writer wakes as soon
    as the one before it has ended its transaction. Held by a DBAPI connection, from its BEGIN
    IMMEDIATE to its COMMIT or ROLLBACK (or its return to the pool, should neither come)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: object | None = None

    def acquire(self, dbapi_connection: object) -> None:
        if not self._lock.acquire(timeout=BUSY_TIMEOUT_S):
            # what SQLite itself answers after its busy timeout
            error = sqlite3.OperationalError("database is locked")
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error)
        self._owner = dbapi_connection

    def locked(self) -> bool:
        return self._lock.locked()

    def holds(self, dbapi_connection: object) -> bool:
        return dbapi_connection is not None and self._owner is dbapi_connection

    def release(self, dbapi_connection: object) -> None:
        if self.holds(dbapi_connection):
            self._owner = None
            self._lock.release()


_writers: dict[str, _Writers] = {}
_writers_guard = threading.Lock()


def _writers_of(database: str) -> _Writers:
    """The one writer queue of a SQLite file, shared by every engine on it in this process."""
    if database == ":memory:":
        return _Writers()
    with _writers_guard:
        return _writers.setdefault(str(Path(database).resolve()), _Writers())


def _is_read_only(conn: Connection) -> bool:
    return bool(conn.get_execution_options().get(READ_ONLY))


def _dbapi(conn: Connection) -> Any:
    return None if conn.closed or conn.invalidated else conn.connection.dbapi_connection


def _configure_sqlite(engine: Engine, writers: _Writers | None) -> None:
    """WAL, foreign keys and our own BEGIN; `writers` None: the legacy transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL: commits do not wait for fsync
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = writers is not None and _is_read_only(conn)
        conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        if read_only:
            conn.exec_driver_sql("BEGIN")
            return
        if writers is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        dbapi_connection = _dbapi(conn)
        writers.acquire(dbapi_connection)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits only for other processes now
        except BaseException:
            writers.release(dbapi_connection)
            raise

    if writers is not None:
        _queue_writers(engine, writers)


SQLITE_SUFFIXES = ("", "-wal", "-shm")


def _private_sqlite_files(path: Path) -> None:
    """The store file (and its -wal/-shm, which SQLite creates with the file's mode) is
    readable by its owner only: 0600, created so before SQLite first opens it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in SQLITE_SUFFIXES:
        part = path.with_name(path.name + suffix)
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _queue_writers(engine: Engine, writers: _Writers) -> None:
    """Give the writer lock back as soon as the transaction holding it ends."""

    def _end(conn: Connection, how: str) -> None:
        dbapi_connection = _dbapi(conn)
        if not writers.holds(dbapi_connection):
            return
        try:  # end it here, so the writer woken next finds the file free; SQLAlchemy's own
            # COMMIT or ROLLBACK right after is then a no-op
            if dbapi_connection.in_transaction:
                getattr(dbapi_connection, how)()
        finally:
            writers.release(dbapi_connection)

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Connection) -> None:
        _end(conn, "commit")

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        _end(conn, "rollback")

    def _given_back(dbapi_connection, *_) -> None:  # type: ignore[no-untyped-def]
        writers.release(dbapi_connection)

    # a connection given back to the pool, invalidated or closed in mid-transaction
    for name in ("checkin", "invalidate", "close"):
        event.listen(engine, name, _given_back)


def make_engine(url: str, *, echo: bool = False, legacy_transactions: bool = False) -> Engine:
    """Create an engine for a SQLAlchemy URL, preparing the SQLite file's folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database != ":memory:":
            _private_sqlite_files(Path(database))
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_S})
        writers = None if legacy_transactions else _writers_of(database)
        _configure_sqlite(engine, writers)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """One store: the engine plus session factories for writing and for reading.

    `legacy_transactions` restores the handling before read sessions — every transaction,
    reads included, takes the write lock, and writers wait in SQLite's busy handler alone —
    and exists only so bench/api.py can measure against it (PINGAN_DB_LEGACY_TRANSACTIONS).
    """

    def __init__(self, url: str, *, echo: bool = False, legacy_transactions: bool = False) -> None:
        # Every table's model must be mapped before the first session: a foreign key to a
        # table whose module this process never imported (users.unit_id → units when only
        # the auth models were loaded) fails at flush time.
        import pingan.db.models  # noqa: F401

        self.url = url
        self.engine = make_engine(url, echo=echo, legacy_transactions=legacy_transactions)
        # the same pool and events; its connections carry the read-only option, and on
        # PostgreSQL begin with BEGIN READ ONLY (psycopg's read_only, reset on return)
        options: dict[str, bool] = {READ_ONLY: True}
        if self.dialect == "postgresql" and not legacy_transactions:
            options["postgresql_readonly"] = True
        self.read_engine = self.engine.execution_options(**options)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def write_locks_at_begin(self) -> bool:
        """Whether a write transaction takes the store's one write lock as it begins (SQLite's
        BEGIN IMMEDIATE), not row by row as it writes (PostgreSQL)."""
        return self.dialect == "sqlite"

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session; `read_only` for reads, which then neither wait for nor block writers."""
        with (self.read_sessions if read_only else self.sessions)() as session:
            yield session

    def bind_info(self, name: str, value: object) -> None:
        """Put `value` in the `info` of every session this store opens, writing or reading:
        the keys a store's sessions work under (the audit chain's, the signing KEK)."""
        for factory in (self.sessions, self.read_sessions):
            info = dict(factory.kw.get("info") or {})
            info[name] = value
            factory.configure(info=info)

    def ping(self) -> None:
        with self.read_engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
