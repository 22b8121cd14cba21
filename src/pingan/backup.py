"""`pingan backup` / `pingan restore`: a consistent copy of the store with its keys.

SQLite is copied with its online backup API — a consistent snapshot while the server keeps
writing, never a file copy that could miss what still sits in the -wal file. PostgreSQL is
dumped with `pg_dump` (one snapshot) and restored with `pg_restore`. The backup folder holds
the personal-data key (which also keys the audit chain), the checkpoint signing key and the
signed checkpoints, with a manifest of SHA-256 checksums; everything in it is mode 0600.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from pingan.config import Settings
from pingan.db import migrate
from pingan.db.base import utcnow
from pingan.db.engine import SQLITE_SUFFIXES, Database
from pingan.i18n import msg
from pingan.pii.vault import Vault, write_private

MANIFEST = "manifest.json"
SQLITE_FILE = "pingan.db"
PG_FILE = "pingan.pgdump"
SECRET_FILE = "secret.key"
SIGNING_FILE = "audit-signing.key"
CHECKPOINTS_FILE = "audit-checkpoints.jsonl"


class BackupError(RuntimeError):
    """The backup cannot be made or restored; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    dialect: str
    revision: str | None
    created_at: str
    files: dict[str, str]  # name -> sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, with the password passed in the environment."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(msg("backup.tool_not_found", tool=args[0])) from exc
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Page-by-page online copy; the target is created 0600 and left in rollback mode."""
    write_private(target, b"")
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)  # all pages in one step: one consistent snapshot, writers carry on
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file


def backup(settings: Settings, db: Database, vault: Vault, dest: Path, *, keys: bool) -> Manifest:
    """Write the store (and, with `keys`, its keys and checkpoints) to a new folder `dest`."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(msg("backup.dest_not_empty", dest=dest))
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    if db.dialect == "sqlite":
        _sqlite_copy(_sqlite_path(db.url), dest / SQLITE_FILE)
    elif db.dialect == "postgresql":
        url, env = _libpq(db.url)
        write_private(dest / PG_FILE, b"")
        _run(["pg_dump", "--format=custom", f"--file={dest / PG_FILE}", f"--dbname={url}"], env)
    else:
        raise BackupError(f"unsupported store {db.dialect}")
    if keys:
        write_private(dest / SECRET_FILE, vault.key_text().encode())
        for source, name in (
            (settings.resolved_audit_signing_key_file, SIGNING_FILE),
            (settings.resolved_audit_checkpoints_file, CHECKPOINTS_FILE),
        ):
            if source.exists():
                write_private(dest / name, source.read_bytes())
    files = {p.name: _sha256(p) for p in sorted(dest.iterdir())}
    manifest = Manifest(
        dialect=db.dialect,
        revision=migrate.current_revision(db.engine),
        created_at=utcnow().isoformat(),
        files=files,
    )
    write_private(dest / MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The backup's manifest, after checking every file against its checksum."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(msg("backup.not_a_backup", source=source, MANIFEST=MANIFEST))
    manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    for name, digest in manifest.files.items():
        if not (source / name).is_file() or _sha256(source / name) != digest:
            raise BackupError(msg("backup.file_damaged", name=name))
    return manifest


def _place_key_files(source: Path, settings: Settings, manifest: Manifest, force: bool) -> None:
    """Put the backup's keys where this configuration reads them (0600)."""
    backed_up = None
    if SECRET_FILE in manifest.files:
        backed_up = base64.urlsafe_b64decode((source / SECRET_FILE).read_bytes().strip())
    if (
        settings.secret_key
        and backed_up
        and base64.urlsafe_b64decode(settings.secret_key) != backed_up
    ):
        raise BackupError(msg("backup.key_differs"))
    targets = [
        (SIGNING_FILE, settings.resolved_audit_signing_key_file),
        (CHECKPOINTS_FILE, settings.resolved_audit_checkpoints_file),
    ]
    if not settings.secret_key:
        targets.append((SECRET_FILE, Vault.key_path(settings.data_dir)))
    targets = [(name, target) for name, target in targets if name in manifest.files]
    clash = [str(target) for _, target in targets if target.exists()]
    if clash and not force:
        raise BackupError(msg("backup.files_exist", files=list(clash)))
    for name, target in targets:
        if target.exists():
            target.replace(target.with_name(target.name + ".before-restore"))
        write_private(target, (source / name).read_bytes())


def _store_exists(url: str) -> bool:
    if make_url(url).get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        return path.exists() and path.stat().st_size > 0
    db = Database(url)
    try:
        return bool(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def restore(source: Path, settings: Settings, *, force: bool) -> Manifest:
    """Put a backup in place of the configured store and keys (checked by the caller)."""
    manifest = read_manifest(source)
    url = settings.resolved_database_url
    dialect = make_url(url).get_backend_name()
    if dialect != manifest.dialect:
        raise BackupError(
            msg("backup.store_kinds_differ", dialect=manifest.dialect, dialect_=dialect)
        )
    if _store_exists(url) and not force:
        raise BackupError(msg("backup.target_not_empty"))
    _place_key_files(source, settings, manifest, force)
    if dialect == "sqlite":
        target = _sqlite_path(url)
        for suffix in SQLITE_SUFFIXES:  # a stale -wal beside the new file would corrupt it
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        _sqlite_copy(source / SQLITE_FILE, target)
    else:
        libpq, env = _libpq(url)
        args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        _run([*args, f"--dbname={libpq}", str(source / PG_FILE)], env)
    return manifest
