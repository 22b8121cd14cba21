"""sign-up attempts, so self-registration is throttled per source address

Revision ID: 0013_register_attempts
Revises: 0010_plate_reads_once
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_register_attempts"
down_revision: str | None = "0012_idempotency_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_attempts")),
    )
    with op.batch_alter_table("register_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_register_attempts_ip_at", ["ip", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("register_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_register_attempts_ip_at")
    op.drop_table("register_attempts")
