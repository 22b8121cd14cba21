"""Tables: units with their status and last known position, and who is bound to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime, utcnow


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    crew_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    post_lon: Mapped[float | None] = mapped_column(Float)
    post_lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # a temporary standby point (动中备勤 cover move) overriding the post until released
    cover_lon: Mapped[float | None] = mapped_column(Float)
    cover_lat: Mapped[float | None] = mapped_column(Float)
    cover_area_code: Mapped[str | None] = mapped_column(String(40))
    cover_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cover_by: Mapped[str | None] = mapped_column(String(64))


class UnitBinding(Base):
    """An account bound to a unit for a stretch of time (a shift, or open-ended).

    Officers and volunteers act only for the units bound to them now; a binding is ended, not
    deleted, so who crewed which unit when stays on record.
    """

    __tablename__ = "unit_bindings"
    __table_args__ = (Index("ix_unit_bindings_user_unit", "user_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
