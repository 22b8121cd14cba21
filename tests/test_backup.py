"""Backup, restore and the store's keys, through the `pingan` command as a new user runs it:
each command in a fresh process against a fresh data directory."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pingan.audit.chain import GENESIS_HASH, compute_hash, legacy_hash
from pingan.db import migrate
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.pii.vault import Vault
from tests.audit.forge import rewrite_tail
from tests.conftest import POSTGRES_ADMIN_URL, service_unavailable

SRC = Path(__file__).resolve().parents[1] / "src"
PASSWORD = "Very-secret-12\n"

WRITER = """
import sys, pathlib
from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.store import open_store

db, _ = open_store(Settings())
started, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
while not stop.exists() or n < 50:
    with db.session() as session:
        audit.record(session, Actor.system("writer"), "test.write", "thing", n)
        session.commit()
    n += 1
    if n == 20:
        started.touch()
db.dispose()
"""


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    return env | {"PYTHONPATH": str(SRC), "PINGAN_DATA_DIR": str(data_dir)} | extra


def _pingan(data_dir: Path, *args: str, stdin: str = "", **extra: str):
    return subprocess.run(
        [sys.executable, "-m", "pingan.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data_dir, **extra),
        cwd=data_dir.parent,
        timeout=120,
    )


def _ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _new_store(data_dir: Path, **extra: str) -> None:
    _ok(_pingan(data_dir, "db", "upgrade", **extra))
    for name in ("chief", "deputy"):
        _ok(_pingan(data_dir, "user", "add", name, "--role", "admin", "--phone",
                    "13800138000", "--password-stdin", stdin=PASSWORD, **extra))  # fmt: skip


def _rows(db_file: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db_file) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


def test_backup_while_writing_restores_every_row_and_the_chain_verifies(tmp_path):
    data, restored, bk = tmp_path / "data", tmp_path / "restored", tmp_path / "bk"
    _new_store(data)
    _ok(_pingan(data, "audit", "checkpoint"))
    started, stop = tmp_path / "started", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(started), str(stop)], env=_env(data), cwd=tmp_path
    )
    try:
        while not started.exists():
            assert writer.poll() is None, "writer died"
            time.sleep(0.05)
        _ok(_pingan(data, "backup", str(bk)))
    finally:
        stop.touch()
        assert writer.wait(120) == 0
    assert stat.S_IMODE(bk.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in bk.iterdir())
    out = _ok(_pingan(restored, "restore", str(bk)))
    assert "完好" in out
    assert "完好" in _ok(_pingan(restored, "audit", "verify"))
    backed_up = _rows(bk / "pingan.db")
    assert _rows(restored / "pingan.db") == backed_up  # every row there
    live = _rows(data / "pingan.db")
    for table, rows in backed_up.items():  # a snapshot: the live store only added to it
        if table not in ("audit_head", "alembic_version"):
            assert set(rows) <= set(live[table]), table
    assert len(backed_up["audit_log"]) >= 20 + 3
    assert (restored / "secret.key").read_bytes() == (data / "secret.key").read_bytes()


def test_restore_refuses_a_damaged_backup_and_an_existing_store(tmp_path):
    data, bk = tmp_path / "data", tmp_path / "bk"
    _new_store(data)
    _ok(_pingan(data, "backup", str(bk)))
    r = _pingan(data, "restore", str(bk))
    assert r.returncode == 2 and "--force" in r.stderr
    with (bk / "pingan.db").open("r+b") as fh:
        fh.seek(200)
        fh.write(b"\xff")
    r = _pingan(tmp_path / "elsewhere", "restore", str(bk))
    assert r.returncode == 2 and "已损坏" in r.stderr  # a bare machine: Chinese


def test_start_up_refuses_when_the_key_file_is_missing_instead_of_making_a_new_one(tmp_path):
    data = tmp_path / "data"
    _new_store(data)
    (data / "secret.key").unlink()
    for command in (("audit", "verify"), ("db", "upgrade")):
        r = _pingan(data, *command)
        assert r.returncode == 2 and "找不到密钥" in r.stderr
    assert not (data / "secret.key").exists()


def test_start_up_refuses_a_key_that_cannot_decrypt_the_store(tmp_path):
    data = tmp_path / "data"
    _new_store(data)
    other = "m4O9x4bC0n1C3z3f9mYlXz8r0pQ2s7tVwK5eJ6hD1aA="
    r = _pingan(data, "user", "add", "x", "--role", "admin", "--password-stdin",
                stdin=PASSWORD, PINGAN_SECRET_KEY=other)  # fmt: skip
    assert r.returncode == 2 and "无法解密" in r.stderr


def test_store_and_key_files_are_readable_by_their_owner_only(tmp_path):
    data = tmp_path / "data"
    old = os.umask(0o022)
    try:
        _new_store(data)
        _ok(_pingan(data, "audit", "checkpoint"))
        with sqlite3.connect(data / "pingan.db") as conn:  # keep it open: -wal and -shm exist
            conn.execute("SELECT count(*) FROM audit_log").fetchone()
            names = ["pingan.db", "pingan.db-wal", "pingan.db-shm", "secret.key",
                     "audit-signing.key", "audit-checkpoints.jsonl"]  # fmt: skip
            modes = {n: stat.S_IMODE((data / n).stat().st_mode) for n in names}
    finally:
        os.umask(old)
    assert modes == dict.fromkeys(names, 0o600)


def test_cli_verify_fails_after_a_rewrite_with_recomputed_hashes(tmp_path):
    """Rewrite record 1 and recompute every later hash, as someone with database access can:
    without the key the HMAC fails; with the key the signed checkpoint still fails."""
    data = tmp_path / "data"
    _new_store(data)
    _ok(_pingan(data, "audit", "checkpoint"))
    key = Vault.from_setting_or_file(None, data).audit_key
    for hasher in (legacy_hash, partial(compute_hash, key)):
        _rewrite_sqlite(data / "pingan.db", hasher)
        r = _pingan(data, "audit", "verify")
        assert r.returncode == 1, r.stdout + r.stderr
    assert "signed checkpoint" in r.stderr  # the keyed rewrite: only the checkpoint catches it


def _rewrite_sqlite(path: Path, hasher) -> None:
    db = Database(f"sqlite:///{path}")
    try:
        rewrite_tail(db, 1, hasher, actor="forger")
    finally:
        db.dispose()


def test_an_unkeyed_store_from_before_is_rechained_by_db_upgrade(tmp_path):
    """A store written before the chain was keyed: `db upgrade` checks and rechains it."""

    data = tmp_path / "data"
    Vault.from_setting_or_file(None, data)  # its key file, as every store already had one
    db = Database(f"sqlite:///{data / 'pingan.db'}")
    migrate.upgrade(db.engine, "0010_plate_reads_once")
    prev = GENESIS_HASH
    with db.engine.begin() as conn:
        for seq in (1, 2, 3):
            fields = {"seq": seq, "at": utcnow(), "actor": "old", "actor_role": None,
                      "action": "old.write", "object_type": "thing", "object_id": None,
                      "ip": None, "detail": {}, "prev_hash": prev}  # fmt: skip
            h = legacy_hash(**fields)
            conn.execute(
                text(
                    "INSERT INTO audit_log VALUES (:seq, :at, :actor, :actor_role, :action, "
                    ":object_type, :object_id, :ip, '{}', :prev_hash, :h)"
                ),
                fields | {"at": fields["at"].isoformat(), "h": h},
            )
            prev = h
        conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": prev})
    db.dispose()
    _ok(_pingan(data, "db", "upgrade"))
    assert "审计链完好，共 4 条" in _ok(
        _pingan(data, "audit", "verify")
    )  # 3 old + the rechain record


@pytest.fixture
def postgres_pair():
    """Two empty databases on the PostgreSQL server: the source and the restore target."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"pingan_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        service_unavailable("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {type(exc).__name__}")
    base = make_url(POSTGRES_ADMIN_URL)
    yield [base.set(database=n).render_as_string(hide_password=False) for n in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_backup_with_pg_dump_restores_and_verifies(tmp_path, postgres_pair):
    source, target = postgres_pair
    data, restored, bk = tmp_path / "data", tmp_path / "restored", tmp_path / "bk"
    _new_store(data, PINGAN_DATABASE_URL=source)
    _ok(_pingan(data, "audit", "checkpoint", PINGAN_DATABASE_URL=source))
    _ok(_pingan(data, "backup", str(bk), PINGAN_DATABASE_URL=source))
    assert (bk / "pingan.pgdump").stat().st_size > 0
    assert "完好" in _ok(_pingan(restored, "restore", str(bk), PINGAN_DATABASE_URL=target))
    engines = [create_engine(u) for u in (source, target)]
    try:
        counts = []
        for engine in engines:
            with engine.connect() as conn:
                counts.append(
                    [
                        conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                        for t in ("users", "audit_log")
                    ]
                )
    finally:
        for engine in engines:
            engine.dispose()
    assert counts[0] == counts[1] and counts[0][0] == 2
