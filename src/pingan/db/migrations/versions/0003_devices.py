"""devices, commands and position history

Revision ID: 0003_devices
Revises: 0002_outbox
Create Date: 2026-11-28 18:29:52.469120
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_devices"
down_revision: str | None = "0002_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "position_fixes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lon_e6", sa.Integer(), nullable=False),
        sa.Column("lat_e6", sa.Integer(), nullable=False),
        sa.Column("speed_dms", sa.SmallInteger(), nullable=True),
        sa.Column("battery_pct", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_fixes")),
    )
    with op.batch_alter_table("position_fixes", schema=None) as batch_op:
        batch_op.create_index("ix_position_fixes_device_at", ["device_id", "at"], unique=False)
        batch_op.create_index("ix_position_fixes_unit_at", ["unit_id", "at"], unique=False)

    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("fix_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("battery_pct", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_devices_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("serial", name=op.f("uq_devices_serial")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "device_commands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_commands_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_commands")),
        sa.UniqueConstraint("command_id", name=op.f("uq_device_commands_command_id")),
    )
    with op.batch_alter_table("device_commands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_commands_device_id"), ["device_id"], unique=False
        )
        batch_op.create_index("ix_device_commands_state", ["state", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("device_commands", schema=None) as batch_op:
        batch_op.drop_index("ix_device_commands_state")
        batch_op.drop_index(batch_op.f("ix_device_commands_device_id"))

    op.drop_table("device_commands")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_unit_id"))
        batch_op.drop_index(batch_op.f("ix_devices_kind"))

    op.drop_table("devices")
    with op.batch_alter_table("position_fixes", schema=None) as batch_op:
        batch_op.drop_index("ix_position_fixes_unit_at")
        batch_op.drop_index("ix_position_fixes_device_at")

    op.drop_table("position_fixes")
