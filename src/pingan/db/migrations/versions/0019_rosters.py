"""shift rosters

Revision ID: 0019_rosters
Revises: 0018_unit_cover
Create Date: 2026-12-06 22:30:00.000000

Shift rosters (排班表) as platform data: per day and shift, each unit's kind, crew, post and
joint-patrol partner, so the officer-shifts a bureau puts on the streets are on record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_rosters"
down_revision: str | None = "0018_unit_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shift_code", sa.String(length=20), nullable=False),
        sa.Column("call_sign", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("crew", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=True),
        sa.Column("post_code", sa.String(length=40), nullable=True),
        sa.Column("post_lon", sa.Float(), nullable=True),
        sa.Column("post_lat", sa.Float(), nullable=True),
        sa.Column("partner", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_entries")),
        sa.UniqueConstraint(
            "day", "shift_code", "call_sign", name=op.f("uq_roster_entries_shift_unit")
        ),
    )
    op.create_index("ix_roster_entries_day_shift", "roster_entries", ["day", "shift_code"])


def downgrade() -> None:
    op.drop_index("ix_roster_entries_day_shift", table_name="roster_entries")
    op.drop_table("roster_entries")
