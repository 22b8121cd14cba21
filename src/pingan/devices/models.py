"""Tables: registered devices, commands sent to them, and the compact position history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Device(Base):
    """A registered device. `serial` is also its id in MQTT topics and device messages.

    The last_* columns are the newest state written by the gateway's batches (at most about
    a second behind the live state).
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    bound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    fix_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    battery_pct: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str | None] = mapped_column(String(20))
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeviceCommand(Base):
    """A command and how far it got: queued → sent (broker acknowledged) → acked | failed,
    or timeout when no answer came before `expires_at`."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[str | None] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(String(200))


class PositionFix(Base):
    """One kept fix (see trail.py): coordinates in micro-degrees (≈ 0.1 m), speed in dm/s."""

    __tablename__ = "position_fixes"
    __table_args__ = (
        Index("ix_position_fixes_device_at", "device_id", "at"),
        Index("ix_position_fixes_unit_at", "unit_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    lon_e6: Mapped[int] = mapped_column(Integer)
    lat_e6: Mapped[int] = mapped_column(Integer)
    speed_dms: Mapped[int | None] = mapped_column(SmallInteger)
    battery_pct: Mapped[int | None] = mapped_column(SmallInteger)
