"""signing keys

Revision ID: 0022_signing_keys
Revises: 0021_lost_found_cells
Create Date: 2026-12-10 09:00:00.000000

The signing service's keys (pingan.trust.signing): Ed25519 and SM2 public keys in clear,
private keys sealed under a key-encryption key derived from the platform's secret (never
stored here), each key's status and times; the SM2 signer id is kept with its key. A partial
unique index allows one active key per algorithm.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_signing_keys"
down_revision: str | None = "0021_lost_found_cells"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sm2_uid", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_signing_keys")),
    )
    op.create_index("ix_signing_keys_algorithm_status", "signing_keys", ["algorithm", "status"])
    active = sa.text("status = 'active'")
    op.create_index(
        "ux_signing_keys_one_active", "signing_keys", ["algorithm"], unique=True,
        postgresql_where=active, sqlite_where=active,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ux_signing_keys_one_active", table_name="signing_keys")
    op.drop_index("ix_signing_keys_algorithm_status", table_name="signing_keys")
    op.drop_table("signing_keys")
