"""identity assurance: population register, verifications, failed attempts, one-time codes

Revision ID: 0023_identity
Revises: 0021_lost_found_cells
Create Date: 2026-12-09 09:00:00.000000

The bureau's population register (ID number as a keyed hash plus a sealed copy; names and
phones sealed), the assurance levels reached (L1 real name, L2 real person, L3 in person),
refused attempts counted for the failure limits, and one-time codes (hash only). No face
image is stored anywhere (pingan.trust.identity.adapters).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_identity"
down_revision: str | None = "0022_signing_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_attempts")),
    )
    with op.batch_alter_table("identity_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_attempts_subject_at", ["subject_key", "at"], unique=False
        )
        batch_op.create_index("ix_identity_attempts_user_at", ["user_id", "at"], unique=False)

    op.create_table(
        "identity_register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_key", sa.String(length=64), nullable=False),
        sa.Column("id_enc", sa.String(length=700), nullable=False),
        sa.Column("id_masked", sa.String(length=20), nullable=False),
        sa.Column("name_enc", sa.String(length=700), nullable=False),
        sa.Column("name_masked", sa.String(length=20), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("address_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("phone_enc", sa.String(length=700), nullable=True),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_register")),
        sa.UniqueConstraint("id_key", name=op.f("uq_identity_register_id_key")),
    )
    op.create_table(
        "identity_otps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_to_masked", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identity_otps_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_otps")),
    )
    with op.batch_alter_table("identity_otps", schema=None) as batch_op:
        batch_op.create_index("ix_identity_otps_user_sent", ["user_id", "sent_at"], unique=False)

    op.create_table(
        "identity_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=20), nullable=False),
        sa.Column("name_masked", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("officer_username", sa.String(length=64), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_identity_verifications_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identity_verifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_verifications")),
    )
    with op.batch_alter_table("identity_verifications", schema=None) as batch_op:
        batch_op.create_index("ix_identity_verifications_subject", ["subject_key"], unique=False)
        batch_op.create_index(
            "ix_identity_verifications_user_expires", ["user_id", "expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_verifications_user_expires")
        batch_op.drop_index("ix_identity_verifications_subject")

    op.drop_table("identity_verifications")
    with op.batch_alter_table("identity_otps", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_otps_user_sent")

    op.drop_table("identity_otps")
    op.drop_table("identity_register")
    with op.batch_alter_table("identity_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_attempts_user_at")
        batch_op.drop_index("ix_identity_attempts_subject_at")

    op.drop_table("identity_attempts")
