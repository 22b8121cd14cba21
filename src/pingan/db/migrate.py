"""Run Alembic migrations programmatically (no alembic.ini needed at run time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from pingan.pii.vault import Vault


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("pingan.db") / "migrations"))
    return cfg


@contextmanager
def _migrating(engine: Engine, vault: Vault | None) -> Iterator[Config]:
    """One transaction for the whole run, the key handed to migrations that need it.

    On SQLite, altering a column rebuilds the table (copy, drop, rename): with foreign keys
    enforced, dropping a table that other rows point at fails, so enforcement is off for the
    run (it can only be switched outside a transaction) and every reference is checked before
    the commit instead, as SQLite's own procedure for table changes prescribes."""
    cfg = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                cfg.attributes["vault"] = vault
                yield cfg
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("migration left rows pointing at missing rows")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "heads", *, vault: Vault | None = None) -> None:
    """Bring the store's schema up to `revision` (default: every newest head). A migration
    that encrypts stored data reads `vault` (pingan.store.upgrade hands it in); without it,
    such a migration stops on a store that holds the data."""
    with _migrating(engine, vault) as cfg:
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str, *, vault: Vault | None = None) -> None:
    with _migrating(engine, vault) as cfg:
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The applied revision(s), comma-joined in sorted order if branches are applied."""
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """The newest revision(s) in the scripts, in the same form as current_revision."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads)) or None
