"""Readable case numbers (e.g. JQ20260728-0042), unique per prefix and local day.

The counter row is upserted and incremented in one statement (INSERT … ON CONFLICT DO
UPDATE … RETURNING, on both SQLite ≥ 3.35 and PostgreSQL), so concurrent requests never
get the same number.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from pingan.db.base import Base

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class CaseCounter(Base):
    """Per prefix and local day, the last case number handed out."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


def next_case_number(session: Session, prefix: str, at: datetime, *, period: str = "%Y%m%d") -> str:
    """The next number of `prefix` in the local `period` holding `at` (a day by default; a
    strftime pattern such as "%Y" counts by year: XQ-2026-0001)."""
    day = at.astimezone(LOCAL_TZ).strftime(period)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CaseCounter).values(prefix=prefix, day=day, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CaseCounter.prefix, CaseCounter.day],
        set_={"value": CaseCounter.value + 1},
    ).returning(CaseCounter.value)
    value = session.execute(stmt).scalar_one()
    return f"{prefix}{day}-{value:04d}"
