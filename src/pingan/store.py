"""Open a store with its keys, and refuse one whose data the configured key cannot read.

The personal-data key (secret.key or PINGAN_SECRET_KEY) also yields the audit chain's HMAC
key. Quietly making a new key for a store that already holds data would leave personal data
unreadable and the audit chain unverifiable, so start-up stops with a clear message instead.
"""

from __future__ import annotations

from sqlalchemy import column as sql_column
from sqlalchemy import inspect, null, select, table

from pingan.audit import service as audit
from pingan.audit.chain import KEYED, VerifyResult, compute_hash, entry_fields
from pingan.audit.models import AuditRecord
from pingan.config import Settings
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.db.models import Base
from pingan.i18n import msg
from pingan.pii.vault import Vault, VaultError
from pingan.trust import signing


class StoreKeyError(RuntimeError):
    """The store holds data that the configured key cannot read (or no key is there)."""


def _encrypted_columns() -> list[tuple[str, str]]:
    """Every (table, column) that holds Fernet tokens: by convention named *_enc."""
    return [
        (t.name, c.name)
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if c.name.endswith("_enc")
    ]


def _present_columns(db: Database) -> set[tuple[str, str]]:
    """(table, column) pairs the store has now (an older schema lacks newer ones)."""
    inspector = inspect(db.engine)
    return {
        (table_name, c["name"])
        for table_name in inspector.get_table_names()
        for c in inspector.get_columns(table_name)
    }


def _sample_tokens(db: Database) -> list[str]:
    """One stored token per encrypted column (tables or columns not created yet skipped)."""
    present = _present_columns(db)
    tokens = []
    with db.engine.connect() as conn:
        for table_name, column_name in _encrypted_columns():
            if (table_name, column_name) not in present:
                continue
            col = sql_column(column_name)
            value = conn.execute(
                select(col).select_from(table(table_name)).where(col.is_not(None), col != "")
                .limit(1)
            ).scalar_one_or_none()  # fmt: skip
            if value:
                tokens.append(value)
    return tokens


def _head(db: Database) -> tuple[int, str | None] | None:
    """The chain head's (seq, scheme); scheme None: a store from before the keyed chain."""
    names = inspect(db.engine).get_table_names()
    if "audit_head" not in names:
        return None
    has_scheme = any(c["name"] == "scheme" for c in inspect(db.engine).get_columns("audit_head"))
    cols = [sql_column("seq"), sql_column("scheme") if has_scheme else null()]
    with db.engine.connect() as conn:
        row = conn.execute(select(*cols).select_from(table("audit_head"))).first()
    return None if row is None else (row[0], row[1])


def _newest_keyed_record(db: Database) -> AuditRecord | None:
    head = _head(db)
    if head is None or head[0] == 0 or head[1] != KEYED:
        return None
    with db.session() as session:
        return session.get(AuditRecord, head[0])


def holds_data(db: Database) -> bool:
    """Whether the store has encrypted personal data or audit records (so a key exists)."""
    head = _head(db)
    return bool(_sample_tokens(db)) or (head is not None and head[0] > 0)


def check_key(db: Database, vault: Vault, *, chain: bool = True) -> None:
    """Raise StoreKeyError unless `vault` opens the store's encrypted data and (with `chain`)
    hashes the newest audit record as stored; `pingan audit verify` and backups skip that
    second check, which a tampered newest record would also fail."""
    for token in _sample_tokens(db):
        try:
            vault.decrypt(token)
        except VaultError:
            raise StoreKeyError(msg("store.key_cannot_decrypt")) from None
    newest = _newest_keyed_record(db) if chain else None
    if newest is not None:
        fields = entry_fields(audit.entry_of(newest))
        if compute_hash(vault.audit_key, **fields) != newest.hash:
            raise StoreKeyError(msg("store.key_mismatch_audit"))


def load_vault(settings: Settings, db: Database, *, chain: bool = True) -> Vault:
    """The configured vault, checked against the store; a key is only created for a store
    that holds no encrypted data and no audit records yet."""
    if not Vault.exists(settings.secret_key, settings.data_dir) and holds_data(db):
        raise StoreKeyError(msg("store.data_without_key"))
    vault = Vault.from_setting_or_file(settings.secret_key, settings.data_dir)
    check_key(db, vault, chain=chain)
    return vault


def open_store(
    settings: Settings, *, echo: bool = False, chain: bool = True
) -> tuple[Database, Vault]:
    """The store and its vault, the audit key bound to every session."""
    db = Database(settings.resolved_database_url, echo=echo)
    try:
        vault = load_vault(settings, db, chain=chain)
    except Exception:
        db.dispose()
        raise
    audit.use_key(db, vault.audit_key)
    signing.use_key(db, vault.key_bytes)
    return db, vault


def upgrade(db: Database, settings: Settings, vault: Vault) -> VerifyResult:
    """Migrate the schema with the store's key (migrations that encrypt stored personal data
    need it); if this run is the one that introduced the keyed chain, check the old plain
    SHA-256 chain and rechain it under the key (a broken one is left unkeyed)."""
    before = _head(db)
    crossing = before is None or before[1] is None  # no store yet, or one from before keying
    migrate.upgrade(db.engine, vault=vault)
    if not crossing:
        return VerifyResult(ok=True, checked=0, problems=[])
    return rechain(db, settings)


def rechain(db: Database, settings: Settings, *, accept_broken: bool = False) -> VerifyResult:
    """Rechain an unkeyed chain, unless signed checkpoints exist (they are only made of keyed
    chains: rechaining one now would be a rewrite, not an upgrade)."""
    head = _head(db)
    if head is None or head[1] == KEYED:
        return VerifyResult(ok=True, checked=0, problems=[])
    if settings.resolved_audit_checkpoints_file.exists():
        return VerifyResult(
            ok=False,
            checked=0,
            problems=["signed checkpoints exist: refusing to rechain this audit chain"],
        )
    with db.session() as session:
        result = audit.rechain(session, accept_broken=accept_broken)
        session.commit()
    return result
