"""incident samples

Revision ID: 0017_incident_samples
Revises: 0016_assignment_eta
Create Date: 2026-12-08 10:00:00.000000

Demo sample incidents (scripted arrival times, written by `pingan demo`) are marked, so the
response KPIs and the deployment's demand history leave them out. A store built by an earlier
demo has its samples marked here: they are the incidents the demo account created.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_incident_samples"
down_revision: str | None = "0016_assignment_eta"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sample", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        sa.text("UPDATE incidents SET sample = :yes WHERE created_by = 'demo'").bindparams(yes=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("sample")
