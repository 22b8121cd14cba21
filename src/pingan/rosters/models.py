"""Table: one line of a shift's roster — a unit, its crew and post, and its partner."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime, utcnow


class RosterEntry(Base):
    """A unit on a day's shift. Keyed by call sign, not unit id: a bureau fills the roster in
    before (or without) registering every partner's team as a unit."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("day", "shift_code", "call_sign", name="uq_roster_entries_shift_unit"),
        Index("ix_roster_entries_day_shift", "day", "shift_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    shift_code: Mapped[str] = mapped_column(String(20))
    call_sign: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    crew: Mapped[int] = mapped_column(Integer)
    area_code: Mapped[str | None] = mapped_column(String(40))
    post_code: Mapped[str | None] = mapped_column(String(40))
    post_lon: Mapped[float | None] = mapped_column(Float)
    post_lat: Mapped[float | None] = mapped_column(Float)
    partner: Mapped[str | None] = mapped_column(String(100))  # 联勤联动: the partner organisation
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
