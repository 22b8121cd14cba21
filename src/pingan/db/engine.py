"""Engine and session factory for SQLite (embedded) or PostgreSQL.

SQLite runs in WAL mode with BEGIN IMMEDIATE, so writers queue on the database lock instead
of failing with SQLITE_BUSY when two requests write at once (the default deferred
transaction cannot upgrade its read snapshot to a write lock).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for a SQLAlchemy URL, preparing the SQLite file's folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_files(Path(parsed.database))
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """One store: the engine plus a session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        # Every table's model must be mapped before the first session: a foreign key to a
        # table whose module this process never imported (users.unit_id → units when only
        # the auth models were loaded) fails at flush time.
        import pingan.db.models  # noqa: F401

        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
