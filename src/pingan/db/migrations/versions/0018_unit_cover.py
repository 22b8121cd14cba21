"""unit cover standby point

Revision ID: 0018_unit_cover
Revises: 0017_incident_samples
Create Date: 2026-12-06 22:45:00.000000

A unit sent to cover a key area another unit left (a move-up, 动中备勤) stands at a
temporary standby point until the area's own unit is free again or the dispatcher releases
it; the point, the area, when and by whom are kept on the unit and shown with it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_unit_cover"
down_revision: str | None = "0017_incident_samples"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("cover_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("cover_area_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("cover_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cover_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        for name in ("cover_by", "cover_at", "cover_area_code", "cover_lat", "cover_lon"):
            batch_op.drop_column(name)
