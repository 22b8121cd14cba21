"""Tables: cameras, patrol observations, licensed premises and their video checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime, utcnow


class Camera(Base):
    """A camera the patrol checks: where it stands, what it watches, how to read it."""

    __tablename__ = "video_cameras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("video_premises.id"), index=True)
    source: Mapped[str] = mapped_column(String(500))
    gb28181_id: Mapped[str | None] = mapped_column(String(20))
    gat1400_id: Mapped[str | None] = mapped_column(String(20))
    frame_width: Mapped[int] = mapped_column(Integer)
    frame_height: Mapped[int] = mapped_column(Integer)
    roi: Mapped[list[list[float]]] = mapped_column(JSON)
    forbidden_zones: Mapped[list[list[list[float]]]] = mapped_column(JSON, default=list)
    floor_area_m2: Mapped[float | None] = mapped_column(Float)
    gathering_count: Mapped[int | None] = mapped_column(Integer)
    detector: Mapped[str] = mapped_column(String(10))
    model_path: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), index=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Observation(Base):
    """One patrol check of one camera: the count, or why the frame was suspect."""

    __tablename__ = "video_observations"
    __table_args__ = (Index("ix_video_observations_camera_at", "camera_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id"))
    area_code: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[float | None] = mapped_column(Float)
    density_ppm2: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))  # normal…critical, or unknown when suspect
    suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(40))
    detector: Mapped[str] = mapped_column(String(10))
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    incident_id: Mapped[int | None] = mapped_column(Integer)


class Premises(Base):
    """A licensed business the police supervise (行业场所): hotel, entertainment venue, …"""

    __tablename__ = "video_premises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    licence_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    check_every_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PremisesCheck(Base):
    """One video check of a premises by an officer, with what was found."""

    __tablename__ = "video_premises_checks"
    __table_args__ = (Index("ix_video_premises_checks_premises_at", "premises_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("video_premises.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    officer: Mapped[str] = mapped_column(String(64))
    officer_user_id: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(String(2000))
    camera_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
