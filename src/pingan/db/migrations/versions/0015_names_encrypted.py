"""names encrypted at rest: reporter, guardian and claimant names

Revision ID: 0015_names_encrypted
Revises: 0014_audit_keyed
Create Date: 2026-12-01 09:00:00.000000

Each plain name column becomes <name>_enc (Fernet token) and <name>_masked (李**), as phone
numbers are stored. Existing names are encrypted here, in the same transaction, so no plain
copy is left behind: that needs the store's key, which `pingan db upgrade` hands in through
the Alembic config (pingan.db.migrate). A store without names needs no key.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from pingan.pii.name import mask_name
from pingan.pii.vault import Vault

revision: str = "0015_names_encrypted"
down_revision: str | None = "0014_audit_keyed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, plain column, whether a name may be absent)
NAMES = (
    ("incidents", "reporter_name", True),
    ("help_at_risk_profiles", "guardian_name", False),
    ("help_missing_reports", "guardian_name", False),
    ("help_claims", "claimant_name", False),
)
PLAIN_LENGTH = {"reporter_name": 100, "guardian_name": 64, "claimant_name": 64}


def _vault() -> Vault | None:
    """The key `pingan.db.migrate` handed in, if any."""
    config = op.get_context().config
    return config.attributes.get("vault") if config is not None else None


def _need_vault(columns: list[tuple[str, str]]) -> Vault | None:
    """The key, or a clear stop when there are names to convert and no key to do it with."""
    vault = _vault()
    if vault is not None:
        return vault
    conn = op.get_bind()
    for table, column in columns:
        col = sa.column(column)
        query = sa.select(sa.func.count()).select_from(sa.table(table)).where(col.is_not(None))
        if conn.execute(query).scalar_one():
            raise RuntimeError(
                f"{table}.{column} holds names and this migration needs the store's key to "
                "convert them: run `pingan db upgrade` / 迁移姓名需要密钥，请运行 pingan db upgrade"
            )
    return None


def _convert(
    table: str, source: str, targets: tuple[str, ...], convert: Callable[[str], dict[str, str]]
) -> None:
    """Write the `targets` made from `source` for every row where it is set."""
    conn = op.get_bind()
    t = sa.table(table, sa.column("id"), sa.column(source), *map(sa.column, targets))
    rows = conn.execute(sa.select(t.c.id, t.c[source]).where(t.c[source].is_not(None))).all()
    for row_id, value in rows:
        conn.execute(t.update().where(t.c.id == row_id).values(convert(value)))


def upgrade() -> None:
    vault = _need_vault([(table, column) for table, column, _ in NAMES])
    for table, column, optional in NAMES:
        enc, masked = f"{column}_enc", f"{column}_masked"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(enc, sa.String(length=700), nullable=True))
            batch_op.add_column(sa.Column(masked, sa.String(length=20), nullable=True))
        if vault is not None:
            _convert(
                table,
                column,
                (enc, masked),
                lambda v, e=enc, m=masked: {e: vault.encrypt(v.strip()), m: mask_name(v)},
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            if not optional:
                batch_op.alter_column(enc, existing_type=sa.String(length=700), nullable=False)
                batch_op.alter_column(masked, existing_type=sa.String(length=20), nullable=False)
            batch_op.drop_column(column)


def downgrade() -> None:
    vault = _need_vault([(table, f"{column}_enc") for table, column, _ in NAMES])
    for table, column, optional in NAMES:
        enc, masked = f"{column}_enc", f"{column}_masked"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.String(PLAIN_LENGTH[column]), nullable=True))
        if vault is not None:
            _convert(table, enc, (column,), lambda v, c=column: {c: vault.decrypt(v)})
        with op.batch_alter_table(table, schema=None) as batch_op:
            if not optional:
                batch_op.alter_column(
                    column, existing_type=sa.String(PLAIN_LENGTH[column]), nullable=False
                )
            batch_op.drop_column(masked)
            batch_op.drop_column(enc)
