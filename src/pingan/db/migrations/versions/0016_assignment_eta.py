"""assignments keep the ETA predicted when the unit was sent

Revision ID: 0016_assignment_eta
Revises: 0015_names_encrypted
Create Date: 2026-12-08 10:00:00.000000

With en_route_at and on_scene_at, the predicted travel time measures the platform's ETAs
against the trips units made (dispatch.service.eta_report). Assignments stored before this
revision, and units sent by hand without a recommendation, keep eta_s NULL and are not
measured.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_assignment_eta"
down_revision: str | None = "0015_names_encrypted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eta_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("eta_s")
