"""stored notes as messages, and each user's language

Revision ID: 0020_message_notes
Revises: 0019_rosters
Create Date: 2026-12-07 02:00:00.000000

Timeline notes written by the system keep their message (code and JSON parameters) so they
read in the reader's language; `note` keeps the Chinese text. Users may choose the language
the server answers them in when their request names none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_message_notes"
down_revision: str | None = "0019_rosters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.add_column(sa.Column("note_code", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("note_params", sa.JSON(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("incident_events") as batch:
        batch.drop_column("note_params")
        batch.drop_column("note_code")
