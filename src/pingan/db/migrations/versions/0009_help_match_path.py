"""help items: stored match tokens; candidate index with cells and status

Revision ID: 0009_help_match_path
Revises: 0008_help_services
Create Date: 2026-11-29 04:15:00.000000

The candidate query ranges over `at` within kind and category; with the grid cells and the
status in the same index they are checked there, so only the rows in the grid are read from
the table. Tokens made at registration spare the matcher re-tokenising every candidate;
rows stored before this revision have none and are tokenised when matched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_help_match_path"
down_revision: str | None = "0008_help_services"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("help_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("match_tokens", sa.Text(), nullable=True))
        batch_op.drop_index("ix_help_items_match")
        batch_op.create_index(
            "ix_help_items_candidates",
            ["kind", "category", "at", "cell_x", "cell_y", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("help_items", schema=None) as batch_op:
        batch_op.drop_index("ix_help_items_candidates")
        batch_op.create_index("ix_help_items_match", ["kind", "category", "at"], unique=False)
        batch_op.drop_column("match_tokens")
