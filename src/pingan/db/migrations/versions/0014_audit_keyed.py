"""audit chain keyed with HMAC: audit_head.scheme

Revision ID: 0014_audit_keyed
Revises: 0010_plate_reads_once
Create Date: 2026-11-30 09:00:00.000000

A fresh or empty chain is keyed from its first record. A store that already holds records
was hashed with plain SHA-256; it is marked "sha256" here, and `pingan db upgrade` (which
has the key; a migration has not) checks that old chain and rechains it under the key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_audit_keyed"
down_revision: str | None = "0013_register_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheme", sa.String(length=20), server_default="hmac-sha256", nullable=False)
        )
    op.execute("UPDATE audit_head SET scheme = 'sha256' WHERE seq > 0")


def downgrade() -> None:
    # a keyed chain does not verify as plain SHA-256 after this: restore a backup instead
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("scheme")
