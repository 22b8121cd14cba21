"""lost-and-found grid cells in fixed degree steps

Revision ID: 0021_lost_found_cells
Revises: 0020_message_notes
Create Date: 2026-12-08 09:00:00.000000

A help item's cell x index was its longitude scaled by the cosine of its own latitude, so two
items 2.3 km apart north–south could be cells apart east–west and never compared. Cells are
now fixed steps in degrees (pingan.services.candidates.cell); every stored item's cell is
recomputed here. The formulas are written out (a migration never imports the app), with the
grid size settings.yaml held when this was written: changing `grid_m` later needs a
migration like this one.
"""

import math
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_lost_found_cells"
down_revision: str | None = "0020_message_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

M_PER_DEG = 111_320.0
GRID_M = 1000.0
BATCH = 5000


def _new(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon * M_PER_DEG / GRID_M), math.floor(lat * M_PER_DEG / GRID_M)


def _old(lon: float, lat: float) -> tuple[int, int]:
    return (
        math.floor(lon * M_PER_DEG * math.cos(math.radians(lat)) / GRID_M),
        math.floor(lat * M_PER_DEG / GRID_M),
    )


def _recompute(cell: Callable[[float, float], tuple[int, int]]) -> None:
    """Rewrite every help item's cell, a batch of rows at a time (in id order)."""
    conn = op.get_bind()
    t = sa.table(
        "help_items", sa.column("id"), sa.column("lon"), sa.column("lat"),
        sa.column("cell_x"), sa.column("cell_y"),
    )  # fmt: skip
    update = (
        t.update()
        .where(t.c.id == sa.bindparam("row_id"))
        .values(cell_x=sa.bindparam("x"), cell_y=sa.bindparam("y"))
    )
    last = None
    while True:
        query = sa.select(t.c.id, t.c.lon, t.c.lat).order_by(t.c.id).limit(BATCH)
        if last is not None:
            query = query.where(t.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return
        params = []
        for row_id, lon, lat in rows:
            x, y = cell(lon, lat)
            params.append({"row_id": row_id, "x": x, "y": y})
        conn.execute(update, params)
        last = rows[-1][0]


def upgrade() -> None:
    _recompute(_new)


def downgrade() -> None:
    _recompute(_old)
