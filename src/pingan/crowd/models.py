"""Tables: count sources, readings (idempotent), each area's fused counts, level and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class CountSource(Base):
    """A gate counter, camera, drone, Wi-Fi probe or officer reporting counts for one area."""

    __tablename__ = "crowd_sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_reading_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    silent_alerted: Mapped[bool] = mapped_column(Boolean, default=False)


class CountReading(Base):
    """One reading; (source, time) is unique so a repeated reading is stored once."""

    __tablename__ = "crowd_readings"
    __table_args__ = (
        UniqueConstraint("source_id", "at"),
        Index("ix_crowd_readings_area_at", "area_code", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("crowd_sources.id"))
    area_code: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[float | None] = mapped_column(Float)
    entered: Mapped[int | None] = mapped_column(Integer)
    exited: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AreaCount(Base):
    """The fused estimate of an area after each evaluation: the series trends are read from."""

    __tablename__ = "crowd_area_counts"
    __table_args__ = (Index("ix_crowd_area_counts_area_at", "area_code", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[float] = mapped_column(Float)
    sigma: Mapped[float | None] = mapped_column(Float)
    density_ppm2: Mapped[float | None] = mapped_column(Float)
    capacity_share: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))


class AreaLevel(Base):
    """Each area's current level and the tracker's state (hysteresis, pending change)."""

    __tablename__ = "crowd_levels"

    area_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pending: Mapped[str | None] = mapped_column(String(10))
    pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_warning_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_warning_level: Mapped[str | None] = mapped_column(String(10))
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    incident_id: Mapped[int | None] = mapped_column(Integer)


class CrowdAlert(Base):
    __tablename__ = "crowd_alerts"
    __table_args__ = (Index("ix_crowd_alerts_area_at", "area_code", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # level / repeat / early_warning / sensor_silent
    level: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    text_zh: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
