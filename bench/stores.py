"""Throwaway stores for benchmarks."""

from __future__ import annotations

import os

from pingan.audit import service as audit
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.pii.vault import Vault


def migrated_store(url: str) -> Database:
    """A migrated store whose audit chain is keyed, as every store's is, with a key made for
    this run (a benchmark's store is dropped afterwards: no key needs keeping)."""
    db = Database(url)
    migrate.upgrade(db.engine)
    audit.use_key(db, Vault(os.urandom(32)).audit_key)
    return db
