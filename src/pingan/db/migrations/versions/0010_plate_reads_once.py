"""plate reads: one row per camera, plate and time (a redelivered read is stored once)

Revision ID: 0010_plate_reads_once
Revises: 0009_help_match_path
Create Date: 2026-11-29 05:20:00.000000

MQTT delivers at least once, so a camera's read can arrive twice. Reads stored twice before
this revision are folded into the first row before the unique constraint is added.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_plate_reads_once"
down_revision: str | None = "0009_help_match_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM help_plate_reads WHERE id NOT IN "
        "(SELECT MIN(id) FROM help_plate_reads GROUP BY camera_id, plate, at)"
    )
    with op.batch_alter_table("help_plate_reads", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_help_plate_reads_read", ["camera_id", "plate", "at"])


def downgrade() -> None:
    with op.batch_alter_table("help_plate_reads", schema=None) as batch_op:
        batch_op.drop_constraint("uq_help_plate_reads_read", type_="unique")
