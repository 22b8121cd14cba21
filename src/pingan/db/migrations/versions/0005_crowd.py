"""crowd counts, levels and alerts

Revision ID: 0005_crowd
Revises: 0004_bus_delivery
Create Date: 2026-11-28 18:14:33.582664
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_crowd"
down_revision: str | None = "0004_bus_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crowd_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_zh", sa.String(length=300), nullable=False),
        sa.Column("text_en", sa.String(length=300), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_alerts")),
    )
    with op.batch_alter_table("crowd_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_crowd_alerts_area_at", ["area_code", "at"], unique=False)

    op.create_table(
        "crowd_area_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=True),
        sa.Column("density_ppm2", sa.Float(), nullable=True),
        sa.Column("capacity_share", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_area_counts")),
    )
    with op.batch_alter_table("crowd_area_counts", schema=None) as batch_op:
        batch_op.create_index("ix_crowd_area_counts_area_at", ["area_code", "at"], unique=False)

    op.create_table(
        "crowd_levels",
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending", sa.String(length=10), nullable=True),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_alert_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_warning_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_warning_level", sa.String(length=10), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("area_code", name=op.f("pk_crowd_levels")),
    )
    op.create_table(
        "crowd_sources",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_reading_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("silent_alerted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_sources")),
    )
    with op.batch_alter_table("crowd_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crowd_sources_area_code"), ["area_code"], unique=False)

    op.create_table(
        "crowd_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("entered", sa.Integer(), nullable=True),
        sa.Column("exited", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["crowd_sources.id"],
            name=op.f("fk_crowd_readings_source_id_crowd_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_readings")),
        sa.UniqueConstraint("source_id", "at", name=op.f("uq_crowd_readings_source_id")),
    )
    with op.batch_alter_table("crowd_readings", schema=None) as batch_op:
        batch_op.create_index("ix_crowd_readings_area_at", ["area_code", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crowd_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_crowd_readings_area_at")

    op.drop_table("crowd_readings")
    with op.batch_alter_table("crowd_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crowd_sources_area_code"))

    op.drop_table("crowd_sources")
    op.drop_table("crowd_levels")
    with op.batch_alter_table("crowd_area_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_crowd_area_counts_area_at")

    op.drop_table("crowd_area_counts")
    with op.batch_alter_table("crowd_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_crowd_alerts_area_at")

    op.drop_table("crowd_alerts")
