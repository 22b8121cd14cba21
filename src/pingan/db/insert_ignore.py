"""INSERT … ON CONFLICT DO NOTHING on either store: how repeated deliveries stay stored once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert the rows a unique key does not already hold; returns how many were new."""
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    pk = next(iter(table.primary_key.columns))
    # executemany form: compiled once and cached (a 1,000-row VALUES literal is not)
    stmt = dialect.insert(table).on_conflict_do_nothing().returning(pk)
    return len(session.execute(stmt, rows).all())
